/*
 * The trading service's voice: alerts (free text with a level, for the log and the dashboard)
 * and the trader's notifications (typed, for Telegram), composed from the day's events. Neither
 * sink ever stops the day: a failing one is swallowed here.
 */

import type { EventEmitter } from "node:events";
import { dayNumber, type IsoDate } from "../domain/ist.js";
import { roundForDisplay } from "../domain/pivots.js";
import type { Clock } from "../ports/clock.js";
import type { Notification, Notifier } from "../ports/notifier.js";
import type { Store } from "../ports/store.js";
import type { OpenPosition, Trade } from "../strategy/types.js";
import { entryUnfilledNotice } from "./entry-unfilled.js";
import type { AlertLevel, OrderManager } from "./order-manager.js";
import type { PreparedDay } from "./pre-market.js";
import type { TradingServiceEvents } from "./trading-service-deps.js";

export interface ServiceNoticesDeps {
  /** Alerts for the log and the dashboard. */
  notify: (level: AlertLevel, message: string) => void;
  /** The trader's notifications (default: none). */
  notifier?: Notifier | undefined;
  clock: Clock;
  store: Pick<Store, "orders" | "trades">;
  /** The service's live events: every alert is one. */
  events: EventEmitter<TradingServiceEvents>;
}

/** See the file comment. */
export class ServiceNotices {
  constructor(private readonly d: ServiceNoticesDeps) {}

  /**
   * Listens to the order manager's alerts, entries filled or ended unfilled, and order problems
   * (rejections, partial fills).
   */
  attach(om: OrderManager): void {
    om.on("alert", ({ level, message }) => this.notify(level, message));
    om.on("entry_filled", (e) => this.entryFilled(e.tradeId, e.quantity, e.averagePrice));
    // A refused entry is told by entryUnfilled (one message: the contract, its fate, Kite's words).
    om.on("order_rejected", (e) => {
      if (e.purpose !== "ENTRY") this.orderProblem(e.tag, "rejected", e.message);
    });
    om.on("entry_failed", (e) => this.entryUnfilled(e.tradeId, e.reason));
    om.on("partial_fill", (e) => {
      const tag = this.d.store.orders.byTrade(e.tradeId).find((o) => o.purpose === "ENTRY")?.tag;
      if (tag) this.orderProblem(tag, "partly_filled", null);
    });
  }

  /** An alert; a critical one is also told to the trader as an error. */
  notify(level: AlertLevel, message: string): void {
    try {
      this.d.notify(level, message);
      this.d.events.emit("alert", level, message);
    } catch {
      // a failing sink must not stop the day
    }
    if (level === "critical") this.tell({ kind: "error", at: this.d.clock.now(), message, context: null });
  }

  /** A notification for the trader; a failing notifier never stops the day. */
  tell(n: Notification): void {
    try {
      this.d.notifier?.notify(n);
    } catch {
      // the notifier promises not to throw; this is the belt to its braces
    }
  }

  /** The day prepared before the open: its spot, ATM, expiry and universe. */
  preMarket(date: IsoDate, d: PreparedDay): void {
    this.notify(
      "info",
      `${date} pre-market: spot ${d.spot} (${d.spotSource}), ATM ${d.plan.atm}, expiry ${d.plan.expiry}, ${d.plan.contracts.length} contracts`,
    );
    this.tell({
      kind: "pre_market",
      date,
      spot: d.spot,
      atm: d.plan.atm,
      expiry: d.plan.expiry,
      daysToExpiry: dayNumber(d.plan.expiry) - dayNumber(date),
      universe: d.setups.map((c) => ({
        symbol: c.symbol,
        strike: c.strike,
        optionType: c.optionType,
        structure: c.structure,
        r1: c.pivots ? roundForDisplay(c.pivots.R1) : null,
      })),
    });
  }

  /**
   * The strategy entered: `quantity` is what goes to the broker (lot-scaling.ts). Logged now;
   * the trader's message waits for the fill (entryFilled), as the exit's does.
   */
  entry(p: OpenPosition, quantity: number): void {
    this.notify(
      "info",
      `ENTRY ${p.trade_id} ${p.symbol} ×${quantity} at ~${p.entry_price}, SL ${p.stop_loss}, target ${p.target}`,
    );
  }

  /**
   * The entry filled: the trader is told the price the broker filled (volume-weighted over the
   * entry's fills) with the model's beside it. Built from the stored trade, so an entry that
   * fills after a restart is told too. An entry that never fills is told by entryUnfilled.
   */
  entryFilled(tradeId: string, quantity: number, averagePrice: number): void {
    const t = this.d.store.trades.byId(tradeId);
    if (!t) return;
    this.tell({
      kind: "entry",
      tradeId,
      symbol: t.symbol,
      scenario: t.scenario,
      time: t.entry_time,
      entry: t.entry_price,
      stop: t.stop_loss,
      target: t.target,
      quantity,
      reason: `scenario ${t.scenario}${t.first_candle_entry ? ", first candle" : ""}${t.re_entry ? ", re-entry" : ""}`,
      fill: { quantity, price: averagePrice },
    });
  }

  /**
   * An entry that ended with nothing bought (cancelled, rejected, refused, never placed): the
   * trader is told once (the outbox keys it by trade) which contract, what became of it and why.
   */
  entryUnfilled(tradeId: string, reason: string, symbol?: string): void {
    const n = entryUnfilledNotice(this.d.store, { tradeId, reason, symbol }, this.d.clock.now());
    if (n) this.tell(n);
  }

  /** The strategy exited (its message to the trader waits for the fill: fill-ledger.ts). */
  exit(t: Trade): void {
    this.notify(
      "info",
      `EXIT ${t.trade_id} ${t.symbol} ${t.exit_reason} at ~${t.exit_price} (${t.pnl_rupees})`,
    );
  }

  /** An order of the order manager was rejected or filled in part. */
  orderProblem(tag: string, problem: "rejected" | "partly_filled", message: string | null): void {
    const o = this.d.store.orders.byTag(tag);
    if (!o) return;
    this.tell({
      kind: "order_problem",
      problem,
      tag,
      tradeId: o.tradeId,
      symbol: o.tradingsymbol,
      side: o.side,
      quantity: o.quantity,
      filledQuantity: o.filledQuantity,
      message,
      at: this.d.clock.now(),
    });
  }
}
