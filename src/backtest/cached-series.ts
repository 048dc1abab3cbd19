import type { Candle } from "../domain/candle.js";
import { CandleSeries } from "../domain/candle-series.js";
import type { IsoDate } from "../domain/ist.js";
import type { CandleData } from "./candle-directory.js";

/*
 * The candles of the parsed-candle cache, in a compact form read in one piece and decoded only
 * series by series, when a series is first asked for. A backtest of an archive trades ATM ± 500
 * of the ATM ± 1,000 it records: the contracts outside its window are never decoded.
 *
 * Most series hold prices of at most two decimals, whole minutes and whole volumes: those are
 * kept as six int32 a candle (prices × 100), half the bytes of float64. A series with any value
 * that would not come back exactly (more decimals, a volume beyond int32, -0) is kept as
 * float64. Decoding divides by 100 once: the value checked at encoding time, so it is the very
 * double the CSV parse gave.
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
  const exact: CandleSeries[] = [];
  const inexact: CandleSeries[] = [];
  let intCandles = 0;
  let floatCandles = 0;
  const scratch: Candle = { start: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  dates.forEach((date, d) => {
    for (const [symbol, series] of data.byDay.get(date) as Map<string, CandleSeries>) {
      let s = symbolIndex.get(symbol);
      if (s === undefined) {
        s = symbolIndex.size;
        symbolIndex.set(symbol, s);
      }
      const asInt = fitsInt32(series, scratch);
      rows.push(d, s, asInt ? INT32 : FLOAT64, asInt ? intCandles : floatCandles, series.length);
      if (asInt) {
        exact.push(series);
        intCandles += series.length;
      } else {
        inexact.push(series);
        floatCandles += series.length;
      }
    }
  });
  const ints = new Int32Array(intCandles * STRIDE);
  const floats = new Float64Array(floatCandles * STRIDE);
  let k = 0;
  for (const series of exact) {
    for (let i = 0; i < series.length; i++) {
      series.readInto(i, scratch);
      ints[k++] = scratch.start;
      ints[k++] = Math.round(scratch.open * 100);
      ints[k++] = Math.round(scratch.high * 100);
      ints[k++] = Math.round(scratch.low * 100);
      ints[k++] = Math.round(scratch.close * 100);
      ints[k++] = scratch.volume;
    }
  }
  k = 0;
  for (const series of inexact) {
    for (let i = 0; i < series.length; i++) {
      series.readInto(i, scratch);
      floats.set([scratch.start, scratch.open, scratch.high, scratch.low, scratch.close, scratch.volume], k);
      k += STRIDE;
    }
  }
  return { dates, symbols: [...symbolIndex.keys()], table: Int32Array.from(rows), floats, ints };
}

/** True when every value of the series survives the int32 form exactly. */
function fitsInt32(series: CandleSeries, c: Candle): boolean {
  const whole = (v: number) => Object.is(v | 0, v);
  const cents = (v: number) => Object.is((Math.round(v * 100) | 0) / 100, v);
  for (let i = 0; i < series.length; i++) {
    series.readInto(i, c);
    if (!whole(c.start) || !whole(c.volume)) return false;
    if (!cents(c.open) || !cents(c.high) || !cents(c.low) || !cents(c.close)) return false;
  }
  return true;
}

/**
 * The data set of an encoding: every day and symbol is known at once (keys, `has`), a series
 * is decoded the first time it is read. Throws when the table does not fit the regions.
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
    let day = byDay.get(date) as SeriesDecodedOnDemand | undefined;
    if (!day) {
      day = new SeriesDecodedOnDemand(decoder);
      byDay.set(date, day);
    }
    day.pending(symbol, row);
  }
  return byDay;
}

/**
 * One day's series by symbol, each decoded when first read. Until then its entry holds the
 * series' row of the table; every way of reading values (get, iteration, forEach) decodes.
 */
class SeriesDecodedOnDemand extends Map<string, CandleSeries> {
  private undecoded = 0;

  constructor(private readonly decoder: SeriesDecoder) {
    super();
  }

  /** Adds a series not decoded yet, by its row of the table. */
  pending(symbol: string, row: number): void {
    super.set(symbol, row as unknown as CandleSeries);
    this.undecoded++;
  }

  override get(symbol: string): CandleSeries | undefined {
    const entry = super.get(symbol) as CandleSeries | number | undefined;
    return typeof entry === "number" ? this.decode(symbol, entry) : entry;
  }

  override values(): MapIterator<CandleSeries> {
    this.decodeAll();
    return super.values();
  }

  override entries(): MapIterator<[string, CandleSeries]> {
    this.decodeAll();
    return super.entries();
  }

  override [Symbol.iterator](): MapIterator<[string, CandleSeries]> {
    return this.entries();
  }

  override forEach(
    callback: (value: CandleSeries, key: string, map: Map<string, CandleSeries>) => void,
    thisArg?: unknown,
  ): void {
    this.decodeAll();
    super.forEach(callback, thisArg);
  }

  private decodeAll(): void {
    if (this.undecoded === 0) return;
    for (const symbol of this.keys()) this.get(symbol);
  }

  private decode(symbol: string, row: number): CandleSeries {
    const series = this.decoder.decode(row);
    super.set(symbol, series);
    this.undecoded--;
    return series;
  }
}

/** Candles in a block per this many, carved into series: one allocation for hundreds of series. */
const BLOCK_CANDLES = 1 << 16;

/** Decodes series of an encoding into large blocks of float64 (as the CSV loader's CandleStore). */
class SeriesDecoder {
  private block = new Float64Array(0);
  private used = 0;

  constructor(private readonly encoded: EncodedCandles) {}

  decode(row: number): CandleSeries {
    const { table, ints, floats } = this.encoded;
    const length = table[row + 4] as number;
    const from = (table[row + 3] as number) * STRIDE;
    const size = length * STRIDE;
    if (this.used + size > this.block.length) {
      this.block = new Float64Array(Math.max(BLOCK_CANDLES * STRIDE, size));
      this.used = 0;
    }
    const values = this.block.subarray(this.used, this.used + size);
    this.used += size;
    if (table[row + 2] === FLOAT64) values.set(floats.subarray(from, from + size));
    else {
      for (let k = 0; k < size; k += STRIDE) {
        values[k] = ints[from + k] as number;
        values[k + 1] = (ints[from + k + 1] as number) / 100;
        values[k + 2] = (ints[from + k + 2] as number) / 100;
        values[k + 3] = (ints[from + k + 3] as number) / 100;
        values[k + 4] = (ints[from + k + 4] as number) / 100;
        values[k + 5] = ints[from + k + 5] as number;
      }
    }
    return new CandleSeries(values, length);
  }
}
