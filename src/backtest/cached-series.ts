import type { Candle, DailyBar } from "../domain/candle.js";
import { CandleSeries } from "../domain/candle-series.js";
import type { IsoDate } from "../domain/ist.js";
import type { CandleData } from "./candle-directory.js";

/*
 * The candles of the parsed-candle cache, in a compact form read in one piece and used where it
 * lies: every series is a view of the bytes read, nothing is copied or converted up front. On
 * this kind of machine touching fresh memory is what costs (a backtest's candles are tens of
 * megabytes), so the fewer bytes the better.
 *
 * Most series hold prices of at most two decimals, whole minutes and whole volumes: those are
 * kept as six int32 a candle (prices × 100), half the bytes of float64, and read through
 * CentsCandleSeries, which divides by 100 as a value is read: checked at encoding time to give
 * the very double the CSV parse gave. A series with any value that would not come back
 * exactly (more decimals, a volume beyond int32, -0) is kept as float64.
 */

/** Values stored per candle: start, open, high, low, close, volume. */
const STRIDE = 6;
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

/** Encodes every series of `data`, each as int32 when it comes back exactly, else as float64. */
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
    for (const [symbol, series] of data.byDay.get(date) as Map<string, CandleSeries>) {
      let s = symbolIndex.get(symbol);
      if (s === undefined) {
        s = symbolIndex.size;
        symbolIndex.set(symbol, s);
      }
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
      rows.push(d, s, exact ? INT32 : FLOAT64, exact ? intCandles : floatCandles, series.length);
      if (exact) intCandles += series.length;
      else {
        inexact.push(series);
        floatCandles += series.length;
      }
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
 * The data set of an encoding, every series a view of its region. Throws when the table does
 * not fit the regions.
 */
export function decodeCandles(encoded: EncodedCandles): Map<IsoDate, Map<string, CandleSeries>> {
  const { table, dates, symbols } = encoded;
  const byDay = new Map<IsoDate, Map<string, CandleSeries>>();
  const decoder = new SeriesDecoder(encoded);
  for (let row = 0; row < table.length; row += TABLE_STRIDE) {
    const date = dates[table[row] as number];
    const symbol = symbols[table[row + 1] as number];
    const kind = table[row + 2] as number;
    const end = ((table[row + 3] as number) + (table[row + 4] as number)) * STRIDE;
    const region = kind === INT32 ? encoded.ints : kind === FLOAT64 ? encoded.floats : null;
    if (date === undefined || symbol === undefined || !region || end > region.length) {
      throw new Error("the cache's series table does not match its candles");
    }
    let day = byDay.get(date);
    if (!day) {
      day = new Map();
      byDay.set(date, day);
    }
    day.set(symbol, decoder.decode(row));
  }
  return byDay;
}

/** Decodes the series of an encoding: float64 ones as views, int32 ones as views read in cents. */
class SeriesDecoder {
  constructor(private readonly encoded: EncodedCandles) {}

  decode(row: number): CandleSeries {
    const { table, ints, floats } = this.encoded;
    const length = table[row + 4] as number;
    const from = (table[row + 3] as number) * STRIDE;
    const to = from + length * STRIDE;
    return table[row + 2] === FLOAT64
      ? new CandleSeries(floats.subarray(from, to), length)
      : new CentsCandleSeries(ints, from, length);
  }
}

const NO_VALUES = new Float64Array(0);

/**
 * A series read straight from the cache's int32 candles (prices in cents): nothing is copied
 * or converted until a value is read, and a value read is the very double the CSV parse gave
 * (see encodeCandles). Every method of CandleSeries is overridden (a test checks it): the
 * base class's own storage is empty.
 */
export class CentsCandleSeries extends CandleSeries {
  /** Candle `i` is at `cents[from + i * 6]`: an offset rather than a view, one object less a series. */
  constructor(
    private readonly cents: Int32Array,
    private readonly from: number,
    length: number,
  ) {
    super(NO_VALUES, length);
  }

  override startAt(i: number): number {
    return this.cents[this.from + i * STRIDE] as number;
  }

  override openAt(i: number): number {
    return (this.cents[this.from + i * STRIDE + 1] as number) / 100;
  }

  override sizeAt(i: number): number {
    const k = this.from + i * STRIDE;
    const open = (this.cents[k + 1] as number) / 100;
    const close = (this.cents[k + 4] as number) / 100;
    return open === 0 ? 0 : (Math.abs(close - open) / open) * 100;
  }

  override readInto(i: number, into: Candle): Candle {
    const v = this.cents;
    const k = this.from + i * STRIDE;
    into.start = v[k] as number;
    into.open = (v[k + 1] as number) / 100;
    into.high = (v[k + 2] as number) / 100;
    into.low = (v[k + 3] as number) / 100;
    into.close = (v[k + 4] as number) / 100;
    into.volume = v[k + 5] as number;
    return into;
  }

  override dailyBar(): DailyBar | null {
    if (this.length === 0) return null;
    const v = this.cents;
    const first = this.from;
    let high = v[first + 2] as number;
    let low = v[first + 3] as number;
    for (let k = first + STRIDE; k < first + this.length * STRIDE; k += STRIDE) {
      if ((v[k + 2] as number) > high) high = v[k + 2] as number;
      if ((v[k + 3] as number) < low) low = v[k + 3] as number;
    }
    const close = v[first + (this.length - 1) * STRIDE + 4] as number;
    return { open: (v[first + 1] as number) / 100, high: high / 100, low: low / 100, close: close / 100 };
  }

  override fitsGrid(intervalMinutes: number, sessionStart: number, sessionEnd: number): boolean {
    for (let k = this.from; k < this.from + this.length * STRIDE; k += STRIDE) {
      const start = this.cents[k] as number;
      if (start < sessionStart || start >= sessionEnd) return false;
      const slot = (start - sessionStart) / intervalMinutes; // as CandleSeries: no `%`
      if (slot !== Math.floor(slot)) return false;
    }
    return true;
  }

  override slice(from: number, to: number): CandleSeries {
    return new CentsCandleSeries(this.cents, this.from + from * STRIDE, to - from);
  }

  override at(i: number): Candle {
    return this.readInto(i, { start: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 });
  }

  override toCandles(): Candle[] {
    const out = new Array<Candle>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.at(i);
    return out;
  }
}
