import type { Candle, DailyBar } from "../domain/candle.js";
import { CandleSeries } from "../domain/candle-series.js";

/*
 * The series of the parsed-candle cache that hold prices in cents (cached-series.ts), and, for
 * a cache read on demand, the days they are read with: a day's series are read from the file
 * when one of them is first used (the whole day), or when a backtest names those it is about
 * to use (just those, in as few reads as lie together), into one of a few buffers that the
 * days read last share.
 */

/** Values stored per candle: start, open, high, low, close, volume. */
export const STRIDE = 6;

/** Reads `into.length` values of the cache's int32 candles, from value `from` of that region. */
export type CentsFill = (into: Int32Array, from: number) => void;

/** Int32 values (16 KB) a read takes in between two series rather than reading twice. */
const READ_GAP = 4096;
/** Days whose candles stay in memory at once. */
const DAYS_KEPT = 4;

/**
 * Memory for the int32 candles of the days read last, reused: on this kind of machine a page
 * of fresh memory costs more to fill than the bytes read into it, and a backtest goes day by
 * day. A day whose buffer is taken for another is read again if it is used again.
 */
export class CentsBuffers {
  /** The days holding a buffer, the one read first first. */
  private readonly resident: CentsDay[] = [];

  /** `size`: values of the largest day. */
  constructor(private readonly size: number) {}

  take(day: CentsDay): Int32Array {
    const oldest = this.resident.length >= DAYS_KEPT ? this.resident.shift() : undefined;
    this.resident.push(day);
    return oldest ? oldest.release() : new Int32Array(this.size);
  }
}

/** The int32 series of one day of a cache read on demand. */
export class CentsDay {
  /** A series is in place when its generation is this one (a day that gives up its buffer moves on). */
  generation = 1;
  private buffer: Int32Array | null = null;
  private readonly series: CentsCandleSeries[] = [];

  /** `start`: where the day's values begin in the file's int32 region; series offsets count from there. */
  constructor(
    private readonly start: number,
    private readonly buffers: CentsBuffers,
    private readonly fill: CentsFill,
  ) {}

  add(series: CentsCandleSeries): void {
    this.series.push(series);
  }

  /** Gives up its buffer (taken for another day): its series are read again when used. */
  release(): Int32Array {
    const buffer = this.buffer as Int32Array;
    this.buffer = null;
    this.generation++;
    return buffer;
  }

  /** Reads every series of the day not in place, and `also` (a series that must be after the call). */
  loadAll(also: CentsCandleSeries): void {
    this.load(this.series.includes(also) ? this.series : [...this.series, also]);
  }

  /**
   * Reads the series of `wanted` not in place: one read per run of them, a run taking in gaps
   * of up to READ_GAP values (a read costs more than a few pages more of it); every series of
   * the day inside a run is then in place too.
   */
  load(wanted: readonly CentsCandleSeries[]): void {
    const missing = [...new Set(wanted)].filter((s) => !s.isInPlace()).sort((a, b) => a.from - b.from);
    const first = missing[0];
    if (!first) return;
    this.buffer ??= this.buffers.take(this);
    const buffer = this.buffer;
    const runs: [number, number][] = [];
    let [from, to] = [first.from, first.from];
    for (const s of missing) {
      if (s.from - to > READ_GAP) {
        runs.push([from, to]);
        from = s.from;
      }
      to = Math.max(to, s.end);
    }
    runs.push([from, to]);
    for (const [a, b] of runs) this.fill(buffer.subarray(a, b), this.start + a);
    for (const s of [...this.series, ...missing]) {
      if (!s.isInPlace() && runs.some(([a, b]) => s.from >= a && s.end <= b))
        s.place(buffer, this.generation);
    }
  }
}

const NO_VALUES = new Float64Array(0);
const NO_CENTS = new Int32Array(0);

/**
 * A series read straight from the cache's int32 candles (prices in cents): nothing is copied
 * or converted until a value is read, and a value read is the very double the CSV parse gave
 * (cached-series.ts checks it when it writes them). Every method of CandleSeries is
 * overridden (a test checks it): the base class's own storage is empty. A series of a cache
 * read on demand has its day read when it is used and is not in place.
 */
export class CentsCandleSeries extends CandleSeries {
  // Declared, not defined, fields: assigned in the constructor only (a data set has thousands
  // of series, and defining class fields one by one costs more than the rest of a construction).
  /** Candle `i` is at `cents[from + i * 6]`: an offset rather than a view, one object less a series. */
  declare private cents: Int32Array;
  declare readonly from: number;
  /** The day it is read with, when it is read from the file on demand. */
  declare private readonly day: CentsDay | null;
  /** Its day's generation when it was put in place (0: never). */
  declare private generation: number;

  constructor(cents: Int32Array | null, from: number, length: number, day: CentsDay | null = null) {
    super(NO_VALUES, length);
    this.cents = cents ?? NO_CENTS;
    this.from = from;
    this.day = day;
    this.generation = 0;
  }

  /** Where its values end (in its day's values, or the region's). */
  get end(): number {
    return this.from + this.length * STRIDE;
  }

  /** True when its values can be read (always, for a series not read on demand). */
  isInPlace(): boolean {
    return this.day === null || this.generation === this.day.generation;
  }

  /** Called by its day once its values are in `cents`. */
  place(cents: Int32Array, generation: number): void {
    this.cents = cents;
    this.generation = generation;
  }

  override startAt(i: number): number {
    if (this.day !== null && this.generation !== this.day.generation) this.day.loadAll(this);
    return this.cents[this.from + i * STRIDE] as number;
  }

  override openAt(i: number): number {
    if (this.day !== null && this.generation !== this.day.generation) this.day.loadAll(this);
    return (this.cents[this.from + i * STRIDE + 1] as number) / 100;
  }

  override sizeAt(i: number): number {
    if (this.day !== null && this.generation !== this.day.generation) this.day.loadAll(this);
    const k = this.from + i * STRIDE;
    const open = (this.cents[k + 1] as number) / 100;
    const close = (this.cents[k + 4] as number) / 100;
    return open === 0 ? 0 : (Math.abs(close - open) / open) * 100;
  }

  override readInto(i: number, into: Candle): Candle {
    if (this.day !== null && this.generation !== this.day.generation) this.day.loadAll(this);
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
    if (this.day !== null && this.generation !== this.day.generation) this.day.loadAll(this);
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
    if (this.day !== null && this.generation !== this.day.generation) this.day.loadAll(this);
    for (let k = this.from; k < this.from + this.length * STRIDE; k += STRIDE) {
      const start = this.cents[k] as number;
      if (start < sessionStart || start >= sessionEnd) return false;
      const slot = (start - sessionStart) / intervalMinutes; // as CandleSeries: no `%`
      if (slot !== Math.floor(slot)) return false;
    }
    return true;
  }

  override slice(from: number, to: number): CandleSeries {
    if (this.day === null) return new CentsCandleSeries(this.cents, this.from + from * STRIDE, to - from);
    // Its own copy: the day's buffer may be taken for another day.
    if (this.generation !== this.day.generation) this.day.loadAll(this);
    const copy = this.cents.slice(this.from + from * STRIDE, this.from + to * STRIDE);
    return new CentsCandleSeries(copy, 0, to - from);
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
