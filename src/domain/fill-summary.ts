/*
 * Summaries from what the broker filled: the day's, the week's and the month's figures count
 * each closed trade's P&L from its fills (trade-fills.ts), and the model's only for
 * a trade without fills (a backtest, a database from before the fills were recorded). The
 * slippage (fills minus model) is added up beside them.
 */

import { paise } from "./charges.js";
import type { SummaryFigures } from "./summary.js";
import { summarize } from "./summary.js";
import type { StoredTrade, Trade } from "./trade.js";
import { realisedOf, slippageOf } from "./trade-fills.js";

type ClosedTrade = Extract<StoredTrade, { status: "CLOSED" }>;

/** Figures of a period with its slippage. */
export interface FillSummary {
  figures: SummaryFigures;
  /** Gross P&L from the fills minus the model's, over the trades with fills (null: none had). */
  slippageRupees: number | null;
}

/** The closed trades of a list, in order. */
export function closedTrades(trades: readonly StoredTrade[]): ClosedTrade[] {
  return trades.filter((t): t is ClosedTrade => t.status === "CLOSED");
}

/** A closed trade with its P&L figures taken from its fills (when it has them). */
export function asRealisedTrade(t: ClosedTrade): Trade {
  const r = realisedOf(t);
  return { ...t, pnl_rupees: r.gross, charges: r.charges, net_pnl_rupees: r.net };
}

/** The summary of the closed trades among `trades`, P&L from fills. */
export function fillSummary(trades: readonly StoredTrade[]): FillSummary {
  const closed = closedTrades(trades);
  let slippage: number | null = null;
  for (const t of closed) {
    const s = slippageOf(t).rupees;
    if (s !== null) slippage = (slippage ?? 0) + s;
  }
  return {
    figures: summarize(closed.map(asRealisedTrade)),
    slippageRupees: slippage === null ? null : paise(slippage),
  };
}
