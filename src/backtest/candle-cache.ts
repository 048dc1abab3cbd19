import { createHash } from "node:crypto";
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
import { type CentsFill, decodeCandles, encodeCandles, TABLE_STRIDE } from "./cached-series.js";
import { type CandleData, loadCandleDirectory } from "./candle-directory.js";

/*
 * The parsed-candle cache: a large data directory (a growing archive) is parsed once and its
 * candles kept in one binary file beside the data, `.pivot-candle-cache.bin`. A later run that
 * finds every CSV with the same name, size and modification time reads that file instead of
 * parsing (and repeats the warnings the parse gave); any change (a file added, removed,
 * rewritten, touched) and the directory is parsed again and the cache rewritten. A directory
 * that cannot be written to simply has no cache.
 *
 * Layout: "PIVOTCC2", the header's length (uint32 LE), the header (JSON), zero padding to a
 * multiple of 8 bytes, the series table (int32, TABLE_STRIDE a series), padding to 8, the
 * float64 candles, then the int32 candles (cached-series.ts), all little-endian. A run reads
 * the header, the table and the float64 candles; the int32 candles (nearly all) are read when
 * a series is first used, a day or a strike window at a time (cached-series.ts), so the
 * contracts an archive records and a backtest never trades are never read.
 */

export const CACHE_FILE = ".pivot-candle-cache.bin";
const MAGIC = "PIVOTCC2";
const FORMAT = 5;
/** Below this many bytes of CSV, parsing is quick enough: no cache is kept. */
export const DEFAULT_CACHE_MIN_BYTES = 4 * 1024 * 1024;

interface CacheHeader {
  format: number;
  /**
   * The SHA-256 of each CSV as [name, size, mtimeMs], in name order, as JSON (an archive has
   * thousands of files: their list would be a few hundred KB of header to read back).
   */
  fingerprint: string;
  dates: string[];
  symbols: string[];
  series: number;
  floatValues: number;
  intValues: number;
  files: number;
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
  const listing = csvFingerprint(dir);
  const enabled = options.enabled ?? process.env.PIVOT_CANDLE_CACHE !== "off";
  if (!enabled || !listing || listing.bytes < (options.minBytes ?? DEFAULT_CACHE_MIN_BYTES)) {
    return { ...loadCandleDirectory(dir, warn), cache: "none" };
  }
  const path = join(dir, CACHE_FILE);
  const cached = readCache(path, listing.fingerprint);
  if (cached) {
    for (const w of cached.warnings) warn(w);
    return { ...cached.data, cache: "hit", cachedFrom: { dir, fingerprint: listing.fingerprint } };
  }
  const warnings: string[] = [];
  const data = loadCandleDirectory(dir, (m) => {
    warnings.push(m);
    warn(m);
  });
  const written = writeCache(path, listing.fingerprint, data, warnings);
  if (!written) return { ...data, cache: "none" };
  return { ...data, cache: "written", cachedFrom: { dir, fingerprint: listing.fingerprint } };
}

/**
 * The hash of the name, size and mtime of each CSV of `dir`, and their total size; null when it
 * cannot be listed (the loader says why). One stat a file, nothing else: on an archive of
 * thousands of files this runs at every backtest.
 */
function csvFingerprint(dir: string): { fingerprint: string; bytes: number } | null {
  try {
    const names = readdirSync(dir)
      .filter((n) => n.toLowerCase().endsWith(".csv"))
      .sort();
    // The directory joined once: path.join's normalising of every file's path costs more than the stat.
    const prefix = join(dir, "/");
    let bytes = 0;
    // The JSON of [[name, size, mtimeMs], ...] written directly: no array a file to keep until the end.
    let fingerprint = "[";
    for (const name of names) {
      const s = statSync(prefix + name);
      bytes += s.size;
      fingerprint += `${fingerprint.length > 1 ? "," : ""}[${JSON.stringify(name)},${s.size},${s.mtimeMs}]`;
    }
    return { fingerprint: createHash("sha256").update(`${fingerprint}]`).digest("hex"), bytes };
  } catch {
    return null;
  }
}

function readCache(path: string, fingerprint: string): { data: CandleData; warnings: string[] } | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return null;
  }
  let kept = false;
  try {
    const size = fstatSync(fd).size;
    const start = Buffer.alloc(12);
    readFully(fd, start, 0);
    if (start.toString("latin1", 0, 8) !== MAGIC) return null;
    const headerBytes = Buffer.alloc(start.readUInt32LE(8));
    readFully(fd, headerBytes, 12);
    const header = JSON.parse(headerBytes.toString("utf8")) as CacheHeader;
    if (header.format !== FORMAT || header.fingerprint !== fingerprint) return null;
    const tableStart = align8(12 + headerBytes.length);
    const floatsStart = align8(tableStart + header.series * TABLE_STRIDE * 4);
    const intsStart = floatsStart + header.floatValues * 8;
    if (size !== intsStart + header.intValues * 4) return null;
    // The table and the float64 candles (few) now; the int32 candles when a series is used.
    const table = new Int32Array(header.series * TABLE_STRIDE);
    readFully(fd, table, tableStart);
    const floats = new Float64Array(header.floatValues);
    readFully(fd, floats, floatsStart);
    const fill: CentsFill = (into, from) => {
      try {
        readFully(fd, into, intsStart + from * 4);
      } catch (e) {
        throw new Error(
          `the parsed-candle cache ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? e}); delete it and run again`,
        );
      }
    };
    const { byDay, prefetch } = decodeCandles(
      { dates: header.dates, symbols: header.symbols, table, floats, ints: new Int32Array(0) },
      { fill, values: header.intValues },
    );
    // The file stays open while a series may still be read from it (a rewrite replaces the file,
    // never changes it): every one of them holds `fill`, so the file is closed with the last.
    openCaches.register(fill, fd);
    kept = true;
    return {
      data: { byDay, files: header.files, candles: header.candles, prefetch },
      warnings: header.warnings,
    };
  } catch {
    return null; // a damaged cache is parsed again and rewritten
  } finally {
    if (!kept) closeSync(fd);
  }
}

/** Closes a cache file once nothing can read from it any more. */
const openCaches = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // already closed by the process ending
  }
});

/** Reads `into`'s bytes from `position` of the file; throws when the file ends first. */
function readFully(fd: number, into: ArrayBufferView, position: number): void {
  const bytes = new Uint8Array(into.buffer, into.byteOffset, into.byteLength);
  for (let done = 0; done < bytes.length; ) {
    const got = readSync(fd, bytes, done, bytes.length - done, position + done);
    if (got === 0) throw new Error("the file ends early");
    done += got;
  }
}

function writeCache(path: string, fingerprint: string, data: CandleData, warnings: string[]): boolean {
  const encoded = encodeCandles(data);
  const header: CacheHeader = {
    format: FORMAT,
    fingerprint,
    dates: encoded.dates,
    symbols: encoded.symbols,
    series: encoded.table.length / TABLE_STRIDE,
    floatValues: encoded.floats.length,
    intValues: encoded.ints.length,
    files: data.files,
    candles: data.candles,
    warnings,
  };
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const tableStart = align8(12 + json.length);
  const floatsStart = align8(tableStart + encoded.table.byteLength);
  const prefix = Buffer.alloc(floatsStart);
  prefix.write(MAGIC, 0, "latin1");
  prefix.writeUInt32LE(json.length, 8);
  json.copy(prefix, 12);
  Buffer.from(encoded.table.buffer, encoded.table.byteOffset, encoded.table.byteLength).copy(
    prefix,
    tableStart,
  );
  const temp = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(temp, "w", 0o644);
    try {
      writeAll(fd, prefix);
      for (const region of [encoded.floats, encoded.ints]) {
        writeAll(fd, new Uint8Array(region.buffer, region.byteOffset, region.byteLength));
      }
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
