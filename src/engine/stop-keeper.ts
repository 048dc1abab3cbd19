import type { StoredOrder, StoredPosition } from "../ports/store-records.js";
import type { OrderDesk } from "./order-desk.js";
import type { Exposure } from "./order-manager-types.js";
import { MAX_ATTEMPTS, roundDownToTick } from "./order-tags.js";
import { coveredQuantity, isLive, REFUSED, type TradeView, viewOf } from "./trade-view.js";

/*
 * The protective stop: one live SL order covering what a trade holds (placed, resized, placed
 * again). The never-naked invariant is measured here: a holding not covered by a resting stop
 * or exit is exposure, reported by `exposures()` and alerted past `NAKED_LIMIT_MS`.
 */

/** The "safer" trigger of a stop retried after a rejection: this far below the last price. */
const SAFER_TRIGGER_PCT = 3;
/** A resize answered yes but not seen in the book after this long is sent again. */
const RESIZE_CONFIRM_MS = 5_000;
const RESIZE_BACKOFF_FIRST_MS = 1_000;
const RESIZE_BACKOFF_MAX_MS = 30_000;
/** The invariant: a held quantity is covered by a resting protective order within this. */
export const NAKED_LIMIT_MS = 2_000;

/** The reason given to an exit decided because no stop can rest. */
export const EMERGENCY_REASON = "EMERGENCY";

interface Resize {
  wanted: number;
  failures: number;
  nextAtMs: number;
}

export class StopKeeper {
  private readonly resizes = new Map<number, Resize>();
  private readonly uncoveredSince = new Map<string, number>();
  /** Trades whose missing stop reconciliation is re-placing (for the event). */
  readonly replacingMissing = new Set<string>();

  constructor(private readonly desk: OrderDesk) {}

  /** Keeps one live protective stop covering what is held; no stop possible → emergency exit. */
  async ensureStop(pos: StoredPosition, v: TradeView): Promise<void> {
    const tradeId = pos.tradeId;
    const [stop, ...extra] = v.stops.filter(isLive);
    for (const o of extra) await this.desk.cancel(o, `duplicate stop of ${tradeId}`);
    if (stop) return this.keepSize(tradeId, stop, v.held);
    const stopOrders = this.desk.store.orders.byTrade(tradeId).filter((o) => o.purpose === "STOP_LOSS");
    const refused = trailingRefusals(stopOrders);
    if (refused.length >= 2) {
      const why = refused.map((o) => `${o.tag}: ${o.statusMessage ?? o.status}`).join("; ");
      return this.emergencyExit(pos, `two stops refused in a row (${why})`);
    }
    if (v.stopAttempts >= MAX_ATTEMPTS) return this.emergencyExit(pos, "no stop attempts left");
    const placed = await this.placeStop(pos, v, refused.length > 0);
    if (placed === "no price") return this.emergencyExit(pos, "no valid stop price");
  }

  /**
   * Places a protective stop for what is held (also the stop put back when the exits ran out).
   * `safer`: the previous one was refused, so its trigger goes below the last price.
   */
  async placeStop(
    pos: StoredPosition,
    v: TradeView,
    safer = false,
  ): Promise<"placed" | "refused" | "no price"> {
    const { desk } = this;
    const tradeId = pos.tradeId;
    const ltp = desk.ltpOf(pos.symbol);
    let trigger = roundDownToTick(pos.stopLoss * (1 - desk.config.disasterStopPct / 100));
    if (safer || (ltp !== null && trigger >= ltp)) {
      const below = roundDownToTick((ltp ?? trigger) * (1 - SAFER_TRIGGER_PCT / 100));
      if (below < trigger) trigger = below;
      desk.alert("warning", `stop of ${tradeId} placed at a safer trigger ${trigger} (last price ${ltp})`);
    }
    const price = roundDownToTick(trigger * (1 - desk.config.stopLimitGapPct / 100));
    if (!(price >= 0.05)) return "no price";
    const reconciling = this.replacingMissing.has(tradeId);
    const placed = await desk.place(
      { tradeId, purpose: "STOP_LOSS", attempt: v.stopAttempts },
      {
        exchange: desk.config.exchange,
        tradingsymbol: pos.symbol,
        side: "SELL",
        type: "SL",
        quantity: v.held,
        product: desk.config.product,
        triggerPrice: trigger,
        price,
      },
    );
    this.replacingMissing.delete(tradeId);
    const now = desk.store.orders.byLocalId(placed.localId);
    if (!now || REFUSED.has(now.status)) return "refused";
    desk.emit("stop_placed", { tradeId, tag: placed.tag, quantity: v.held, triggerPrice: trigger, price });
    if (reconciling) desk.emit("stop_missing_replaced", { tradeId, tag: placed.tag });
    return "placed";
  }

  /** Grows a stop that covers less than the holding; a refused or unconfirmed resize is retried with backoff. */
  private async keepSize(tradeId: string, stop: StoredOrder, held: number): Promise<void> {
    const { desk } = this;
    const wanted = stop.filledQuantity + held;
    if (stop.quantity - stop.filledQuantity >= held) {
      this.resizes.delete(stop.localId);
      desk.rearm(`resize:${tradeId}`);
      return;
    }
    const now = desk.clock.now();
    const last = this.resizes.get(stop.localId);
    if (last && last.wanted === wanted && now < last.nextAtMs) return;
    const failures = last?.wanted === wanted ? last.failures : 0;
    // Held back until the answer: a step meanwhile must not send it twice.
    this.resizes.set(stop.localId, { wanted, failures, nextAtMs: Number.POSITIVE_INFINITY });
    const r = await desk.modify(stop, { quantity: wanted });
    if (r.ok) {
      desk.store.orders.recordModification(stop.localId, { ...stop, quantity: wanted });
      this.resizes.set(stop.localId, { wanted, failures, nextAtMs: desk.clock.now() + RESIZE_CONFIRM_MS });
      desk.markDirty(tradeId);
      return;
    }
    const delay = Math.min(RESIZE_BACKOFF_MAX_MS, RESIZE_BACKOFF_FIRST_MS * 2 ** failures);
    this.resizes.set(stop.localId, { wanted, failures: failures + 1, nextAtMs: desk.clock.now() + delay });
    desk.alertOnce(
      `resize:${tradeId}`,
      "critical",
      `stop of ${tradeId} could not grow to ${wanted}: ${r.error.message} (retrying)`,
    );
  }

  private emergencyExit(pos: StoredPosition, why: string): void {
    const { desk } = this;
    desk.alert(
      "critical",
      `trade ${pos.tradeId} cannot be protected (${why}): selling ${pos.symbol} at once at market`,
    );
    desk.markClosing(pos, EMERGENCY_REASON);
    desk.emit("emergency_exit", { tradeId: pos.tradeId, reason: why });
    desk.markDirty(pos.tradeId);
  }

  /** Every held quantity not covered by a resting stop or exit, with since when (measured now). */
  exposures(nowMs: number = this.desk.clock.now()): Exposure[] {
    const out: Exposure[] = [];
    const seen = new Set<string>();
    for (const pos of this.desk.store.positions.open()) {
      const v = viewOf(this.desk.store.orders.byTrade(pos.tradeId));
      const covered = coveredQuantity(v);
      if (v.held <= 0 || covered >= v.held) continue;
      seen.add(pos.tradeId);
      const sinceMs = this.uncoveredSince.get(pos.tradeId) ?? nowMs;
      this.uncoveredSince.set(pos.tradeId, sinceMs);
      out.push({
        tradeId: pos.tradeId,
        symbol: pos.symbol,
        held: v.held,
        covered,
        uncovered: v.held - covered,
        sinceMs,
      });
    }
    for (const id of [...this.uncoveredSince.keys()]) {
      if (seen.has(id)) continue;
      this.uncoveredSince.delete(id);
      this.desk.rearm(`naked:${id}`);
    }
    return out;
  }

  /** Alerts each exposure older than the invariant allows (once per episode). */
  checkInvariant(nowMs: number): void {
    for (const e of this.exposures(nowMs)) {
      if (nowMs - e.sinceMs < NAKED_LIMIT_MS) continue;
      this.desk.alertOnce(
        `naked:${e.tradeId}`,
        "critical",
        `trade ${e.tradeId}: ${e.uncovered} of ${e.symbol} held without a resting stop or exit for ${Math.round((nowMs - e.sinceMs) / 1000)} s`,
      );
    }
  }
}

/** The stop orders refused one after another at the end of the list. */
function trailingRefusals(stops: StoredOrder[]): StoredOrder[] {
  const out: StoredOrder[] = [];
  for (let i = stops.length - 1; i >= 0; i--) {
    const o = stops[i] as StoredOrder;
    if (!REFUSED.has(o.status)) break;
    out.unshift(o);
  }
  return out;
}
