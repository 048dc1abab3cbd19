/**
 * Helpers for the StrategyDay unit tests: candles, contract setups, parameters and a recording
 * listener. Expectations in the tests are worked out by hand from STRATEGY.md; these helpers
 * only build inputs.
 */
import { defaultConfig } from "../../src/config/load.js";
import type { Candle } from "../../src/domain/candle.js";
import {
  classicPivots,
  type HighLowClose,
  type PivotLevels,
  type Structure,
} from "../../src/domain/pivots.js";
import { strategyParamsFrom } from "../../src/strategy/params.js";
import { StrategyDay } from "../../src/strategy/strategy-day.js";
import type {
  ContractSetup,
  OpenPosition,
  SignalRecord,
  StrategyListener,
  StrategyParams,
  Trade,
} from "../../src/strategy/types.js";

export const DATE = "2025-09-05";
export const INTERVAL = 3;

/** Minutes since midnight IST. */
export const hm = (h: number, m: number): number => h * 60 + m;

/** 09:15, the first candle's start. */
export const FIRST = hm(9, 15);

/** The start of the n-th candle of the day (0 = 09:15). */
export const nth = (n: number): number => FIRST + n * INTERVAL;

/** ISO close-time string of a candle close at `minute`. */
export const iso = (minute: number): string => {
  const h = Math.floor(minute / 60);
  const m = minute % 60;
  return `${DATE}T${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:00+05:30`;
};

/**
 * Previous-day bar H=120, L=80, C=110. By hand:
 * PP = 310/3 = 103.333.., R1 = 2PP - L = 126.666.., S1 = 2PP - H = 86.666..,
 * R2 = PP + 40 = 143.333.., R3 = H + 2(PP - L) = 166.666.., R4 = R3 + (R2 - R1) = 183.333..,
 * R5 = R4 + (R3 - R2) = 206.666.., S2 = 63.333.., S3 = L - 2(H - PP) = 46.666..
 * a = R1 - PP = 23.33, b = PP - S1 = 16.67, |a - b| = 6.67 >= 5 → BULLISH.
 */
export const HLC: HighLowClose = { high: 120, low: 80, close: 110 };
export const P: PivotLevels = classicPivots(HLC);

export interface CandleOpts {
  high?: number;
  low?: number;
}

/** A candle starting at `start`; high/low default to the body's extremes. */
export function bar(start: number, open: number, close: number, opts: CandleOpts = {}): Candle {
  return {
    start,
    open,
    high: opts.high ?? Math.max(open, close),
    low: opts.low ?? Math.min(open, close),
    close,
    volume: 100,
  };
}

export interface SetupOpts {
  hlc?: HighLowClose | null;
  structure?: Structure | null;
  priorSizes?: readonly number[];
  quantity?: number;
  strike?: number;
}

/** Twenty prior candles of 1% each: the significance threshold is exactly 1. */
export const ONES: readonly number[] = Array.from({ length: 20 }, () => 1);

/** A contract setup; defaults: the H=120/L=80/C=110 pivots, BULLISH, priorSizes 20 × 1%, quantity 20. */
export function setup(symbol: string, opts: SetupOpts = {}): ContractSetup {
  const hlc = opts.hlc === undefined ? HLC : opts.hlc;
  return {
    symbol,
    strike: opts.strike ?? 80000,
    optionType: "CE",
    quantity: opts.quantity ?? 20,
    pivots: hlc === null ? null : classicPivots(hlc),
    structure: opts.structure === undefined ? "BULLISH" : opts.structure,
    priorSizes: opts.priorSizes ?? ONES,
  };
}

/** The default parameters (defaultConfig()) with overrides. */
export function params(overrides: Partial<StrategyParams> = {}): StrategyParams {
  return { ...strategyParamsFrom(defaultConfig()), ...overrides };
}

/** Records everything the strategy emits. */
export class Recorder implements StrategyListener {
  readonly signals: SignalRecord[] = [];
  readonly entries: OpenPosition[] = [];
  readonly exits: Trade[] = [];
  signal(s: SignalRecord): void {
    this.signals.push(s);
  }
  entry(p: OpenPosition): void {
    this.entries.push({ ...p });
  }
  exit(t: Trade): void {
    this.exits.push({ ...t });
  }
}

/** A StrategyDay with a recorder, fed one close at a time. */
export class Harness {
  readonly rec = new Recorder();
  readonly day: StrategyDay;

  constructor(setups: readonly ContractSetup[], overrides: Partial<StrategyParams> = {}) {
    this.day = new StrategyDay(params(overrides), DATE, setups, this.rec);
  }

  /**
   * Feeds the candles that start at `start` (keyed by symbol, fed in the object's key order),
   * then ends the close at start + interval.
   */
  step(start: number, candles: Record<string, [open: number, close: number, opts?: CandleOpts]>): this {
    for (const [symbol, [open, close, opts]] of Object.entries(candles)) {
      const i = this.day.indexOf(symbol);
      if (i < 0) throw new Error(`unknown symbol ${symbol}`);
      this.day.onCandle(i, bar(start, open, close, opts));
    }
    this.day.onClose(start + INTERVAL);
    return this;
  }

  /** Signals recorded at the close time `minute`. */
  signalsAt(minute: number): SignalRecord[] {
    return this.rec.signals.filter((s) => s.time === iso(minute));
  }
}
