/**
 * What a chaos case asserts, measured from the outside: the simulator's order requests, its
 * order book, positions and trades, and the service's database.
 * - no order tag sent twice (the simulator's onOrderRequest hook sees every order POST);
 * - every fill at the simulator in the database with the same quantity and average price;
 * - never naked: every quantity held at the simulator covered by resting SELL orders (the stop,
 *   or the exit that replaced it) within 2 s, outside the service's downtime (sampled);
 * - flat at the end of the day, at the simulator and in the database;
 * - the day's P&L from the database's fills equal to the simulator's trades, to the paisa.
 */
import Database from "better-sqlite3";
import type { SimState } from "../../src/sim/simulator.js";

/** Longest a held quantity may go without a resting protective order (market ms). */
export const NAKED_LIMIT_MS = 2_000;
const RESTING = new Set(["OPEN", "TRIGGER PENDING"]);

export interface CaseFindings {
  /** Order POSTs whose tag had been sent before. */
  duplicateOrders: number;
  duplicateTags: string[];
  /** Orders whose filled quantity at the simulator differs from the database's (or is missing there). */
  fillsLost: number;
  /** Filled orders whose average price differs. */
  priceMismatches: number;
  fillProblems: string[];
  /** Longest a held quantity went uncovered outside downtime (market seconds). */
  longestNakedS: number;
  nakedProblems: string[];
  flat: boolean;
  flatProblems: string[];
  /** Paise between the simulator's P&L and the database's. */
  pnlDiffPaise: number;
  simPnl: number;
  dbPnl: number;
  /** Orders placed at the simulator, and how many filled (a case with no trade proves little). */
  ordersAtSim: number;
  filledAtSim: number;
}

/** Samples the never-naked invariant; downtime is excluded. */
export class NakedWatch {
  /** Per symbol: market ms since which it has been uncovered, and its orders then. */
  private readonly since = new Map<string, number>();
  private readonly onset = new Map<string, string>();
  longestMs = 0;
  readonly breaches: string[] = [];
  private down = false;

  /** `limitMs`: longer uncovered is a breach (NAKED_LIMIT_MS unless the runner must allow more). */
  constructor(private readonly limitMs = NAKED_LIMIT_MS) {}

  /** The service is down (killed) from now: nothing it could do counts until `up()`. */
  goDown(atMs: number): void {
    for (const [symbol, from] of this.since) this.close(symbol, from, atMs);
    this.since.clear();
    this.down = true;
  }

  /** The service is back (reconciled): uncovered quantities count from here. */
  up(): void {
    this.down = false;
  }

  sample(state: SimState): void {
    if (this.down) return;
    const now = state.marketTimeMs;
    const held = new Map<string, number>();
    for (const p of state.positions.net) held.set(String(p.tradingsymbol), Number(p.quantity));
    const covered = new Map<string, number>();
    for (const o of state.orders) {
      if (o.transaction_type !== "SELL" || !RESTING.has(String(o.status))) continue;
      const s = String(o.tradingsymbol);
      covered.set(s, (covered.get(s) ?? 0) + Number(o.pending_quantity));
    }
    const symbols = new Set([...held.keys(), ...this.since.keys()]);
    for (const symbol of symbols) {
      const q = held.get(symbol) ?? 0;
      // A short position is never protected by a SELL: it counts as uncovered too.
      const naked = q < 0 || (q > 0 && (covered.get(symbol) ?? 0) < q);
      const from = this.since.get(symbol);
      if (naked && from === undefined) {
        this.since.set(symbol, now);
        const orders = state.orders
          .filter((o) => o.tradingsymbol === symbol)
          .map(
            (o) =>
              `${o.tag} ${o.transaction_type} ${o.order_type} ${o.status} ${o.filled_quantity}/${o.quantity}`,
          );
        this.onset.set(symbol, `held ${q}; orders: ${orders.join(", ")}`);
      }
      if (!naked && from !== undefined) {
        this.close(symbol, from, now);
        this.since.delete(symbol);
      }
    }
  }

  /** Ends the watch: a quantity still uncovered counts until `atMs`. */
  finish(atMs: number): void {
    if (!this.down) for (const [symbol, from] of this.since) this.close(symbol, from, atMs);
    this.since.clear();
  }

  private close(symbol: string, from: number, to: number): void {
    const ms = to - from;
    this.longestMs = Math.max(this.longestMs, ms);
    if (ms > this.limitMs)
      this.breaches.push(
        `${symbol} uncovered ${(ms / 1000).toFixed(1)} s from ${istTime(from)} (${this.onset.get(symbol) ?? ""})`,
      );
  }
}

/** The tags of the order POSTs the simulator received, and those sent more than once. */
export class TagLedger {
  private readonly seen = new Map<string, number>();
  record(fields: Record<string, string | undefined>): void {
    const tag = fields.tag ?? "(no tag)";
    this.seen.set(tag, (this.seen.get(tag) ?? 0) + 1);
  }
  duplicates(): { count: number; tags: string[] } {
    const tags = [...this.seen].filter(([, n]) => n > 1);
    return { count: tags.reduce((s, [, n]) => s + n - 1, 0), tags: tags.map(([t, n]) => `${t}×${n}`) };
  }
}

interface DbOrder {
  tag: string;
  kite_order_id: string | null;
  side: string;
  filled_quantity: number;
  average_price: number;
}

/** The end-of-case checks against the service's database (read only: a killed service may hold it). */
export function checkEnd(
  state: SimState,
  databasePath: string,
  ledger: TagLedger,
  naked: NakedWatch,
): CaseFindings {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    const orders = db
      .prepare("SELECT tag, kite_order_id, side, filled_quantity, average_price FROM orders")
      .all() as DbOrder[];
    const open = db
      .prepare("SELECT trade_id, symbol, state FROM positions WHERE state NOT IN ('CLOSED')")
      .all() as Array<{ trade_id: string; symbol: string; state: string }>;
    const byTag = new Map(orders.map((o) => [o.tag, o]));
    const fillProblems: string[] = [];
    let fillsLost = 0;
    let priceMismatches = 0;
    for (const o of state.orders) {
      const ours = byTag.get(String(o.tag));
      const filled = Number(o.filled_quantity);
      if (!ours || ours.filled_quantity !== filled) {
        fillsLost++;
        fillProblems.push(
          `${o.tag}: ${filled} filled at the simulator, ${ours ? ours.filled_quantity : "no order"} in the database`,
        );
        continue;
      }
      if (filled > 0 && Math.round(ours.average_price * 100) !== Math.round(Number(o.average_price) * 100)) {
        priceMismatches++;
        fillProblems.push(
          `${o.tag}: average ${o.average_price} at the simulator, ${ours.average_price} in the database`,
        );
      }
    }
    const atSim = new Set(state.orders.map((o) => String(o.tag)));
    for (const o of orders)
      if (o.filled_quantity > 0 && !atSim.has(o.tag)) {
        fillsLost++;
        fillProblems.push(`${o.tag}: ${o.filled_quantity} filled in the database, unknown at the simulator`);
      }

    const flatProblems: string[] = [];
    for (const p of state.positions.net)
      if (Number(p.quantity) !== 0)
        flatProblems.push(`${p.tradingsymbol}: ${p.quantity} held at the simulator`);
    for (const o of state.orders)
      if (RESTING.has(String(o.status))) flatProblems.push(`${o.tag}: still ${o.status} at the simulator`);
    for (const p of open) flatProblems.push(`${p.trade_id} ${p.symbol}: ${p.state} in the database`);

    const simPaise = state.trades.reduce(
      (s, t) =>
        s + sign(String(t.transaction_type)) * Math.round(Number(t.quantity) * Number(t.average_price) * 100),
      0,
    );
    const dbPaise = orders.reduce(
      (s, o) => s + sign(o.side) * Math.round(o.filled_quantity * o.average_price * 100),
      0,
    );
    const dups = ledger.duplicates();
    return {
      duplicateOrders: dups.count,
      duplicateTags: dups.tags,
      fillsLost,
      priceMismatches,
      fillProblems,
      longestNakedS: naked.longestMs / 1000,
      nakedProblems: naked.breaches,
      flat: flatProblems.length === 0,
      flatProblems,
      pnlDiffPaise: Math.abs(simPaise - dbPaise),
      simPnl: simPaise / 100,
      dbPnl: dbPaise / 100,
      ordersAtSim: state.orders.length,
      filledAtSim: state.orders.filter((o) => Number(o.filled_quantity) > 0).length,
    };
  } finally {
    db.close();
  }
}

/** The properties a case broke, one line each (empty: the case passed). */
export function brokenProperties(f: CaseFindings): string[] {
  const out: string[] = [];
  if (f.duplicateOrders > 0) out.push(`duplicate orders: ${f.duplicateTags.join(", ")}`);
  if (f.fillProblems.length > 0) out.push(`fills: ${f.fillProblems.join("; ")}`);
  if (f.nakedProblems.length > 0) out.push(`never naked: ${f.nakedProblems.join("; ")}`);
  if (!f.flat) out.push(`flat at the end: ${f.flatProblems.join("; ")}`);
  if (f.pnlDiffPaise !== 0) out.push(`P&L: simulator ${f.simPnl.toFixed(2)}, database ${f.dbPnl.toFixed(2)}`);
  return out;
}

const sign = (side: string) => (side === "SELL" ? 1 : -1);

function istTime(ms: number): string {
  return new Date(ms + 5.5 * 3_600_000).toISOString().slice(11, 19);
}
