/**
 * The synthetic market's time grid and candles: a session of candles, each made of SUB_STEPS
 * path points, turned into OHLC rows in integer cents.
 */
import { formatHhmm } from "../domain/ist.js";

export const SESSION_START = 9 * 60 + 15;
/** Session end, also the expiry time of weekly options (15:30 IST). */
export const SESSION_END = 15 * 60 + 30;
/** Path points per candle: the candle's OHLC come from these, so high/low are not just open/close. */
export const SUB_STEPS = 10;

/** Time grid of one session: candle start minutes and the U-shaped variance weight of each path step. */
export interface SessionClock {
  candles: number;
  /** Path points in a day (candles * SUB_STEPS). */
  points: number;
  /** `HH:MM:00+05:30` of each candle start. */
  candleTimes: string[];
  /** Minute of day of each path point. */
  pointMinutes: Float64Array;
  /** Variance weight of the step into each point, mean 1: the market moves most at open and close. */
  weights: Float64Array;
}

export function sessionClock(intervalMinutes: number): SessionClock {
  const candles = Math.floor((SESSION_END - SESSION_START) / intervalMinutes);
  const points = candles * SUB_STEPS;
  const candleTimes: string[] = [];
  for (let i = 0; i < candles; i++)
    candleTimes.push(`${formatHhmm(SESSION_START + i * intervalMinutes)}:00+05:30`);
  const pointMinutes = new Float64Array(points);
  const weights = new Float64Array(points);
  let sum = 0;
  for (let p = 0; p < points; p++) {
    pointMinutes[p] = SESSION_START + (p * intervalMinutes) / SUB_STEPS;
    const t = p / points;
    const w = 1 + 3 * Math.exp(-t / 0.04) + Math.exp(-(1 - t) / 0.05);
    weights[p] = w;
    sum += w;
  }
  for (let p = 0; p < points; p++) weights[p] = (weights[p] as number) * (points / sum);
  return { candles, points, candleTimes, pointMinutes, weights };
}

/** A candle in integer cents, so the CSV never shows float noise. */
export interface Candle {
  open: number;
  high: number;
  low: number;
  close: number;
}

/**
 * The OHLC of candle `i` from its path points. Rounding is monotone, so rounding the first,
 * max, min and last point keeps high >= open, close >= low.
 */
export function candleOf(values: Float64Array, i: number, round: (x: number) => number): Candle {
  const from = i * SUB_STEPS;
  let high = values[from] as number;
  let low = high;
  for (let p = from + 1; p < from + SUB_STEPS; p++) {
    const v = values[p] as number;
    if (v > high) high = v;
    else if (v < low) low = v;
  }
  return {
    open: round(values[from] as number),
    high: round(high),
    low: round(low),
    close: round(values[from + SUB_STEPS - 1] as number),
  };
}

export function toCents(price: number): number {
  return Math.round(price * 100);
}

/** Option premium in cents on the 0.05 tick, never below one tick (the exchange's minimum price). */
export function toTicks(price: number): number {
  return 5 * Math.max(1, Math.round(price * 20));
}

/** Formats integer cents as `123.45`. */
export function cents(value: number): string {
  const whole = Math.floor(value / 100);
  const frac = value - whole * 100;
  return `${whole}.${frac < 10 ? "0" : ""}${frac}`;
}

export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
