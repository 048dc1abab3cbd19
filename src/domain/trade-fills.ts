/*
 * The truth of a trade comes from its fills. The strategy's prices are a model (the candle
 * closes it decided on, kept for parity with the backtest); what the account gained or lost is
 * what the broker filled. This module turns a trade's orders (each with its filled quantity and
 * average price) into the trade's fill figures: entry and exit prices volume-weighted over the
 * fills, the quantity, gross P&L, charges (src/domain/charges.ts, brokerage per executed order)
 * and net P&L. Pure: the store and the service feed it.
 */

import { type ChargeRates, DEFAULT_CHARGE_RATES, paise, roundTripCharges } from "./charges.js";

/** An order as the fill figures need it (StoredOrder fits). */
export interface FilledOrder {
  side: "BUY" | "SELL";
  filledQuantity: number;
  averagePrice: number;
}

/** A trade's figures from its fills. Prices are rounded to paise for display; P&L is from the exact values. */
export interface TradeFills {
  /** Bought, over every buy order. */
  quantity: number;
  /** Sold, over every sell order (the stop and the exits). */
  soldQuantity: number;
  /** Volume-weighted average buy price (null before any buy filled). */
  entryPrice: number | null;
  /** Volume-weighted average sell price (null before any sell filled). */
  exitPrice: number | null;
  /** Gross P&L in rupees, once everything bought has been sold (null before). */
  grossPnl: number | null;
  /** Charges of the executed orders, once closed (null before). */
  charges: number | null;
  netPnl: number | null;
}

/** The fill figures of a trade's orders (orders without fills count for nothing). */
export function tradeFills(
  orders: readonly FilledOrder[],
  rates: ChargeRates = DEFAULT_CHARGE_RATES,
): TradeFills {
  let bought = 0;
  let buyValue = 0;
  let sold = 0;
  let sellValue = 0;
  let executed = 0;
  for (const o of orders) {
    if (!(o.filledQuantity > 0)) continue;
    executed++;
    if (o.side === "BUY") {
      bought += o.filledQuantity;
      buyValue += o.filledQuantity * o.averagePrice;
    } else {
      sold += o.filledQuantity;
      sellValue += o.filledQuantity * o.averagePrice;
    }
  }
  const entry = bought > 0 ? buyValue / bought : null;
  const exit = sold > 0 ? sellValue / sold : null;
  const closed = entry !== null && exit !== null && sold === bought;
  let grossPnl: number | null = null;
  let charges: number | null = null;
  if (closed) {
    grossPnl = paise(sellValue - buyValue);
    // roundTripCharges counts two orders; a trade bought or sold over more pays each one's brokerage.
    const perOrder = { ...rates, brokeragePerOrder: (rates.brokeragePerOrder * executed) / 2 };
    charges = roundTripCharges(entry, exit, sold, perOrder).total;
  }
  return {
    quantity: bought,
    soldQuantity: sold,
    entryPrice: entry === null ? null : paise(entry),
    exitPrice: exit === null ? null : paise(exit),
    grossPnl,
    charges,
    netPnl: grossPnl === null || charges === null ? null : paise(grossPnl - charges),
  };
}

/** A trade's model and fill figures, as stored (StoredTrade fits). */
export interface ModelAndFills {
  entry_price: number;
  exit_price?: number;
  pnl_rupees?: number;
  charges?: number;
  net_pnl_rupees?: number;
  entry_fill_price: number | null;
  exit_fill_price: number | null;
  fill_pnl_rupees: number | null;
  fill_charges: number | null;
  fill_net_pnl_rupees: number | null;
}

/** Slippage of one trade: fill minus model (negative costs the account). */
export interface Slippage {
  /** Per unit at the entry: what was paid above the model (positive costs). */
  entryPerUnit: number | null;
  /** Per unit at the exit: what was received above the model (negative costs). */
  exitPerUnit: number | null;
  /** Gross P&L from the fills minus the model's (null until both are known). */
  rupees: number | null;
}

/** The slippage of a trade (nulls where the fills or the model exit are not known yet). */
export function slippageOf(t: ModelAndFills): Slippage {
  return {
    entryPerUnit: t.entry_fill_price === null ? null : paise(t.entry_fill_price - t.entry_price),
    exitPerUnit:
      t.exit_fill_price === null || t.exit_price === undefined
        ? null
        : paise(t.exit_fill_price - t.exit_price),
    rupees:
      t.fill_pnl_rupees === null || t.pnl_rupees === undefined
        ? null
        : paise(t.fill_pnl_rupees - t.pnl_rupees),
  };
}

/** What a closed trade really made: its fill figures, or the model's when it has none (a backtest). */
export function realisedOf(
  t: ModelAndFills & { pnl_rupees: number; charges: number; net_pnl_rupees: number },
): {
  gross: number;
  charges: number;
  net: number;
  fromFills: boolean;
} {
  if (t.fill_pnl_rupees !== null && t.fill_charges !== null && t.fill_net_pnl_rupees !== null)
    return { gross: t.fill_pnl_rupees, charges: t.fill_charges, net: t.fill_net_pnl_rupees, fromFills: true };
  return { gross: t.pnl_rupees, charges: t.charges, net: t.net_pnl_rupees, fromFills: false };
}
