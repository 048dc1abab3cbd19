import type { Store } from "../ports/store.js";
import type { StoredOrder } from "../ports/store-records.js";

/*
 * What a trade's stored orders add up to. A protective stop is a STOP_LOSS order still of type
 * SL (or SL-M); once the broker has accepted its modification into a LIMIT or MARKET sell it is
 * the trade's exit (its tag and purpose stay those of the stop, which is how it was placed).
 */

const PLACED_LIVE: ReadonlySet<string> = new Set(["PLACED", "OPEN", "TRIGGER PENDING"]);
export const REFUSED: ReadonlySet<string> = new Set(["REJECTED", "FAILED"]);

export interface TradeView {
  entry: StoredOrder | null;
  /** Protective stops (type SL/SL-M), in the order they were written. */
  stops: StoredOrder[];
  /** Orders selling the position now: the exits placed, and a stop modified into the exit. */
  exits: StoredOrder[];
  /** Every STOP_LOSS order written (the next stop's tag attempt). */
  stopAttempts: number;
  /** Every EXIT order written (the next exit's tag attempt). */
  exitAttempts: number;
  bought: number;
  sold: number;
  held: number;
  /** Orders written NEW whose fate is not known yet (in flight, or to resolve by tag). */
  unresolved: StoredOrder[];
}

export function isLive(o: StoredOrder): boolean {
  return PLACED_LIVE.has(o.status);
}

/** A STOP_LOSS order that is still a stop (not modified into the exit). */
export function isProtective(o: StoredOrder): boolean {
  return o.purpose === "STOP_LOSS" && (o.type === "SL" || o.type === "SL-M");
}

export function viewOf(orders: StoredOrder[]): TradeView {
  const entry = orders.find((o) => o.purpose === "ENTRY") ?? null;
  const bought = orders.filter((o) => o.side === "BUY").reduce((n, o) => n + o.filledQuantity, 0);
  const sold = orders.filter((o) => o.side === "SELL").reduce((n, o) => n + o.filledQuantity, 0);
  return {
    entry,
    stops: orders.filter(isProtective),
    exits: orders.filter((o) => o.purpose === "EXIT" || (o.purpose === "STOP_LOSS" && !isProtective(o))),
    stopAttempts: orders.filter((o) => o.purpose === "STOP_LOSS").length,
    exitAttempts: orders.filter((o) => o.purpose === "EXIT").length,
    bought,
    sold,
    held: bought - sold,
    unresolved: orders.filter((o) => o.status === "NEW"),
  };
}

/** The quantity resting at the broker to sell this trade's holding: its live stops and exits. */
export function coveredQuantity(v: TradeView): number {
  return [...v.stops, ...v.exits]
    .filter(isLive)
    .reduce((n, o) => n + Math.max(0, o.quantity - o.filledQuantity), 0);
}

/** The trade's fills, as a comparable text. */
export function fillPrint(store: Store, tradeId: string): string {
  return store.orders
    .byTrade(tradeId)
    .map((o) => `${o.localId}:${o.filledQuantity}:${o.status}`)
    .join(",");
}
