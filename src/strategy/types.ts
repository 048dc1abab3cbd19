import type { ChargeRates } from "../domain/charges.js";
import type { IsoDate } from "../domain/ist.js";
import type { PivotLevels, Structure } from "../domain/pivots.js";
import type { OptionType } from "../domain/symbols.js";

/** The three entry scenarios of STRATEGY.md section 5. */
export type Scenario = 1 | 2 | 3;

/**
 * Why a position was closed (STRATEGY.md section 6). The last four are live-only: a fill that
 * ended the position outside the strategy's own exit (the protective stop filled at the broker,
 * panic, an emergency exit because no protective stop could rest, a close by hand).
 */
export type ExitReason =
  | "STOP_LOSS"
  | "TARGET"
  | "TIMEOUT"
  | "EOD"
  | "MAX_DAILY_LOSS"
  | "STOP_FILLED"
  | "PANIC"
  | "EMERGENCY"
  | "MANUAL";

/** The live-only exits: the position ended at the broker, outside the strategy's own exit. */
export type OutsideExitReason = Extract<ExitReason, "STOP_FILLED" | "PANIC" | "EMERGENCY" | "MANUAL">;

/** Why a signal was not acted on. */
export type SkipReason =
  | "POSITION_OPEN"
  | "EXITED_THIS_CLOSE"
  | "AFTER_EOD_CUTOFF"
  | "ENTRIES_DISABLED"
  | "MAX_TRADES"
  | "MAX_STOP_LOSSES"
  | "MAX_DAILY_LOSS"
  | "OUTRANKED"
  | "TARGET_NOT_ABOVE_ENTRY";

/** The rule parameters, taken from the configuration once (see `strategyParamsFrom`). */
export interface StrategyParams {
  /** Session start and first candle start, minutes since midnight IST (09:15). */
  sessionStart: number;
  /** No entry at or after this close time; positions close here (15:15). */
  eodExit: number;
  intervalMinutes: number;
  candleSizePercentile: number;
  /** Number of previous candles in the significance window (20). */
  windowSize: number;
  maxCandlesTimeout: number;
  maxReEntries: number;
  maxTradesPerDay: number;
  /** Rupees, gross. */
  maxDailyLoss: number;
  charges: ChargeRates;
}

/** A contract of the day's universe, as the strategy needs it. */
export interface ContractSetup {
  symbol: string;
  strike: number;
  optionType: OptionType;
  /** lots × lot size. */
  quantity: number;
  /** Levels from the previous trading day; null means the contract is not traded today. */
  pivots: PivotLevels | null;
  structure: Structure | null;
  /** Sizes of this contract's most recent candles before today, oldest first (the last `windowSize` count). */
  priorSizes: readonly number[];
}

/** The open position, as the strategy tracks it. */
export interface OpenPosition {
  trade_id: string;
  symbol: string;
  strike: number;
  option_type: OptionType;
  scenario: Scenario;
  first_candle_entry: boolean;
  structure: Structure;
  re_entry: boolean;
  entry_time: string;
  entry_price: number;
  stop_loss: number;
  target: number;
  quantity: number;
  candles_held: number;
  /** Rounded levels, for reports and records. */
  pivots: PivotLevels;
}

/** A closed trade (the original system's trade record, extended). */
export interface Trade extends OpenPosition {
  date: IsoDate;
  exit_time: string;
  exit_price: number;
  exit_reason: ExitReason;
  pnl_points: number;
  pnl_rupees: number;
  charges: number;
  net_pnl_rupees: number;
}

/** A candle that met the signal rules, with what was done about it and why. */
export interface SignalRecord {
  date: IsoDate;
  /** The candle's close time, ISO 8601 with +05:30. */
  time: string;
  symbol: string;
  scenario: Scenario;
  first_candle: boolean;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Candle body size in percent. */
  size: number;
  /** The significance threshold the size was compared with. */
  threshold: number;
  entry_price: number;
  stop_loss: number;
  target: number;
  action: "TAKEN" | "SKIPPED";
  reason: SkipReason | null;
  detail: string;
  trade_id: string | null;
}

/** Receives what the strategy decides, as it decides it. */
export interface StrategyListener {
  signal(signal: SignalRecord): void;
  entry(position: OpenPosition): void;
  exit(trade: Trade): void;
}
