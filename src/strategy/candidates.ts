import type { Candle } from "../domain/candle.js";
import { roundForDisplay } from "../domain/pivots.js";
import type { GateRefusal } from "./entry-gate.js";
import type { ContractSetup, Scenario, SignalRecord, SkipReason } from "./types.js";

/** A candle that matched a scenario at the current close, waiting for the gate and ranking. */
export interface Candidate {
  /** Index of the contract in the day's universe. */
  contract: number;
  setup: ContractSetup;
  candle: Candle;
  scenario: Scenario;
  firstCandle: boolean;
  size: number;
  threshold: number;
  target: number;
  /** Set when the scenario matched but its target is not above the close. */
  targetNotAbove: boolean;
}

/** Largest size first; ties to the lower scenario, then the symbol that sorts first. */
export function rankCandidates(a: Candidate, b: Candidate): number {
  if (a.size !== b.size) return b.size - a.size;
  if (a.scenario !== b.scenario) return a.scenario - b.scenario;
  return bySymbol(a, b);
}

export function bySymbol(a: Candidate, b: Candidate): number {
  const x = a.setup.symbol;
  const y = b.setup.symbol;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** What became of the candidates of one close: the one taken (if any) and why the others were not. */
export interface CloseDecision {
  date: string;
  /** The close time, ISO 8601 with +05:30. */
  time: string;
  chosen: Candidate | undefined;
  tradeId: string | null;
  gate: GateRefusal | null;
}

/** The signal record of a candidate at a close. */
export function signalRecord(x: Candidate, d: CloseDecision): SignalRecord {
  const taken = x === d.chosen;
  let reason: SkipReason | null = null;
  let detail: string;
  if (taken) detail = `entered as trade ${d.tradeId}`;
  else if (x.targetNotAbove) {
    reason = "TARGET_NOT_ABOVE_ENTRY";
    detail = `scenario ${x.scenario} target ${fmt(x.target)} is not above the close ${fmt(x.candle.close)}`;
  } else if (d.gate) {
    reason = d.gate.reason;
    detail = d.gate.detail;
  } else {
    reason = "OUTRANKED";
    detail = `${d.chosen?.setup.symbol} was taken (size ${(d.chosen?.size ?? 0).toFixed(4)}%, scenario ${d.chosen?.scenario})`;
  }
  return {
    date: d.date,
    time: d.time,
    symbol: x.setup.symbol,
    scenario: x.scenario,
    first_candle: x.firstCandle,
    open: x.candle.open,
    high: x.candle.high,
    low: x.candle.low,
    close: x.candle.close,
    size: round4(x.size),
    threshold: round4(x.threshold),
    entry_price: x.candle.close,
    stop_loss: x.candle.low,
    target: roundForDisplay(x.target),
    action: taken ? "TAKEN" : "SKIPPED",
    reason,
    detail,
    trade_id: taken ? d.tradeId : null,
  };
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
const fmt = (x: number) => x.toFixed(2);
