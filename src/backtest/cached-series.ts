import type { Candle, DailyBar } from "../domain/candle.js";
import { CandleSeries } from "../domain/candle-series.js";
import type { IsoDate } from "../domain/ist.js";
import type { CandleData } from "./candle-directory.js";

/*
 * The candles of the parsed-candle cache, in a compact form used where it lies: every series is
 * a view of the bytes read, nothing is copied or converted up front. On this kind of machine
 * touching memory is what costs (a backtest's candles are tens of megabytes), so the fewer
 * bytes the better: the int32 candles are read from the file only when a series is first used
 * (its whole day then), or, when a backtest names a day's series before using them
 * (`prefetchSeries`), just those: an archive records ATM ± 1,000 while a backtest trades a
 * narrower window, and needs the candles of only the contracts the strategy can act on.
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

/**
 * Fills `ints[from, to)` (int32 positions of the region) from where the region is kept. With
 * one, `decodeCandles` reads nothing up front: `ints` is the region's size, still untouched.
 */
export type CentsFill = (ints: Int32Array, from: number, to: number) => void;

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

/** A decoded data set: its series by day, and the read-ahead of a day's series (see prefetchSeries). */
export interface DecodedCandles {
  byDay: Map<IsoDate, Map<string, CandleSeries>>;
  prefetch(date: IsoDate, symbols: readonly string[]): void;
}

/** The read-ahead of each lazily read data set, by its `byDay` (kept through copies of the data). */
const readAheads = new WeakMap<object, DecodedCandles["prefetch"]>();

/**
 * Says that the series `symbols` of `date` are about to be used: when the data set is read
 * lazily from the cache, they are read now, one read per run of them that lies together
 * (rather than the whole day when the first is touched). Nothing for any other data set.
 */
export function prefetchSeries(data: CandleData, date: IsoDate, symbols: readonly string[]): void {
  readAheads.get(data.byDay)?.(date, symbols);
}

/**
 * The data set of an encoding, every series a view of its region. With `fill`, the int32
 * region is read on demand (see CentsFill). Throws when the table does not fit the regions.
 */
export function decodeCandles(encoded: EncodedCandles, fill?: CentsFill): DecodedCandles {
  const { table, dates, symbols, ints, floats } = encoded;
  const byDay = new Map<IsoDate, Map<string, CandleSeries>>();
  const lazyDays = new Map<IsoDate, CentsDay>();
  for (let row = 0; row < table.length; row += TABLE_STRIDE) {
    const date = dates[table[row] as number];
    const symbol = symbols[table[row + 1] as number];
    const kind = table[row + 2] as number;
    const from = (table[row + 3] as number) * STRIDE;
    const length = table[row + 4] as number;
    const region = kind === INT32 ? ints : kind === FLOAT64 ? floats : null;
    if (date === undefined || symbol === undefined || !region || from + length * STRIDE > region.length) {
      throw new Error("the cache's series table does not match its candles");
    }
    let day = byDay.get(date);
    if (!day) {
      day = new Map();
      byDay.set(date, day);
    }
    if (kind === FLOAT64) {
      day.set(symbol, new CandleSeries(floats.subarray(from, from + length * STRIDE), length));
      continue;
    }
    let lazy: CentsDay | null = null;
    if (fill) {
      lazy = lazyDays.get(date) ?? null;
      if (!lazy) {
        lazy = new CentsDay(ints, fill);
        lazyDays.set(date, lazy);
      }
    }
    const series = new CentsCandleSeries(ints, from, length, lazy);
    lazy?.add(series);
    day.set(symbol, series);
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
  if (fill) readAheads.set(byDay, prefetch);
  return { byDay, prefetch };
}

/** The int32 series of one day of a lazily read cache, and which of them have been read. */
class CentsDay {
  /** The day's series, read or not. */
  private readonly series: CentsCandleSeries[] = [];

  constructor(
    private readonly ints: Int32Array,
    private readonly fill: CentsFill,
  ) {}

  add(series: CentsCandleSeries): void {
    this.series.push(series);
  }

  /**
   * Reads `series` (all the day's series not read yet when none is named) from the file, one
   * read per run of them that lies together, and marks them read.
   */
  load(series: readonly CentsCandleSeries[] = this.series): void {
    const wanted = [...new Set(series)]
      .filter((s) => s.isUnread())
      .sort((a, b) => a.firstValue - b.firstValue);
    let run: CentsCandleSeries[] = [];
    const readRun = () => {
      const [first, last] = [run[0], run[run.length - 1]];
      if (!first || !last) return;
      this.fill(this.ints, first.firstValue, last.endValue);
      for (const s of run) s.markRead();
      run = [];
    };
    for (const s of wanted) {
      if (run.length > 0 && (run[run.length - 1] as CentsCandleSeries).endValue !== s.firstValue) readRun();
      run.push(s);
    }
    readRun();
  }
}

const NO_VALUES = new Float64Array(0);

/**
 * A series read straight from the cache's int32 candles (prices in cents): nothing is copied
 * or converted until a value is read, and a value read is the very double the CSV parse gave
 * (see encodeCandles). Every method of CandleSeries is overridden (a test checks it): the
 * base class's own storage is empty. A series of a lazily read cache reads its day from the
 * file the first time it is used.
 */
export class CentsCandleSeries extends CandleSeries {
  // Declared, not defined, fields: assigned in the constructor only (a data set has thousands
  // of series, and defining class fields one by one costs more than the rest of a construction).
  /** Candle `i` is at `cents[from + i * 6]`: an offset rather than a view, one object less a series. */
  declare private readonly cents: Int32Array;
  declare private readonly from: number;
  /** The day it is read with, when it is read from the file on demand. */
  declare private readonly day: CentsDay | null;
  /** 1 until its values are in place (a small integer, not a boolean or null: read in every call). */
  declare private unread: number;

  constructor(cents: Int32Array, from: number, length: number, day: CentsDay | null = null) {
    super(NO_VALUES, length);
    this.cents = cents;
    this.from = from;
    this.day = day;
    this.unread = day === null ? 0 : 1;
  }

  /** Where its values start and end in the int32 region. */
  get firstValue(): number {
    return this.from;
  }

  get endValue(): number {
    return this.from + this.length * STRIDE;
  }

  /** Called by its day once its values are in place. */
  markRead(): void {
    this.unread = 0;
  }

  isUnread(): boolean {
    return this.unread !== 0;
  }

  override startAt(i: number): number {
    if (this.unread !== 0) this.day?.load();
    return this.cents[this.from + i * STRIDE] as number;
  }

  override openAt(i: number): number {
    if (this.unread !== 0) this.day?.load();
    return (this.cents[this.from + i * STRIDE + 1] as number) / 100;
  }

  override sizeAt(i: number): number {
    if (this.unread !== 0) this.day?.load();
    const k = this.from + i * STRIDE;
    const open = (this.cents[k + 1] as number) / 100;
    const close = (this.cents[k + 4] as number) / 100;
    return open === 0 ? 0 : (Math.abs(close - open) / open) * 100;
  }

  override readInto(i: number, into: Candle): Candle {
    if (this.unread !== 0) this.day?.load();
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
    if (this.unread !== 0) this.day?.load();
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
    if (this.unread !== 0) this.day?.load();
    for (let k = this.from; k < this.from + this.length * STRIDE; k += STRIDE) {
      const start = this.cents[k] as number;
      if (start < sessionStart || start >= sessionEnd) return false;
      const slot = (start - sessionStart) / intervalMinutes; // as CandleSeries: no `%`
      if (slot !== Math.floor(slot)) return false;
    }
    return true;
  }

  override slice(from: number, to: number): CandleSeries {
    if (this.unread !== 0) this.day?.load();
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
