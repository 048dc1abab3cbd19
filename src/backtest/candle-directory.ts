import { closeSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { Candle } from "../domain/candle.js";
import { CandleSeries, CandleStore } from "../domain/candle-series.js";
import type { IsoDate } from "../domain/ist.js";
import { CandleFileError, parseCandleCsv } from "./csv-candles.js";

/** Every candle of a data directory: by day, then by symbol, each list in time order. */
export interface CandleData {
  byDay: Map<IsoDate, Map<string, CandleSeries>>;
  files: number;
  candles: number;
  /**
   * The data came through the parsed-candle cache of `dir`, whose CSVs `fingerprint` describes:
   * the day setups are stored beside it (day-setup-store.ts).
   */
  cachedFrom?: { dir: string; fingerprint: string };
  /**
   * Reads now the series `symbols` of `date`, about to be used: set when the series are read
   * lazily from the cache (one read per run of them that lies together, not the whole day).
   */
  prefetch?: (date: IsoDate, symbols: readonly string[]) => void;
}

/** A data directory that cannot be used at all (missing, empty, an unusable file). */
export class DataLoadError extends Error {}

/** The symbol a candle file is for: its name before the last `_` (`SENSEX2591180500CE_2025-09-04.csv`). */
export function symbolOfFile(fileName: string): string {
  const stem = basename(fileName).replace(/\.csv$/i, "");
  const cut = stem.lastIndexOf("_");
  return cut > 0 ? stem.slice(0, cut) : stem;
}

/**
 * Loads every `*.csv` of `dir`. Unusable rows are skipped with one warning per file saying how
 * many and why; a missing or empty directory, or a file without one usable row, throws.
 */
export function loadCandleDirectory(dir: string, warn: (message: string) => void): CandleData {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new DataLoadError(`${dir} is not a directory`);
    names = readdirSync(dir)
      .filter((n) => n.toLowerCase().endsWith(".csv"))
      .sort();
  } catch (e) {
    if (e instanceof DataLoadError) throw e;
    throw new DataLoadError(
      `cannot read the data directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? e}`,
    );
  }
  if (names.length === 0) throw new DataLoadError(`${dir} holds no .csv candle files`);

  const byDay = new Map<IsoDate, Map<string, CandleSeries>>();
  const reader = new ReusedBufferReader();
  const store = new CandleStore();
  let candles = 0;
  for (const name of names) {
    const path = join(dir, name);
    const symbol = symbolOfFile(name);
    let parsed: ReturnType<typeof parseCandleCsv>;
    try {
      parsed = parseCandleCsv(reader.read(path), store);
    } catch (e) {
      if (e instanceof CandleFileError) throw new DataLoadError(`${path}: ${e.message}`);
      throw new DataLoadError(`${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
    let used = 0;
    let repeated = 0;
    for (const [date, series] of parsed.days) {
      let symbols = byDay.get(date);
      if (!symbols) {
        symbols = new Map();
        byDay.set(date, symbols);
      }
      const existing = symbols.get(symbol);
      if (existing) {
        const merged = merge(existing, series);
        symbols.set(symbol, merged.series);
        repeated += merged.repeated;
      } else symbols.set(symbol, series);
      used += series.length;
    }
    const skipped = [...parsed.skipped].map(([why, count]) => `${count} ${why}`);
    if (repeated > 0) skipped.push(`${repeated} repeating candles of another file`);
    if (used === 0) {
      throw new DataLoadError(`${path}: no usable row${skipped.length ? ` (${skipped.join(", ")})` : ""}`);
    }
    if (skipped.length > 0) {
      const total = parsed.rows - used + repeated;
      warn(`${path}: skipped ${total} of ${parsed.rows} row(s): ${skipped.join(", ")}`);
    }
    candles += used - repeated;
  }
  return { byDay, files: names.length, candles };
}

/** Merges a second file's candles of the same symbol and day, keeping the first of equal starts. */
function merge(first: CandleSeries, second: CandleSeries): { series: CandleSeries; repeated: number } {
  const candles: Candle[] = first.toCandles();
  const seen = new Set(candles.map((c) => c.start));
  let repeated = 0;
  for (const c of second.toCandles()) {
    if (seen.has(c.start)) repeated++;
    else {
      seen.add(c.start);
      candles.push(c);
    }
  }
  candles.sort((a, b) => a.start - b.start);
  return { series: CandleSeries.of(candles), repeated };
}

/**
 * Reads whole files into one buffer that is reused from file to file. Thousands of small
 * files each read into a new Buffer would add tens of megabytes of short-lived external
 * memory, and the garbage collections that it triggers; the parser copies what it keeps.
 */
class ReusedBufferReader {
  private buffer = Buffer.allocUnsafe(1 << 20);

  /** The file's bytes, valid until the next call. */
  read(path: string): Buffer {
    const fd = openSync(path, "r");
    try {
      let length = 0;
      for (;;) {
        if (length === this.buffer.length) {
          const grown = Buffer.allocUnsafe(this.buffer.length * 2);
          this.buffer.copy(grown, 0, 0, length);
          this.buffer = grown;
        }
        const got = readSync(fd, this.buffer, length, this.buffer.length - length, null);
        if (got === 0) return this.buffer.subarray(0, length);
        length += got;
      }
    } finally {
      closeSync(fd);
    }
  }
}
