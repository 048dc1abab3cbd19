import {
  closeSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { type PackedCandles, type PackedSeries, packCandles, unpackCandles } from "../lab/packed-candles.js";
import { type CandleData, loadCandleDirectory } from "./candle-directory.js";

/*
 * The parsed-candle cache: a large data directory (a growing archive) is parsed once and its
 * candles kept in one binary file beside the data, `.pivot-candle-cache.bin`. A later run that
 * finds every CSV with the same name, size and modification time reads that file instead of
 * parsing (and repeats the warnings the parse gave); any change and the directory is parsed
 * again and the cache rewritten. A directory that cannot be written to simply has no cache.
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
    return { ...unpackCandles(cached.packed), cache: "hit" };
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

function readCache(
  path: string,
  files: [string, number, number][],
): { packed: PackedCandles; warnings: string[] } | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return null;
  }
  try {
    if (bytes.toString("latin1", 0, 8) !== MAGIC) return null;
    const headerLength = bytes.readUInt32LE(8);
    const header = JSON.parse(bytes.toString("utf8", 12, 12 + headerLength)) as CacheHeader;
    if (header.format !== FORMAT || header.fingerprint !== JSON.stringify(files)) return null;
    const start = align8(12 + headerLength);
    const count = (bytes.length - start) / Float64Array.BYTES_PER_ELEMENT;
    if (!Number.isInteger(count)) return null;
    // A Float64Array must start on a multiple of 8: copy when the buffer does not.
    const values =
      (bytes.byteOffset + start) % 8 === 0
        ? new Float64Array(bytes.buffer, bytes.byteOffset + start, count)
        : new Float64Array(Uint8Array.prototype.slice.call(bytes, start).buffer);
    const last = header.index[header.index.length - 1];
    if (last && (last.offset + last.length) * 6 !== values.length) return null;
    return {
      packed: { values, index: header.index, files: files.length, candles: header.candles },
      warnings: header.warnings,
    };
  } catch {
    return null; // a damaged cache is parsed again and rewritten
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
