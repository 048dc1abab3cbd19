import type { Candle, DailyBar } from "./candle.js";

/** Values stored per candle: start, open, high, low, close, volume. */
const STRIDE = 6;

/**
 * One contract's candles of one day, stored in a single Float64Array. A backtest keeps every
 * candle of its data set in memory (close to a million), and as objects each candle costs an
 * allocation plus boxed doubles that the garbage collector copies as they age; as one array
 * per series they cost almost nothing. Candle objects are made on demand with `toCandles()`.
 */
export class CandleSeries {
  /** `values` holds `length` candles of six numbers each: start, open, high, low, close, volume. */
  constructor(
    private readonly values: Float64Array,
    readonly length: number,
  ) {}

  /** A series holding `candles`, in their order. */
  static of(candles: readonly Candle[]): CandleSeries {
    const b = new CandleSeriesBuilder(candles.length);
    for (const c of candles) b.push(c.start, c.open, c.high, c.low, c.close, c.volume);
    return b.build();
  }

  /** Start (minutes since midnight IST) of candle `i`. */
  startAt(i: number): number {
    return this.values[i * STRIDE] as number;
  }

  /** Open of candle `i`. */
  openAt(i: number): number {
    return this.values[i * STRIDE + 1] as number;
  }

  /** Body size of candle `i` in percent of its open, as `candleSize`. */
  sizeAt(i: number): number {
    const open = this.values[i * STRIDE + 1] as number;
    const close = this.values[i * STRIDE + 4] as number;
    return open === 0 ? 0 : (Math.abs(close - open) / open) * 100;
  }

  /** Copies candle `i` into `into` (no allocation) and returns it. */
  readInto(i: number, into: Candle): Candle {
    const v = this.values;
    const k = i * STRIDE;
    into.start = v[k] as number;
    into.open = v[k + 1] as number;
    into.high = v[k + 2] as number;
    into.low = v[k + 3] as number;
    into.close = v[k + 4] as number;
    into.volume = v[k + 5] as number;
    return into;
  }

  /** The day's first open, highest high, lowest low and last close; null when empty. */
  dailyBar(): DailyBar | null {
    if (this.length === 0) return null;
    const v = this.values;
    let high = v[2] as number;
    let low = v[3] as number;
    for (let k = STRIDE; k < this.length * STRIDE; k += STRIDE) {
      if ((v[k + 2] as number) > high) high = v[k + 2] as number;
      if ((v[k + 3] as number) < low) low = v[k + 3] as number;
    }
    return { open: v[1] as number, high, low, close: v[(this.length - 1) * STRIDE + 4] as number };
  }

  /** True when every candle starts on the session's candle grid, inside the session. */
  fitsGrid(intervalMinutes: number, sessionStart: number, sessionEnd: number): boolean {
    for (let k = 0; k < this.length * STRIDE; k += STRIDE) {
      const start = this.values[k] as number;
      if (start < sessionStart || start >= sessionEnd) return false;
      // A division and a floor rather than `%` (a floating-point remainder, many times slower):
      // minutes of a day are small integers, so the quotient is whole exactly when it divides.
      const slot = (start - sessionStart) / intervalMinutes;
      if (slot !== Math.floor(slot)) return false;
    }
    return true;
  }

  /** The candles from `from` to `to` (excluded), sharing this series' storage. */
  slice(from: number, to: number): CandleSeries {
    return new CandleSeries(this.values.subarray(from * STRIDE, to * STRIDE), to - from);
  }

  /** Candle `i` as an object. */
  at(i: number): Candle {
    const v = this.values;
    const k = i * STRIDE;
    return {
      start: v[k] as number,
      open: v[k + 1] as number,
      high: v[k + 2] as number,
      low: v[k + 3] as number,
      close: v[k + 4] as number,
      volume: v[k + 5] as number,
    };
  }

  /** Every candle as an object, in order. */
  toCandles(): Candle[] {
    const out = new Array<Candle>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.at(i);
    return out;
  }
}

/** Appends candles to a growing array and seals them into a CandleSeries. */
export class CandleSeriesBuilder {
  private values: Float64Array;
  length = 0;

  constructor(capacity = 128) {
    this.values = new Float64Array(Math.max(1, capacity) * STRIDE);
  }

  /** Appends one candle. */
  push(start: number, open: number, high: number, low: number, close: number, volume: number): void {
    let v = this.values;
    const k = this.length * STRIDE;
    if (k + STRIDE > v.length) {
      const grown = new Float64Array(v.length * 2);
      grown.set(v);
      this.values = v = grown;
    }
    v[k] = start;
    v[k + 1] = open;
    v[k + 2] = high;
    v[k + 3] = low;
    v[k + 4] = close;
    v[k + 5] = volume;
    this.length++;
  }

  /** Start of the last candle appended, or -Infinity when empty. */
  lastStart(): number {
    return this.length === 0 ? Number.NEGATIVE_INFINITY : (this.values[(this.length - 1) * STRIDE] as number);
  }

  /** Empties the builder, keeping its capacity, to build another series. */
  reset(): void {
    this.length = 0;
  }

  /** The series of the candles appended so far, copied into `store` (trimmed to size). */
  build(store: CandleStore = new CandleStore(0)): CandleSeries {
    return new CandleSeries(store.keep(this.values.subarray(0, this.length * STRIDE)), this.length);
  }
}

/**
 * Storage for many series carved out of a few large blocks. A data set of thousands of small
 * series then costs a handful of allocations instead of one (zero-filled, off-heap) per series.
 */
export class CandleStore {
  private block = new Float64Array(0);
  private used = 0;

  /** `blockCandles`: candles per block (0: every series gets a block of its exact size). */
  constructor(private readonly blockCandles = 1 << 16) {}

  /** A copy of `values` inside the store. */
  keep(values: Float64Array): Float64Array {
    if (this.used + values.length > this.block.length) {
      this.block = new Float64Array(Math.max(this.blockCandles * STRIDE, values.length));
      this.used = 0;
    }
    const out = this.block.subarray(this.used, this.used + values.length);
    out.set(values);
    this.used += values.length;
    return out;
  }
}
