import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  type Instrument,
  InstrumentMaster,
  InstrumentMasterError,
  parseInstrumentMaster,
} from "../../domain/instruments.js";
import { type IsoDate, istPartsOf } from "../../domain/ist.js";
import type { Clock } from "../../ports/clock.js";
import { writeFileAtomic } from "./atomic-file.js";
import type { KiteFailure } from "./kite-errors.js";
import type { KiteExchange, KiteRest } from "./kite-rest.js";

/*
 * Kite's instrument master, downloaded once a day per exchange into `data.cache_dir` as
 * `instruments_<EXCHANGE>_<IST date>.csv`. Today's file is reused; when the download fails the
 * newest older file is used with a warning that names its date (expiries and strikes change
 * slowly, a day-old master is better than none); with neither, a typed failure.
 */

/** Where one exchange's master came from. */
export interface MasterSource {
  exchange: KiteExchange;
  /** The IST date of the file used. */
  date: IsoDate;
  from: "cache" | "download" | "stale_cache";
  path: string;
  rows: number;
}

export type InstrumentCacheResult =
  | { ok: true; master: InstrumentMaster; sources: MasterSource[] }
  | { ok: false; message: string; exchange: KiteExchange; download?: KiteFailure };

export interface InstrumentCacheOptions {
  kite: Pick<KiteRest, "instruments">;
  /** `data.cache_dir`. */
  cacheDir: string;
  clock: Clock;
  warn: (message: string) => void;
  exchanges?: readonly KiteExchange[];
  /** Older files kept per exchange. */
  keepFiles?: number;
}

/** The cache file of an exchange's master for an IST date. */
export function cacheFileName(exchange: KiteExchange, date: IsoDate): string {
  return `instruments_${exchange}_${date}.csv`;
}

/** The instrument master of the exchanges (default BFO and BSE), from today's cache or Kite. */
export async function loadInstrumentMaster(options: InstrumentCacheOptions): Promise<InstrumentCacheResult> {
  const exchanges = options.exchanges ?? (["BFO", "BSE"] as const);
  const today = istPartsOf(options.clock.now()).date;
  const all: Instrument[] = [];
  const sources: MasterSource[] = [];
  for (const exchange of exchanges) {
    const one = await masterOf(exchange, today, options);
    if (!one.ok) return one;
    all.push(...one.instruments);
    sources.push(one.source);
  }
  return { ok: true, master: new InstrumentMaster(all), sources };
}

type OneMaster =
  | { ok: true; instruments: Instrument[]; source: MasterSource }
  | { ok: false; message: string; exchange: KiteExchange; download?: KiteFailure };

async function masterOf(
  exchange: KiteExchange,
  today: IsoDate,
  o: InstrumentCacheOptions,
): Promise<OneMaster> {
  const todayPath = join(o.cacheDir, cacheFileName(exchange, today));
  const cached = readMaster(todayPath, o.warn);
  if (cached) return found(exchange, today, "cache", todayPath, cached);

  const download = await o.kite.instruments(exchange);
  let failure: string;
  if (download.ok) {
    try {
      const instruments = parseInstrumentMaster(download.value);
      if (instruments.length === 0) throw new InstrumentMasterError("the master has no rows");
      try {
        writeFileAtomic(todayPath, download.value, { mode: 0o644, dirMode: 0o755 });
        prune(o.cacheDir, exchange, o.keepFiles ?? 5);
      } catch (e) {
        o.warn(`cannot write the instrument cache ${todayPath}: ${(e as NodeJS.ErrnoException).code ?? e}`);
      }
      return found(exchange, today, "download", todayPath, instruments);
    } catch (e) {
      failure = `Kite's ${exchange} instrument master is unreadable (${(e as Error).message})`;
    }
  } else {
    failure = `the ${exchange} instrument master could not be downloaded (${download.error.message})`;
  }

  for (const { date, path } of cacheFiles(o.cacheDir, exchange)) {
    if (date >= today) continue;
    const instruments = readMaster(path, o.warn);
    if (!instruments) continue;
    o.warn(`${failure}; using the cached master of ${date} (${path})`);
    return found(exchange, date, "stale_cache", path, instruments);
  }
  return {
    ok: false,
    exchange,
    message: `${failure}, and ${o.cacheDir} holds no cached ${exchange} master`,
    ...(download.ok ? {} : { download: download.error }),
  };
}

function found(
  exchange: KiteExchange,
  date: IsoDate,
  from: MasterSource["from"],
  path: string,
  instruments: Instrument[],
): OneMaster {
  return { ok: true, instruments, source: { exchange, date, from, path, rows: instruments.length } };
}

/** A cached master's rows; null when the file is missing or unusable (said once through `warn`). */
function readMaster(path: string, warn: (m: string) => void): Instrument[] | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return null;
  }
  try {
    const rows = parseInstrumentMaster(text);
    if (rows.length > 0) return rows;
    warn(`the instrument cache ${path} is empty: ignored`);
  } catch (e) {
    warn(`the instrument cache ${path} is unreadable (${(e as Error).message}): ignored`);
  }
  return null;
}

/** The exchange's cache files, newest first. */
function cacheFiles(dir: string, exchange: KiteExchange): Array<{ date: IsoDate; path: string }> {
  const pattern = new RegExp(`^instruments_${exchange}_(\\d{4}-\\d{2}-\\d{2})\\.csv$`);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((n) => ({ n, m: pattern.exec(n) }))
    .filter((x): x is { n: string; m: RegExpExecArray } => x.m !== null)
    .map((x) => ({ date: x.m[1] as IsoDate, path: join(dir, x.n) }))
    .sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
}

/** Keeps the newest `keep` files of an exchange. */
function prune(dir: string, exchange: KiteExchange, keep: number): void {
  for (const old of cacheFiles(dir, exchange).slice(Math.max(1, keep))) rmSync(old.path, { force: true });
}
