/** One OHLC candle of a contract on one trading day; `start` is minutes since midnight IST. */
export interface Candle {
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Body size of a candle in percent of its open: `|close - open| / open * 100` (0 when open is 0). */
export function candleSize(c: Candle): number {
  return c.open === 0 ? 0 : (Math.abs(c.close - c.open) / c.open) * 100;
}

/** A candle is green when it closes above its open. */
export function isGreen(c: Candle): boolean {
  return c.close > c.open;
}

/** The daily high, low and close (and first open) of a day's candles, in time order. */
export interface DailyBar {
  open: number;
  high: number;
  low: number;
  close: number;
}

/** Aggregates a day's candles into its daily bar; null for an empty day. */
export function dailyBarOf(candles: readonly Candle[]): DailyBar | null {
  const first = candles[0];
  const last = candles[candles.length - 1];
  if (!first || !last) return null;
  let high = first.high;
  let low = first.low;
  for (const c of candles) {
    if (c.high > high) high = c.high;
    if (c.low < low) low = c.low;
  }
  return { open: first.open, high, low, close: last.close };
}

/**
 * Sorts a day's candles by start (stable) and drops the later of candles with the same start,
 * in place. Returns how many were dropped.
 */
export function sortAndDropRepeatedStarts(list: Candle[]): number {
  list.sort((a, b) => a.start - b.start);
  let w = 0;
  for (const c of list) {
    if (w > 0 && (list[w - 1] as Candle).start === c.start) continue;
    list[w++] = c;
  }
  const removed = list.length - w;
  list.length = w;
  return removed;
}
