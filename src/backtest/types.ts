import type { Candle } from "../domain/candle.js";
import type { IsoDate } from "../domain/ist.js";
import type { PivotLevels, Structure } from "../domain/pivots.js";
import type { SignalRecord, Trade } from "../strategy/types.js";

/** The original system's daily-summary figures, plus charges and net P&L. */
export interface SummaryFigures {
  total_trades: number;
  wins: number;
  losses: number;
  /** Percent of trades with positive gross P&L; 0 without trades. */
  win_rate: number;
  gross_pnl: number;
  charges: number;
  net_pnl: number;
  /** Largest peak-to-trough fall of cumulative net P&L (after charges), rupees (>= 0). */
  max_drawdown: number;
  trades_by_scenario: { "1": number; "2": number; "3": number };
  first_candle_entries: number;
  intraday_entries: number;
  stop_losses: number;
  targets: number;
  timeouts: number;
  eod_exits: number;
  max_daily_loss_exits: number;
}

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
}

/** The result of `pivot backtest --json`. */
export interface BacktestResult {
  trades: Trade[];
  signals: SignalRecord[];
  days: DayResult[];
  summary: SummaryFigures & { days: number; from: IsoDate | null; to: IsoDate | null; candles: number };
}

/** Candles of one contract on one day, for charts: looked up by the report. */
export type CandleLookup = (symbol: string, date: IsoDate) => readonly Candle[];
