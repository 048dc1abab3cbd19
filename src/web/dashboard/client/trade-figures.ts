/*
 * What the trades table shows of a trade: the account's P&L (from the broker's fills when
 * known, else the strategy's model), each price as filled with the model's beside it, and the
 * slippage (fill minus model). Pure, so it is tested without a browser.
 */

import type { StoredTrade } from "../../../domain/trade.js";
import { slippageOf } from "../../../domain/trade-fills.js";

/** A price as filled, with the model's when the fill differs from it. */
export interface ShownPrice {
  price: number;
  /** The strategy's price, when a fill is shown and differs from it (null otherwise). */
  model: number | null;
}

export interface TradeRow {
  /** Net P&L of a closed trade (null while open). */
  net: number | null;
  /** True when `net` comes from the fills. */
  netFromFills: boolean;
  entry: ShownPrice;
  /** Null while open. */
  exit: ShownPrice | null;
  /** Fill minus model in rupees, and a unit at each end (null where unknown). */
  slippage: { rupees: number | null; entryPerUnit: number | null; exitPerUnit: number | null };
}

function shown(fill: number | null, model: number): ShownPrice {
  if (fill === null) return { price: model, model: null };
  return { price: fill, model: fill === model ? null : model };
}

/** The figures of one row of the trades table. */
export function tradeRow(t: StoredTrade): TradeRow {
  const s = slippageOf(t);
  const slippage = { rupees: s.rupees, entryPerUnit: s.entryPerUnit, exitPerUnit: s.exitPerUnit };
  const entry = shown(t.entry_fill_price, t.entry_price);
  if (t.status !== "CLOSED") return { net: null, netFromFills: false, entry, exit: null, slippage };
  const fromFills = t.fill_net_pnl_rupees !== null;
  return {
    net: t.fill_net_pnl_rupees ?? t.net_pnl_rupees,
    netFromFills: fromFills,
    entry,
    exit: shown(t.exit_fill_price, t.exit_price),
    slippage,
  };
}
