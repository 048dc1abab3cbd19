import type { ChargeRates } from "../domain/charges.js";
import type { PivotLevels, Structure } from "../domain/pivots.js";
import type { OptionType } from "../domain/symbols.js";
import type { OpenPosition, SignalRecord, Trade } from "../domain/trade.js";

// The records of trades and signals belong to the domain (the engine, the web and the reports
// read them too); re-exported here for the strategy's readers.
export type {
  ExitReason,
  OpenPosition,
  OutsideExitReason,
  Scenario,
  SignalRecord,
  SkipReason,
  Trade,
} from "../domain/trade.js";

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

/** Receives what the strategy decides, as it decides it. */
export interface StrategyListener {
  signal(signal: SignalRecord): void;
  entry(position: OpenPosition): void;
  exit(trade: Trade): void;
}
