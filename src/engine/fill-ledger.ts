/*
 * The service's book of what the broker filled. It listens to the order manager's fill events
 * and, for each, records the trade's fill figures (from the store's orders: every fill of every
 * order, volume-weighted), tells the strategy what really happened, and tells the trader:
 *
 * - an entry filled: the strategy holds the quantity bought, and reckons its loss limit from
 *   the fill price;
 * - an exit filled: the trade's P&L from the fills replaces the model's in the day's loss limit;
 *   when the exit was not the strategy's own (the protective stop filled at the broker, panic, an
 *   exit whose reason was lost over a restart), the strategy's position is closed at once at the
 *   fill price with a reason of its own (STOP_FILLED, PANIC, EMERGENCY, MANUAL);
 * - a close by hand (the broker flat): the strategy's position is closed as MANUAL.
 *
 * The exit message goes once both halves are known: the strategy's trade is closed and the
 * broker's position is closed, whichever comes last.
 */

import type { ChargeRates } from "../domain/charges.js";
import type { StoredTrade } from "../domain/trade.js";
import { slippageOf, type TradeFills, tradeFills } from "../domain/trade-fills.js";
import type { FillFigures, Notification } from "../ports/notifier.js";
import type { Store } from "../ports/store.js";
import type { LiveDay } from "./live-day.js";
import type { OrderManager } from "./order-manager.js";
import { outsideExitReason } from "./outside-exit.js";

export interface FillLedgerDeps {
  store: Store;
  rates: ChargeRates;
  /** The day in progress (null outside market hours). */
  day: () => LiveDay | null;
  tell: (n: Notification) => void;
  log: (line: string) => void;
  /** Something the operator must know (a fill that could not be recorded). */
  warn: (message: string) => void;
  /** A trade's record changed (the dashboard re-reads it). */
  changed: (tradeId: string) => void;
}

/** See the file comment. */
export class FillLedger {
  private readonly told = new Set<string>();

  constructor(private readonly d: FillLedgerDeps) {}

  /** Listens to the order manager's fill events. */
  attach(om: OrderManager): void {
    om.on("entry_filled", (e) =>
      this.safely(e.tradeId, () => this.entryFilled(e.tradeId, e.quantity, e.averagePrice)),
    );
    om.on("exit_filled", (e) =>
      this.safely(e.tradeId, () => this.exitFilled(e.tradeId, e.averagePrice, e.reason)),
    );
    om.on("manual_close", (e) => this.safely(e.tradeId, () => this.manualClose(e.tradeId)));
    // A partial fill of the entry is already a holding: the record shows it while the rest waits.
    om.on("partial_fill", (e) =>
      this.safely(e.tradeId, () => {
        this.record(e.tradeId);
        this.d.changed(e.tradeId);
      }),
    );
  }

  /** The order manager emits from its step: a failure here is reported, never thrown into it. */
  private safely(tradeId: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.d.warn(`recording the fills of ${tradeId} failed: ${(e as Error).message ?? String(e)}`);
    }
  }

  /** Records a trade's fill figures from its orders as the store holds them now. */
  record(tradeId: string): TradeFills {
    const fills = tradeFills(this.d.store.orders.byTrade(tradeId), this.d.rates);
    this.d.store.trades.recordFills(tradeId, fills);
    return fills;
  }

  /**
   * A day resumed after a restart replays the strategy's own decisions, at the model's prices:
   * the fills recorded before the restart are given to it again, so that its loss limit counts
   * the real P&L and an open position reckons from its fill price.
   */
  resumed(day: LiveDay): void {
    for (const t of this.d.store.trades.byDate(day.date)) {
      if (t.status === "CLOSED" && t.fill_pnl_rupees !== null)
        day.setRealisedPnl(t.trade_id, t.fill_pnl_rupees);
      else if (t.status === "OPEN" && t.filled_quantity && t.entry_fill_price !== null)
        day.setFilledQuantity(t.trade_id, t.filled_quantity, t.entry_fill_price);
    }
  }

  /**
   * The strategy decided an exit: its message goes now when the broker's position is already
   * closed (the exit came from outside), else when the exit fills.
   */
  strategyExited(tradeId: string): void {
    this.tellExitWhenComplete(tradeId);
  }

  private entryFilled(tradeId: string, quantity: number, averagePrice: number): void {
    this.d.log(`entry of ${tradeId} filled: ${quantity} at ${averagePrice}`);
    const fills = this.record(tradeId);
    // A partial fill kept after the timeout: the trade is what was bought, not what was asked.
    this.d.day()?.setFilledQuantity(tradeId, quantity, fills.entryPrice ?? averagePrice);
    this.d.changed(tradeId);
  }

  private exitFilled(tradeId: string, averagePrice: number, reason: string): void {
    this.d.log(`exit of ${tradeId} filled at ${averagePrice} (${reason})`);
    const fills = this.record(tradeId);
    const day = this.d.day();
    const outside = outsideExitReason(reason);
    if (outside) day?.closeFromOutside(tradeId, outside, fills.exitPrice ?? averagePrice);
    if (fills.grossPnl !== null) day?.setRealisedPnl(tradeId, fills.grossPnl);
    this.tellExitWhenComplete(tradeId);
    this.d.changed(tradeId);
  }

  private manualClose(tradeId: string): void {
    this.record(tradeId);
    this.d.day()?.closeFromOutside(tradeId, "MANUAL", null);
    this.tellExitWhenComplete(tradeId);
    this.d.changed(tradeId);
  }

  private tellExitWhenComplete(tradeId: string): void {
    if (this.told.has(tradeId)) return;
    const trade = this.d.store.trades.byId(tradeId);
    const position = this.d.store.positions.byTradeId(tradeId);
    // No position: nothing reached the broker, nothing to tell. Not closed: the fills are to come.
    if (trade?.status !== "CLOSED" || position?.state !== "CLOSED") return;
    this.told.add(tradeId);
    this.d.tell({
      kind: "exit",
      tradeId,
      symbol: trade.symbol,
      time: trade.exit_time,
      reason: trade.exit_reason,
      exitPrice: trade.exit_price,
      pnlPoints: trade.pnl_points,
      pnlRupees: trade.pnl_rupees,
      netPnlRupees: trade.net_pnl_rupees,
      fills: fillFiguresOf(trade),
    });
  }
}

/** A stored trade's fill figures for a message (null when nothing filled). */
export function fillFiguresOf(t: StoredTrade): FillFigures | null {
  if (t.filled_quantity === null || t.filled_quantity === 0) return null;
  const s = slippageOf(t);
  return {
    quantity: t.filled_quantity,
    entryPrice: t.entry_fill_price,
    exitPrice: t.exit_fill_price,
    grossPnl: t.fill_pnl_rupees,
    charges: t.fill_charges,
    netPnl: t.fill_net_pnl_rupees,
    entrySlippage: s.entryPerUnit,
    exitSlippage: s.exitPerUnit,
    slippageRupees: s.rupees,
  };
}
