import { formatHhmm } from "../domain/ist.js";
import type { SkipReason, StrategyParams } from "./types.js";

/** The day's state that the entry conditions read. */
export interface GateState {
  /** The symbol of the open position, or null. */
  openSymbol: string | null;
  /** Close time of the last exit (-1 before any). */
  exitedAtClose: number;
  entriesDisabledReason: string | null;
  tradesToday: number;
  stopLossesToday: number;
  /** Rupees, gross. */
  realisedPnl: number;
}

/** Why no entry may be made at a close, in words. */
export interface GateRefusal {
  reason: SkipReason;
  detail: string;
}

/** The first entry condition (STRATEGY.md section 5, 1-6) that fails at this close, or null. */
export function entryGate(p: StrategyParams, s: GateState, closeMinute: number): GateRefusal | null {
  if (s.openSymbol !== null) {
    return { reason: "POSITION_OPEN", detail: `a position in ${s.openSymbol} is open` };
  }
  if (s.exitedAtClose === closeMinute) {
    return { reason: "EXITED_THIS_CLOSE", detail: "a position was closed at this candle close" };
  }
  if (closeMinute >= p.eodExit) {
    return {
      reason: "AFTER_EOD_CUTOFF",
      detail: `close time ${formatHhmm(closeMinute)} is not before the EOD exit time ${formatHhmm(p.eodExit)}`,
    };
  }
  if (s.entriesDisabledReason !== null)
    return { reason: "ENTRIES_DISABLED", detail: s.entriesDisabledReason };
  if (s.tradesToday >= p.maxTradesPerDay) {
    return {
      reason: "MAX_TRADES",
      detail: `${s.tradesToday} trade(s) today, the limit is ${p.maxTradesPerDay}`,
    };
  }
  if (s.stopLossesToday > p.maxReEntries) {
    return {
      reason: "MAX_STOP_LOSSES",
      detail: `${s.stopLossesToday} stop-loss exits today, more than max_re_entries ${p.maxReEntries}`,
    };
  }
  if (!(s.realisedPnl > -p.maxDailyLoss)) {
    return {
      reason: "MAX_DAILY_LOSS",
      detail: `realised P&L ${s.realisedPnl.toFixed(2)} has reached the daily loss limit -${p.maxDailyLoss}`,
    };
  }
  return null;
}
