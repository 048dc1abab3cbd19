import { istEpochMs, istPartsOf } from "../domain/ist.js";
import type { BrokerPosition, OrderUpdate } from "../ports/broker.js";
import type { StoredOrder, StoredPosition } from "../ports/store-records.js";
import { unsentAfterMsOf } from "./execution-config.js";
import type { OrderDesk } from "./order-desk.js";
import type { ReconcileReport } from "./order-manager-types.js";
import { MAX_ATTEMPTS } from "./order-tags.js";
import type { StopKeeper } from "./stop-keeper.js";
import { fillPrint, isLive, viewOf } from "./trade-view.js";

/*
 * Reconciliation: the broker's book and positions read (book, positions, book again: a fill
 * between the reads shows as a change of the book and keeps its trade out of the checks until
 * the next round), what was missed applied, and the store compared with the broker:
 * - a position (open, or closing with its exit unfilled) the broker reads flat is closed as
 *   MANUAL, its orders left at the broker cancelled, only after two flat readings at least
 *   `CONFIRM_MS` apart, with the order book agreeing (its fills on the contract net to zero);
 *   one reading of zero can be a glitch of the positions API, and closing on it drops the stop;
 * - a quantity above what the trades' tagged orders explain (a late duplicate, an order by hand)
 *   is alerted, and with `flattenUnexplained` sold (once two readings agree).
 */

/** Two readings of the same surprise at least this far apart before it is acted on. */
export const CONFIRM_MS = 5_000;
/** Tag of a sale of an unexplained quantity: F, the date's digits, an attempt letter. */
const ATTEMPTS = "abcdefghijklmnopqrstuvwxyz";

export class Reconciler {
  /** First flat reading of each trade's position. */
  private readonly flatSince = new Map<string, number>();
  /** An unexplained quantity by contract: first read when, how much, and whether it was acted on. */
  private readonly excessSeen = new Map<string, { since: number; excess: number; handled: boolean }>();

  constructor(
    private readonly desk: OrderDesk,
    private readonly stops: StopKeeper,
    private readonly advance: (tradeId: string) => Promise<void>,
  ) {}

  /** Whether a surprise awaits its confirming reading (the manager reconciles again when due). */
  confirmationDue(nowMs: number): boolean {
    for (const since of this.flatSince.values()) if (nowMs - since >= CONFIRM_MS) return true;
    for (const e of this.excessSeen.values()) if (!e.handled && nowMs - e.since >= CONFIRM_MS) return true;
    return false;
  }

  async run(): Promise<ReconcileReport> {
    const { desk } = this;
    const { store } = desk;
    const report: ReconcileReport = {
      updatesApplied: 0,
      unsentMarkedFailed: [],
      manualCloses: [],
      flatReadings: [],
      stopsReplaced: [],
      excessSold: [],
      tradesStepped: [],
      problems: [],
    };
    const apply = (updates: OrderUpdate[]): void => {
      for (const u of updates) {
        try {
          const r = store.recordOrderUpdate(u);
          if (r.order && r.changed) report.updatesApplied++;
        } catch (e) {
          report.problems.push(`update ${u.orderId}: ${String(e)}`);
        }
      }
    };
    const first = await desk.safe(() => desk.broker.orders());
    desk.noteBookRead(first.ok ? null : first.error.message);
    if (!first.ok) {
      report.problems.push(`order book: ${first.error.message}`);
      return report;
    }
    apply(first.value);
    const dayStart = istEpochMs(istPartsOf(desk.clock.now()).date, 0);
    const printBefore = dayPrint(store.orders.since(dayStart));
    const fills = new Map(store.positions.open().map((p) => [p.tradeId, fillPrint(store, p.tradeId)]));
    const positions = await desk.safe(() => desk.broker.positions());
    const second = await desk.safe(() => desk.broker.orders());
    const book = second.ok ? second.value : first.value;
    if (second.ok) apply(second.value);

    const now = desk.clock.now();
    const tags = new Set(book.map((u) => u.tag));
    for (const o of store.orders.live()) {
      if (o.status !== "NEW" || o.kiteOrderId !== null || desk.inflight.has(o.tag) || tags.has(o.tag))
        continue;
      if (now - o.createdAtMs < unsentAfterMsOf(o, desk.config)) continue;
      if (store.orders.markFailed(o.localId, "never reached the broker (not in its order book)"))
        report.unsentMarkedFailed.push(o.tag);
    }

    if (!positions.ok) report.problems.push(`positions: ${positions.error.message}`);
    const atBroker = (symbol: string): number =>
      positions.ok
        ? positions.value
            .filter((p) => p.tradingsymbol === symbol && p.product === desk.config.product)
            .reduce((n, p) => n + p.quantity, 0)
        : 0;
    const seenFlat = new Set<string>();
    for (const pos of store.positions.open()) {
      const v = viewOf(store.orders.byTrade(pos.tradeId));
      if (v.unresolved.length > 0) continue;
      // CLOSING too: a position sold by hand while its exit rests; the exit would then sell short.
      const settled = pos.state === "OPEN" || pos.state === "CLOSING";
      if (positions.ok && second.ok && settled && v.held > 0) {
        const steady = fills.get(pos.tradeId) === fillPrint(store, pos.tradeId);
        const held = atBroker(pos.symbol);
        if (steady && held <= 0 && bookNet(book, pos.symbol) <= 0) {
          seenFlat.add(pos.tradeId);
          if (this.flatConfirmed(pos, v.held, now)) report.manualCloses.push(pos.tradeId);
          else report.flatReadings.push(pos.tradeId);
        } else if (steady && held < v.held) {
          desk.alert("warning", `trade ${pos.tradeId}: broker holds ${held}, we hold ${v.held}`);
        }
      }
      const current = store.positions.byTradeId(pos.tradeId);
      if (
        current &&
        (current.state === "OPEN" || current.state === "OPENING") &&
        v.held > 0 &&
        !v.stops.some(isLive) &&
        !v.stops.some((s) => s.filledQuantity > 0)
      ) {
        this.stops.replacingMissing.add(pos.tradeId);
        report.stopsReplaced.push(pos.tradeId);
      }
    }
    for (const id of [...this.flatSince.keys()]) if (!seenFlat.has(id)) this.flatSince.delete(id);
    if (positions.ok && second.ok && dayPrint(store.orders.since(dayStart)) === printBefore) {
      await this.checkExcess(positions.value, store.orders.since(dayStart), dayStart, now, report);
    }

    const trades = new Set(store.positions.open().map((p) => p.tradeId));
    for (const o of store.orders.live()) if (o.tradeId) trades.add(o.tradeId);
    for (const id of report.manualCloses) trades.add(id);
    await Promise.all([...trades].map((id) => this.advance(id)));
    report.tradesStepped = [...trades];
    report.stopsReplaced = report.stopsReplaced.filter((id) =>
      store.orders.byTrade(id).some((o) => o.purpose === "STOP_LOSS" && isLive(o)),
    );
    return report;
  }

  /** A flat reading: the first is noted; one at least CONFIRM_MS later closes the trade as MANUAL. */
  private flatConfirmed(pos: StoredPosition, held: number, now: number): boolean {
    const { desk } = this;
    const since = this.flatSince.get(pos.tradeId);
    if (since === undefined) {
      this.flatSince.set(pos.tradeId, now);
      return false;
    }
    if (now - since < CONFIRM_MS) return false;
    this.flatSince.delete(pos.tradeId);
    const closed = desk.store.transaction(() => {
      desk.store.audit.record("order-manager", "manual_close", { tradeId: pos.tradeId, held });
      return desk.store.positions.close(pos.tradeId);
    });
    if (!closed) return false;
    desk.alert("warning", `trade ${pos.tradeId}: closed at the broker by hand`);
    desk.emit("manual_close", { tradeId: pos.tradeId });
    return true;
  }

  /** Quantities at the broker above what the day's tagged orders explain: alerted, and sold when set. */
  private async checkExcess(
    positions: BrokerPosition[],
    dayOrders: StoredOrder[],
    dayStart: number,
    now: number,
    report: ReconcileReport,
  ): Promise<void> {
    const { desk } = this;
    const seen = new Set<string>();
    for (const p of positions) {
      if (p.exchange !== desk.config.exchange || p.product !== desk.config.product || p.quantity <= 0)
        continue;
      const ours = dayOrders.filter((o) => o.tradingsymbol === p.tradingsymbol);
      // An order of ours in flight (or a sale of the excess at work) may explain it soon.
      if (ours.some((o) => o.status === "NEW" || (o.tradeId === null && isLive(o)))) continue;
      const explained = ours
        .filter((o) => o.tradeId !== null)
        .reduce((n, o) => n + (o.side === "BUY" ? 1 : -1) * o.filledQuantity, 0);
      const excess = p.quantity - Math.max(0, explained);
      if (excess <= 0) continue;
      seen.add(p.tradingsymbol);
      const first = this.excessSeen.get(p.tradingsymbol);
      if (!first || first.excess !== excess) {
        this.excessSeen.set(p.tradingsymbol, { since: now, excess, handled: false });
        continue;
      }
      // Acted on once per episode: a refused sale is not sent again, nor the alert repeated.
      if (first.handled || now - first.since < CONFIRM_MS) continue;
      first.handled = true;
      const sold = desk.config.flattenUnexplained && (await this.sellExcess(p, excess, dayOrders, dayStart));
      if (sold) report.excessSold.push(p.tradingsymbol);
      desk.alert(
        "critical",
        `${p.tradingsymbol}: the broker holds ${p.quantity}, the trades explain ${Math.max(0, explained)}: ` +
          (desk.config.flattenUnexplained
            ? sold
              ? `selling the ${excess} unexplained`
              : `the ${excess} unexplained could not be sold: act at the broker`
            : `${excess} unexplained left alone (risk_management.flatten_unexplained is off): act at the broker`),
      );
      desk.emit("unexplained_quantity", {
        symbol: p.tradingsymbol,
        atBroker: p.quantity,
        explained: Math.max(0, explained),
        sold,
      });
    }
    for (const s of [...this.excessSeen.keys()]) if (!seen.has(s)) this.excessSeen.delete(s);
  }

  private async sellExcess(
    p: BrokerPosition,
    excess: number,
    dayOrders: StoredOrder[],
    dayStart: number,
  ): Promise<boolean> {
    const { desk } = this;
    const date = istPartsOf(dayStart).date.replaceAll("-", "");
    const attempt = dayOrders.filter((o) => o.tradeId === null && o.tag.startsWith(`F${date}`)).length;
    const letter = ATTEMPTS[attempt];
    if (letter === undefined || attempt >= MAX_ATTEMPTS) return false;
    const placed = await desk.place(
      { tag: `F${date}${letter}`, purpose: "EXIT" },
      {
        exchange: desk.config.exchange,
        tradingsymbol: p.tradingsymbol,
        side: "SELL",
        quantity: excess,
        product: desk.config.product,
        type: "MARKET",
        marketProtection: desk.config.marketProtection,
      },
    );
    const now = desk.store.orders.byLocalId(placed.localId);
    return now !== null && now.status !== "FAILED" && now.status !== "REJECTED";
  }
}

/** What the book's fills on a contract add up to (bought minus sold), every order included. */
function bookNet(book: OrderUpdate[], symbol: string): number {
  return book
    .filter((u) => u.tradingsymbol === symbol)
    .reduce((n, u) => n + (u.side === "BUY" ? 1 : -1) * u.filledQuantity, 0);
}

function dayPrint(orders: StoredOrder[]): string {
  return orders.map((o) => `${o.localId}:${o.filledQuantity}:${o.status}`).join(",");
}
