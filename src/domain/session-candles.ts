import { candleStartOf } from "./calendar.js";
import type { Candle } from "./candle.js";

/**
 * A day's candles on the session's candle grid: candles outside [sessionStart, sessionEnd)
 * are dropped, and finer candles (1-minute data for 3-minute rules) are merged into their
 * interval. Returns the input itself when it already fits, which is the usual case.
 */
export function toSessionCandles(
  candles: readonly Candle[],
  intervalMinutes: number,
  sessionStart: number,
  sessionEnd: number,
): readonly Candle[] {
  let fits = true;
  for (const c of candles) {
    if (c.start < sessionStart || c.start >= sessionEnd || (c.start - sessionStart) % intervalMinutes !== 0) {
      fits = false;
      break;
    }
  }
  if (fits) return candles;
  const out: Candle[] = [];
  let current: Candle | null = null;
  for (const c of candles) {
    if (c.start < sessionStart || c.start >= sessionEnd) continue;
    const start = candleStartOf(c.start, intervalMinutes, sessionStart);
    if (current && current.start === start) {
      if (c.high > current.high) current.high = c.high;
      if (c.low < current.low) current.low = c.low;
      current.close = c.close;
      current.volume += c.volume;
    } else {
      current = { start, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume };
      out.push(current);
    }
  }
  return out;
}
