import type { Candle } from "./candle.js";

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

  /** The series of the candles appended so far (trimmed to size). */
  build(): CandleSeries {
    const used = this.length * STRIDE;
    return new CandleSeries(
      used === this.values.length ? this.values : this.values.slice(0, used),
      this.length,
    );
  }
}
