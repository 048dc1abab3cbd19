import { closeSync, readSync } from "node:fs";
import { CandleSeries } from "../domain/candle-series.js";
import type { PackedSeries } from "../lab/packed-candles.js";

/** Values stored per candle, as in CandleSeries: start, open, high, low, close, volume. */
const STRIDE = 6;
const BYTES_PER_CANDLE = STRIDE * Float64Array.BYTES_PER_ELEMENT;

/**
 * Reads series out of an open cache file on demand. A backtest over an archive recorded at
 * ATM ± 1,000 trades ATM ± 500: reading only the series it asks for, rather than the whole
 * file, saves most of the reading and the memory. The file is closed once every series has
 * been read (or with the process): a cache rewritten meanwhile is a new file, so what is read
 * stays the data that was fingerprinted.
 */
export class SeriesFileReader {
  private unread: number;
  /** Series are read into slices of large blocks: one allocation per block, not per series. */
  private block = new Float64Array(0);
  private used = 0;

  constructor(
    private fd: number | null,
    /** Where the candles start in the file, in bytes. */
    private readonly dataStart: number,
    series: number,
  ) {
    this.unread = series;
  }

  read(entry: PackedSeries): CandleSeries {
    if (this.fd === null) throw new Error("the candle cache file is closed");
    const values = this.take(entry.length * STRIDE);
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    const at = this.dataStart + entry.offset * BYTES_PER_CANDLE;
    for (let done = 0; done < bytes.length; ) {
      const got = readSync(this.fd, bytes, done, bytes.length - done, at + done);
      if (got === 0) throw new Error("the candle cache file ended early");
      done += got;
    }
    if (--this.unread === 0) {
      closeSync(this.fd);
      this.fd = null;
    }
    return new CandleSeries(values, entry.length);
  }

  private take(count: number): Float64Array {
    if (this.used + count > this.block.length) {
      this.block = new Float64Array(Math.max(count, BLOCK_VALUES));
      this.used = 0;
    }
    this.used += count;
    return this.block.subarray(this.used - count, this.used);
  }
}

/** Values per block (512 KiB). */
const BLOCK_VALUES = 64 * 1024;

/** Stands for a series not read yet (never handed out). */
const NOT_READ = new CandleSeries(new Float64Array(0), 0);

/**
 * A day's series by symbol, each read from the cache file the first time it is asked for.
 * Keys, `has` and `size` need no reading; iterating values reads whatever is left.
 */
export class LazySeriesMap extends Map<string, CandleSeries> {
  private readonly pending = new Map<string, PackedSeries>();

  constructor(private readonly reader: SeriesFileReader) {
    super();
  }

  /** Registers a series of the file under `entry.symbol`. */
  add(entry: PackedSeries): void {
    this.pending.set(entry.symbol, entry);
    super.set(entry.symbol, NOT_READ);
  }

  override get(symbol: string): CandleSeries | undefined {
    const entry = this.pending.get(symbol);
    if (entry) {
      this.pending.delete(symbol);
      super.set(symbol, this.reader.read(entry));
    }
    return super.get(symbol);
  }

  override set(symbol: string, series: CandleSeries): this {
    this.pending.delete(symbol);
    return super.set(symbol, series);
  }

  override delete(symbol: string): boolean {
    this.pending.delete(symbol);
    return super.delete(symbol);
  }

  override values(): MapIterator<CandleSeries> {
    this.readAll();
    return super.values();
  }

  override entries(): MapIterator<[string, CandleSeries]> {
    this.readAll();
    return super.entries();
  }

  override [Symbol.iterator](): MapIterator<[string, CandleSeries]> {
    return this.entries();
  }

  override forEach(
    fn: (value: CandleSeries, key: string, map: Map<string, CandleSeries>) => void,
    thisArg?: unknown,
  ): void {
    this.readAll();
    super.forEach(fn, thisArg);
  }

  private readAll(): void {
    for (const symbol of [...this.pending.keys()]) this.get(symbol);
  }
}
