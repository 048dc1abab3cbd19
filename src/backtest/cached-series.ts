import type { Candle } from "../domain/candle.js";
import { CandleSeries } from "../domain/candle-series.js";
import type { IsoDate } from "../domain/ist.js";
import type { CandleData } from "./candle-directory.js";
import { CentsBuffers, CentsCandleSeries, CentsDay, type CentsFill, STRIDE } from "./cents-series.js";

export { CentsCandleSeries, type CentsFill } from "./cents-series.js";

/*
 * The candles of the parsed-candle cache, in a compact form used where it lies: every series is
 * a view of the bytes read, nothing is copied or converted up front. On this kind of machine
 * touching memory is what costs (a backtest's candles are tens of megabytes), so the fewer
 * bytes the better: the int32 candles are read from the file only when a series is first used
 * (its whole day then), or, when a backtest names a day's series before using them
 * (`CandleData.prefetch`), just those: an archive records ATM ± 1,000 while a backtest trades a
 * narrower window, and needs the candles of only the contracts the strategy can act on.
 *
 * Most series hold prices of at most two decimals, whole minutes and whole volumes: those are
 * kept as six int32 a candle (prices × 100), half the bytes of float64, and read through
 * CentsCandleSeries, which divides by 100 as a value is read: checked at encoding time to give
 * the very double the CSV parse gave. A series with any value that would not come back
 * exactly (more decimals, a volume beyond int32, -0) is kept as float64.
 */

/** Numbers per series in the table: date, symbol, kind, offset (in candles of its region), length. */
export const TABLE_STRIDE = 5;
const INT32 = 0;
const FLOAT64 = 1;

/** A data set in the cache's form: a table of series and two regions of candles. */
export interface EncodedCandles {
  dates: IsoDate[];
  symbols: string[];
  table: Int32Array;
  floats: Float64Array;
  ints: Int32Array;
}

/**
 * Encodes every series of `data`, each as int32 when it comes back exactly, else as float64.
 * The table lists a day's series in the data's order; their int32 candles are laid out in
 * strike order (inStrikeOrder), so that a strike window lies together.
 */
export function encodeCandles(data: CandleData): EncodedCandles {
  const dates = [...data.byDay.keys()];
  const symbolIndex = new Map<string, number>();
  const rows: number[] = [];
  const inexact: CandleSeries[] = [];
  let total = 0;
  for (const symbols of data.byDay.values()) for (const series of symbols.values()) total += series.length;
  // One pass: each series is written as int32 while it is checked, and taken back if it fails.
  const ints = new Int32Array(total * STRIDE);
  let intCandles = 0;
  let floatCandles = 0;
  const c: Candle = { start: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  dates.forEach((date, d) => {
    const day = data.byDay.get(date) as Map<string, CandleSeries>;
    const placed = new Map<string, [kind: number, offset: number]>();
    for (const symbol of inStrikeOrder(day.keys())) {
      const series = day.get(symbol) as CandleSeries;
      let k = intCandles * STRIDE;
      let exact = true;
      for (let i = 0; i < series.length && exact; i++) {
        series.readInto(i, c);
        ints[k++] = c.start;
        ints[k++] = Math.round(c.open * 100);
        ints[k++] = Math.round(c.high * 100);
        ints[k++] = Math.round(c.low * 100);
        ints[k++] = Math.round(c.close * 100);
        ints[k++] = c.volume;
        exact =
          ints[k - 6] === c.start &&
          ints[k - 1] === c.volume &&
          (ints[k - 5] as number) / 100 === c.open &&
          (ints[k - 4] as number) / 100 === c.high &&
          (ints[k - 3] as number) / 100 === c.low &&
          (ints[k - 2] as number) / 100 === c.close &&
          !hasNegativeZero(c);
      }
      if (exact) {
        placed.set(symbol, [INT32, intCandles]);
        intCandles += series.length;
      } else {
        placed.set(symbol, [FLOAT64, floatCandles]);
        inexact.push(series);
        floatCandles += series.length;
      }
    }
    for (const [symbol, series] of day) {
      let s = symbolIndex.get(symbol);
      if (s === undefined) {
        s = symbolIndex.size;
        symbolIndex.set(symbol, s);
      }
      const [kind, offset] = placed.get(symbol) as [number, number];
      rows.push(d, s, kind, offset, series.length);
    }
  });
  const floats = new Float64Array(floatCandles * STRIDE);
  let k = 0;
  for (const series of inexact) {
    for (let i = 0; i < series.length; i++) {
      series.readInto(i, c);
      floats[k++] = c.start;
      floats[k++] = c.open;
      floats[k++] = c.high;
      floats[k++] = c.low;
      floats[k++] = c.close;
      floats[k++] = c.volume;
    }
  }
  return {
    dates,
    symbols: [...symbolIndex.keys()],
    table: Int32Array.from(rows),
    floats,
    ints: ints.subarray(0, intCandles * STRIDE),
  };
}

/** True when a value of the candle is -0 (which int32 would bring back as 0). */
function hasNegativeZero(c: Candle): boolean {
  const negativeZero = (v: number) => v === 0 && 1 / v < 0;
  return (
    negativeZero(c.start) ||
    negativeZero(c.open) ||
    negativeZero(c.high) ||
    negativeZero(c.low) ||
    negativeZero(c.close) ||
    negativeZero(c.volume)
  );
}

/**
 * Symbols in the order their candles are laid out: shorter first, then by text. For the
 * contracts of one expiry (`SENSEX2591899900CE`, `SENSEX25918100000CE`) that is strike order,
 * CE before PE, across a change in the strike's digits: a strike window lies together.
 */
export function inStrikeOrder(symbols: Iterable<string>): string[] {
  return [...symbols].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
}

/** A decoded data set: its series by day, and the read-ahead of a day's series (CandleData.prefetch). */
export interface DecodedCandles {
  byDay: Map<IsoDate, Map<string, CandleSeries>>;
  prefetch(date: IsoDate, symbols: readonly string[]): void;
}

/**
 * The data set of an encoding, every series a view of its region. With `onDemand`, the int32
 * candles (`onDemand.values` of them) are read when used, through `fill` (cents-series.ts), and
 * `encoded.ints` is not looked at. Throws when the table does not fit the regions.
 */
export function decodeCandles(
  encoded: EncodedCandles,
  onDemand?: { fill: CentsFill; values: number },
): DecodedCandles {
  const { table, dates, symbols, ints, floats } = encoded;
  const intValues = onDemand ? onDemand.values : ints.length;
  // Each day's int32 values lie together: where they begin, and the largest day (for the buffers).
  const dayStart = new Float64Array(dates.length).fill(Number.POSITIVE_INFINITY);
  const dayEnd = new Float64Array(dates.length);
  for (let row = 0; row < table.length; row += TABLE_STRIDE) {
    if (table[row + 2] !== INT32) continue;
    const d = table[row] as number;
    const from = (table[row + 3] as number) * STRIDE;
    dayStart[d] = Math.min(dayStart[d] as number, from);
    dayEnd[d] = Math.max(dayEnd[d] as number, from + (table[row + 4] as number) * STRIDE);
  }
  let largest = 0;
  for (let d = 0; d < dates.length; d++)
    largest = Math.max(largest, (dayEnd[d] as number) - (dayStart[d] as number));
  const buffers = new CentsBuffers(largest);
  const byDay = new Map<IsoDate, Map<string, CandleSeries>>();
  const lazyDays = new Map<IsoDate, CentsDay>();
  // The table lists a day's series together: the day's map (and its lazy day) carried from row to row.
  let dayIndex = -1;
  let day = new Map<string, CandleSeries>();
  let lazy: CentsDay | null = null;
  for (let row = 0; row < table.length; row += TABLE_STRIDE) {
    const d = table[row] as number;
    const date = dates[d];
    const symbol = symbols[table[row + 1] as number];
    const kind = table[row + 2] as number;
    const from = (table[row + 3] as number) * STRIDE;
    const length = table[row + 4] as number;
    const regionLength = kind === INT32 ? intValues : kind === FLOAT64 ? floats.length : -1;
    if (date === undefined || symbol === undefined || from + length * STRIDE > regionLength) {
      throw new Error("the cache's series table does not match its candles");
    }
    if (d !== dayIndex) {
      dayIndex = d;
      day = byDay.get(date) ?? new Map();
      byDay.set(date, day);
      lazy = lazyDays.get(date) ?? null;
    }
    if (kind === FLOAT64) {
      day.set(symbol, new CandleSeries(floats.subarray(from, from + length * STRIDE), length));
    } else if (!onDemand) {
      day.set(symbol, new CentsCandleSeries(ints, from, length));
    } else {
      const start = dayStart[d] as number;
      if (!lazy) {
        lazy = new CentsDay(start, buffers, onDemand.fill);
        lazyDays.set(date, lazy);
      }
      const series = new CentsCandleSeries(null, from - start, length, lazy);
      lazy.add(series);
      day.set(symbol, series);
    }
  }
  const prefetch = (date: IsoDate, wanted: readonly string[]) => {
    const day = byDay.get(date);
    const lazy = lazyDays.get(date);
    if (!day || !lazy) return;
    const series: CentsCandleSeries[] = [];
    for (const symbol of wanted) {
      const s = day.get(symbol);
      if (s instanceof CentsCandleSeries) series.push(s);
    }
    lazy.load(series);
  };
  return { byDay, prefetch };
}
