import type { CandleData } from "../backtest/candle-directory.js";
import type { Candle } from "../domain/candle.js";
import { CandleSeries } from "../domain/candle-series.js";
import type { IsoDate } from "../domain/ist.js";

/** Values stored per candle, as in CandleSeries: start, open, high, low, close, volume. */
const STRIDE = 6;

/**
 * A whole data set in one Float64Array plus a small index: the form in which parsed candles
 * travel to worker threads (over a SharedArrayBuffer, so every worker reads the same memory
 * and nothing is copied) and are kept on disk by the parsed-candle cache.
 */
export interface PackedCandles {
  values: Float64Array;
  /** Per series: its day, its symbol, and where its candles are in `values` (in candles). */
  index: PackedSeries[];
  files: number;
  candles: number;
}

export interface PackedSeries {
  date: IsoDate;
  symbol: string;
  offset: number;
  length: number;
}

/** Packs a data set, into shared memory when `shared` (for worker threads). */
export function packCandles(data: CandleData, shared = true): PackedCandles {
  const index: PackedSeries[] = [];
  let total = 0;
  for (const [date, symbols] of data.byDay) {
    for (const [symbol, series] of symbols) {
      index.push({ date, symbol, offset: total, length: series.length });
      total += series.length;
    }
  }
  const bytes = total * STRIDE * Float64Array.BYTES_PER_ELEMENT;
  const values = new Float64Array(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const scratch: Candle = { start: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  for (const entry of index) {
    const series = data.byDay.get(entry.date)?.get(entry.symbol) as CandleSeries;
    let k = entry.offset * STRIDE;
    for (let i = 0; i < entry.length; i++) {
      series.readInto(i, scratch);
      values[k++] = scratch.start;
      values[k++] = scratch.open;
      values[k++] = scratch.high;
      values[k++] = scratch.low;
      values[k++] = scratch.close;
      values[k++] = scratch.volume;
    }
  }
  return { values, index, files: data.files, candles: data.candles };
}

/** The data set of a pack; every series is a view of the pack's array (nothing is copied). */
export function unpackCandles(packed: PackedCandles): CandleData {
  const byDay = new Map<IsoDate, Map<string, CandleSeries>>();
  for (const { date, symbol, offset, length } of packed.index) {
    let symbols = byDay.get(date);
    if (!symbols) {
      symbols = new Map();
      byDay.set(date, symbols);
    }
    const view = packed.values.subarray(offset * STRIDE, (offset + length) * STRIDE);
    symbols.set(symbol, new CandleSeries(view, length));
  }
  return { byDay, files: packed.files, candles: packed.candles };
}
