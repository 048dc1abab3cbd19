import type { OrderChanges } from "../ports/broker.js";
import type { StoredOrder, StoredPosition } from "../ports/store-records.js";
import { crashPoint } from "./crash-points.js";
import { isRefusal, type OrderDesk } from "./order-desk.js";
import { MAX_ATTEMPTS } from "./order-tags.js";
import { EMERGENCY_REASON, type StopKeeper } from "./stop-keeper.js";
import { isLive, type TradeView } from "./trade-view.js";

/*
 * The exit of a trade (position CLOSING), never naked: the resting stop is modified into the
 * exit (a LIMIT at a marketable price, or MARKET with market protection), so the quantity is
 * covered all along. The broker's acceptance is recorded on the order (its type and price) and
 * the position (exit_order_id); a stop whose type at the broker is no longer SL is the exit,
 * which is how it is recognised after a restart (a crash before the answer: the order book
 * tells, and the modification is sent again while the book still shows a stop).
 *
 * Where the modification is refused: cancel the stop, then sell (the old way). An exit that
 * rests unfilled is repriced by modification. When every exit was refused, a stop is put back
 * before the trader is alerted.
 */

/** A modification answered yes (or lost) and not seen in the book yet is sent again after this. */
const MODIFY_CONFIRM_MS = 5_000;
/** A modification that got no answer (network, session, rate limit) is retried after 5 s, then every 10 s. */
const RETRY_MAX_MS = 10_000;

export class ExitPath {
  /** Stops whose modification into the exit was refused: cancelled then sold instead. */
  private readonly conversionRefused = new Set<number>();
  /** Modifications awaiting the book's word, by order: not sent again before this time. */
  private readonly modifying = new Map<number, number>();
  /** Modifications of an order that failed without an answer in a row (the backoff). */
  private readonly unanswered = new Map<number, number>();
  /** When each exit last started working (converted, placed or repriced), for its reprice. */
  private readonly workingSince = new Map<number, number>();
  /** Trades whose exits ran out: their stop was put back and the trader alerted. */
  private readonly gaveUp = new Set<string>();

  constructor(
    private readonly desk: OrderDesk,
    private readonly stops: StopKeeper,
  ) {}

  async step(pos: StoredPosition, v: TradeView): Promise<void> {
    const { desk } = this;
    const tradeId = pos.tradeId;
    // The entry's rest first: what it still buys changes what is to be sold.
    if (v.entry && isLive(v.entry)) return desk.cancel(v.entry, `exit of ${tradeId}`);
    const liveStops = v.stops.filter(isLive);
    const liveExits = v.exits.filter(isLive);
    // The exits ran out and the trader was told: the stop put back is kept (sized), nothing
    // else is tried until a restart (a stop refused again is not retried in a loop either).
    if (this.gaveUp.has(tradeId) && v.held > 0) {
      if (liveStops.length > 0 && liveExits.length === 0) await this.stops.ensureStop(pos, v);
      return;
    }
    // An exit at work: anything else resting would sell twice.
    const [working, ...others] = liveExits;
    if (working) {
      for (const o of [...liveStops, ...others]) await desk.cancel(o, `exit of ${tradeId} at work`);
      if (!desk.cancelSentAt.has(working.localId)) await this.reprice(pos, working, desk.clock.now());
      return;
    }
    const reason = desk.exitReasonOf(tradeId) ?? "resumed";
    const [stop, ...extra] = liveStops;
    if (stop && v.held > 0 && !this.conversionRefused.has(stop.localId)) {
      for (const o of extra) await desk.cancel(o, `duplicate stop of ${tradeId}`);
      return this.convert(pos, stop, v, reason === EMERGENCY_REASON);
    }
    // The fallback (and a stop with nothing left to protect): cancelled and confirmed, then sold.
    if (liveStops.length > 0) {
      for (const o of liveStops) await desk.cancel(o, `exit of ${tradeId}`);
      return;
    }
    if (v.held <= 0) return this.finish(pos, v, reason);
    if (v.exitAttempts >= Math.min(desk.config.maxExitAttempts, MAX_ATTEMPTS))
      return this.putStopBack(pos, v);
    const request = {
      exchange: desk.config.exchange,
      tradingsymbol: pos.symbol,
      side: "SELL" as const,
      quantity: v.held,
      product: desk.config.product,
      ...desk.sellNow(pos.symbol, reason === EMERGENCY_REASON),
    };
    const placed = await desk.place({ tradeId, purpose: "EXIT", attempt: v.exitAttempts }, request, (order) =>
      desk.writePosition(pos, { exitOrderId: order.localId }),
    );
    this.workingSince.set(placed.localId, desk.clock.now());
  }

  /** The exit unfilled since `exitRepriceMs`: repriced by modification (cancelled and placed again if refused). */
  private async reprice(pos: StoredPosition, exit: StoredOrder, nowMs: number): Promise<void> {
    const { desk } = this;
    const since = this.workingSince.get(exit.localId) ?? exit.updatedAtMs;
    if (nowMs - since < desk.config.exitRepriceMs || (this.modifying.get(exit.localId) ?? 0) > nowMs) return;
    const reason = desk.exitReasonOf(pos.tradeId);
    const changes = { quantity: exit.quantity, ...desk.sellNow(pos.symbol, reason === EMERGENCY_REASON) };
    this.workingSince.set(exit.localId, nowMs);
    const r = await desk.modify(exit, changes);
    if (r.ok) return this.recordExit(pos, exit, changes);
    if (!isRefusal(r.error)) return this.retryLater(exit);
    desk.alert(
      "warning",
      `exit ${exit.tag} of ${pos.tradeId} could not be repriced (${r.error.message}): placing it again`,
    );
    await desk.cancel(exit, `exit of ${pos.tradeId} unfilled after ${desk.config.exitRepriceMs / 1000} s`);
  }

  private async convert(
    pos: StoredPosition,
    stop: StoredOrder,
    v: TradeView,
    emergency: boolean,
  ): Promise<void> {
    const { desk } = this;
    const now = desk.clock.now();
    if ((this.modifying.get(stop.localId) ?? 0) > now) return;
    const changes: OrderChanges = {
      quantity: stop.filledQuantity + v.held,
      ...desk.sellNow(pos.symbol, emergency),
    };
    this.modifying.set(stop.localId, Number.POSITIVE_INFINITY);
    crashPoint("before-modify:EXIT");
    const r = await desk.modify(stop, changes);
    crashPoint("after-modify:EXIT");
    this.modifying.set(stop.localId, desk.clock.now() + MODIFY_CONFIRM_MS);
    if (r.ok) {
      this.unanswered.delete(stop.localId);
      this.workingSince.set(stop.localId, desk.clock.now());
      return this.recordExit(pos, stop, changes);
    }
    if (!isRefusal(r.error)) {
      // The stop keeps protecting meanwhile: cancelling it now would leave nothing resting.
      desk.alertOnce(
        `unanswered:${stop.localId}`,
        "warning",
        `stop ${stop.tag} of ${pos.tradeId}: modification into the exit unanswered (${r.error.message}): retrying`,
      );
      return this.retryLater(stop);
    }
    this.conversionRefused.add(stop.localId);
    desk.alert(
      "warning",
      `stop ${stop.tag} of ${pos.tradeId} could not become the exit (${r.error.message}): cancelling it, then selling`,
    );
    desk.markDirty(pos.tradeId);
  }

  private retryLater(order: StoredOrder): void {
    const failures = (this.unanswered.get(order.localId) ?? 0) + 1;
    this.unanswered.set(order.localId, failures);
    // Not sooner than the book could show an uncertain one that landed.
    const delay = Math.min(RETRY_MAX_MS, MODIFY_CONFIRM_MS * 2 ** (failures - 1));
    this.modifying.set(order.localId, this.desk.clock.now() + delay);
  }

  /** What the broker accepted, on the order (type, price) and the position (its exit). */
  private recordExit(pos: StoredPosition, order: StoredOrder, changes: OrderChanges): void {
    const { desk } = this;
    desk.store.transaction(() => {
      desk.store.orders.recordModification(order.localId, {
        type: changes.type ?? order.type,
        quantity: changes.quantity ?? order.quantity,
        price: changes.price ?? null,
        triggerPrice: null,
        marketProtection: changes.marketProtection ?? null,
      });
      const current = desk.store.positions.byTradeId(pos.tradeId);
      if (current) desk.writePosition(current, { exitOrderId: order.localId });
    });
    desk.markDirty(pos.tradeId);
  }

  private async putStopBack(pos: StoredPosition, v: TradeView): Promise<void> {
    const { desk } = this;
    this.gaveUp.add(pos.tradeId);
    const placed = await this.stops.placeStop(pos, v, true);
    desk.alertOnce(
      `exit:${pos.tradeId}`,
      "critical",
      `trade ${pos.tradeId}: ${v.exitAttempts} exits failed, ${v.held} of ${pos.symbol} still held: ` +
        `${placed === "placed" ? "a protective stop is back at the broker" : "NO stop could be placed"}: act at the broker`,
    );
  }

  private finish(pos: StoredPosition, v: TradeView, reason: string): void {
    const { desk } = this;
    const tradeId = pos.tradeId;
    const sells = [...v.stops, ...v.exits].filter((o) => o.filledQuantity > 0);
    const last = pos.exitOrderId ?? v.exits.at(-1)?.localId ?? null;
    const closed = desk.store.transaction(() => desk.store.positions.close(tradeId, last));
    if (!closed) return;
    this.gaveUp.delete(tradeId);
    if (v.bought === 0) {
      desk.emit("entry_failed", { tradeId, reason: `exit (${reason}) before any fill` });
      return;
    }
    const quantity = sells.reduce((n, o) => n + o.filledQuantity, 0);
    const value = sells.reduce((n, o) => n + o.filledQuantity * o.averagePrice, 0);
    const averagePrice = quantity > 0 ? Math.round((value / quantity) * 100) / 100 : 0;
    desk.emit("exit_filled", { tradeId, quantity, averagePrice, reason });
  }
}
