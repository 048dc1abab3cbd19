import type { IsoDate } from "./ist.js";
import type { PivotLevels, Structure } from "./pivots.js";
import type { OptionType } from "./symbols.js";

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

/**
 * What the broker filled for a trade (null where nothing is known: a backtest, an entry not
 * filled yet, an exit not filled yet). The P&L figures come once everything bought is sold.
 */
export interface StoredFills {
  filled_quantity: number | null;
  entry_fill_price: number | null;
  exit_fill_price: number | null;
  fill_pnl_rupees: number | null;
  fill_charges: number | null;
  fill_net_pnl_rupees: number | null;
}

/** A trade as stored: closed (a Trade) or still open (the position, with its date), with its fills. */
export type StoredTrade =
  | ({ status: "CLOSED"; lot_size: number | null } & Trade & StoredFills)
  | ({ status: "OPEN"; date: IsoDate; lot_size: number | null } & OpenPosition & StoredFills);
