import {
  closeSync,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import type { CandleSeries } from "../domain/candle-series.js";
import type { IsoDate } from "../domain/ist.js";
import { type PackedCandles, type PackedSeries, packCandles } from "../lab/packed-candles.js";
import { type CandleData, loadCandleDirectory } from "./candle-directory.js";
import { LazySeriesMap, SeriesFileReader } from "./lazy-series-map.js";

/*
 * The parsed-candle cache: a large data directory (a growing archive) is parsed once and its
 * candles kept in one binary file beside the data, `.pivot-candle-cache.bin`. A later run that
 * finds every CSV with the same name, size and modification time reads that file instead of
 * parsing (and repeats the warnings the parse gave), each series only when it is first asked
 * for; any change and the directory is parsed again and the cache rewritten. A directory that
 * cannot be written to simply has no cache.
 *
 * Layout: "PIVOTCC1", the header's length (uint32 LE), the header (JSON), zero padding to a
 * multiple of 8 bytes, then the candles as float64 LE, six a candle (as CandleSeries).
 */

export const CACHE_FILE = ".pivot-candle-cache.bin";
const MAGIC = "PIVOTCC1";
const FORMAT = 2;
/** Below this many bytes of CSV, parsing is quick enough: no cache is kept. */
export const DEFAULT_CACHE_MIN_BYTES = 4 * 1024 * 1024;

interface CacheHeader {
  format: number;
  /**
   * Each CSV as [name, size, mtimeMs], in name order, as JSON: compared as one string (an
   * archive has thousands of files), never parsed.
   */
  fingerprint: string;
  index: PackedSeries[];
  candles: number;
  warnings: string[];
}

export interface CachedLoadOptions {
  /** Directories with fewer CSV bytes are parsed every time (default 4 MiB). */
  minBytes?: number;
  /** False: parse, neither read nor write the cache (default: unless PIVOT_CANDLE_CACHE=off). */
  enabled?: boolean;
}

/** How the data was loaded, for the caller's information. */
export type CacheUse = "hit" | "written" | "none";

/**
 * Loads a data directory as `loadCandleDirectory` does (same data, same warnings, same
 * errors), through the parsed-candle cache when the directory is large.
 */
export function loadCandleData(
  dir: string,
  warn: (message: string) => void,
  options: CachedLoadOptions = {},
): CandleData & { cache: CacheUse } {
  const files = csvFingerprint(dir);
  const bytes = files?.reduce((n, f) => n + f[1], 0) ?? 0;
  const enabled = options.enabled ?? process.env.PIVOT_CANDLE_CACHE !== "off";
  if (!enabled || !files || bytes < (options.minBytes ?? DEFAULT_CACHE_MIN_BYTES)) {
    return { ...loadCandleDirectory(dir, warn), cache: "none" };
  }
  const path = join(dir, CACHE_FILE);
  const cached = readCache(path, files);
  if (cached) {
    for (const w of cached.warnings) warn(w);
    return { ...cached.data, cache: "hit" };
  }
  const warnings: string[] = [];
  const data = loadCandleDirectory(dir, (m) => {
    warnings.push(m);
    warn(m);
  });
  const written = writeCache(path, files, packCandles(data, false), warnings);
  return { ...data, cache: written ? "written" : "none" };
}

/** Name, size and mtime of each CSV of `dir`; null when it cannot be listed (the loader says why). */
function csvFingerprint(dir: string): [string, number, number][] | null {
  try {
    return readdirSync(dir)
      .filter((n) => n.toLowerCase().endsWith(".csv"))
      .sort()
      .map((name) => {
        const s = statSync(join(dir, name));
        return [name, s.size, s.mtimeMs] as [string, number, number];
      });
  } catch {
    return null;
  }
}

/**
 * The cached data set when the cache file matches `files`: its header is read now, each series
 * when first asked for (lazy-series-map.ts); null when there is no usable cache.
 */
function readCache(
  path: string,
  files: [string, number, number][],
): { data: CandleData; warnings: string[] } | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return null;
  }
  let kept = false;
  try {
    const size = fstatSync(fd).size;
    const prefix = Buffer.alloc(12);
    if (readSync(fd, prefix, 0, 12, 0) !== 12 || prefix.toString("latin1", 0, 8) !== MAGIC) return null;
    const headerLength = prefix.readUInt32LE(8);
    const headerBytes = Buffer.alloc(headerLength);
    if (readSync(fd, headerBytes, 0, headerLength, 12) !== headerLength) return null;
    const header = JSON.parse(headerBytes.toString("utf8")) as CacheHeader;
    if (header.format !== FORMAT || header.fingerprint !== JSON.stringify(files)) return null;
    const start = align8(12 + headerLength);
    const last = header.index[header.index.length - 1];
    const candles = last ? last.offset + last.length : 0;
    if (size - start !== candles * 6 * Float64Array.BYTES_PER_ELEMENT) return null;
    const reader = new SeriesFileReader(fd, start, header.index.length);
    const byDay = new Map<IsoDate, Map<string, CandleSeries>>();
    for (const entry of header.index) {
      let symbols = byDay.get(entry.date) as LazySeriesMap | undefined;
      if (!symbols) {
        symbols = new LazySeriesMap(reader);
        byDay.set(entry.date, symbols);
      }
      symbols.add(entry);
    }
    kept = header.index.length > 0; // the reader closes it once every series is read
    return { data: { byDay, files: files.length, candles: header.candles }, warnings: header.warnings };
  } catch {
    return null; // a damaged cache is parsed again and rewritten
  } finally {
    if (!kept) closeSync(fd);
  }
}

function writeCache(
  path: string,
  files: [string, number, number][],
  packed: PackedCandles,
  warnings: string[],
): boolean {
  const header: CacheHeader = {
    format: FORMAT,
    fingerprint: JSON.stringify(files),
    index: packed.index,
    candles: packed.candles,
    warnings,
  };
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const prefix = Buffer.alloc(align8(12 + json.length));
  prefix.write(MAGIC, 0, "latin1");
  prefix.writeUInt32LE(json.length, 8);
  json.copy(prefix, 12);
  const temp = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(temp, "w", 0o644);
    try {
      writeAll(fd, prefix);
      writeAll(fd, new Uint8Array(packed.values.buffer, packed.values.byteOffset, packed.values.byteLength));
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    return true;
  } catch {
    rmSync(temp, { force: true });
    return false;
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
