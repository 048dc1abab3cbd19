import type { Candle } from "../domain/candle.js";
import type { IsoDate } from "../domain/ist.js";
import type { PivotLevels, Structure } from "../domain/pivots.js";
import type { SummaryFigures } from "../domain/summary.js";
import type { SignalRecord, Trade } from "../domain/trade.js";
import type { PerformanceMetrics } from "../lab/metrics.js";

// Declared beside `summarize`, which computes them; re-exported for the backtest's readers.
export type { SummaryFigures } from "../domain/summary.js";

/** One universe contract of a backtest day, for the report's charts. */
export interface DayContract {
  symbol: string;
  structure: Structure | null;
  pivots: PivotLevels | null;
}

/** What a backtest day held and did. */
export interface DayResult extends SummaryFigures {
  date: IsoDate;
  /** How the universe was chosen: the underlying's ATM window, or every contract in the data. */
  universe_source: "ATM_WINDOW" | "ALL_CONTRACTS";
  spot_open: number | null;
  atm: number | null;
  expiry: IsoDate | null;
  contracts: number;
  contracts_with_pivots: number;
  bullish_contracts: number;
  signals: number;
  candles: number;
  /** Candle closes the strategy saw (for the exposure metric). */
  closes: number;
}

/** The result of `pivot backtest --json`. */
export interface BacktestResult {
  trades: Trade[];
  signals: SignalRecord[];
  days: DayResult[];
  summary: BacktestSummary;
}

/** The whole run's figures: the daily-summary figures and the performance metrics. */
export type BacktestSummary = SummaryFigures &
  PerformanceMetrics & { days: number; from: IsoDate | null; to: IsoDate | null; candles: number };

/** Candles of one contract on one day, for charts: looked up by the report. */
export type CandleLookup = (symbol: string, date: IsoDate) => readonly Candle[];
