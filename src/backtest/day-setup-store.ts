import { createHash } from "node:crypto";
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Config } from "../config/schema.js";
import type { CandleSeries } from "../domain/candle-series.js";
import type { IsoDate } from "../domain/ist.js";
import type { ContractSetup } from "../strategy/types.js";
import { daySetupSettingsKey } from "./day-setup-memo.js";
import type { DayResult } from "./types.js";

/*
 * The days' prepared setups (universe, pivots, prior candle sizes) of a backtest over a cached
 * data directory, kept beside the parsed-candle cache in `.pivot-day-setups.json` so that the
 * next backtest of unchanged data does not work them out again (nor decode the earlier days'
 * candles they are worked out from).
 *
 * What a day's setups depend on, and so what they are kept under: the data (the hash of the
 * cache's fingerprint of every CSV: any change to the files and nothing stored is used), the
 * settings that shape them (as the lab's in-memory memo, day-setup-memo.ts), the program that
 * computed them (the built code file's time: a rebuild forgets them) and the calendar's
 * previous trading day (stored with each day and compared). With an instrument master nothing
 * is kept (lot sizes and expiries would come from it).
 */

export const DAY_SETUPS_FILE = ".pivot-day-setups.json";
const FORMAT = 2;
/** Settings kept at once: a few, for someone switching back and forth. */
const KEPT_SETTINGS = 4;

/** A day's setups as stored: the universe pick's figures, the setups and the warnings they gave. */
export interface StoredDay {
  pick: Pick<UniverseFigures, "source" | "spot" | "atm" | "expiry">;
  setups: StoredSetup[];
  warnings: string[];
}

/** A setup as stored: its prior sizes as base64 of their float64 bytes (exact, and quick to read back). */
type StoredSetup = Omit<ContractSetup, "priorSizes"> & { priorSizes: string };

interface UniverseFigures {
  source: DayResult["universe_source"];
  spot: number | null;
  atm: number | null;
  expiry: IsoDate | null;
}

interface StoreFile {
  format: number;
  data: string;
  code: string;
  /** Most recent first: [settings key, {date: [previous trading day, day]}]. */
  settings: [string, Record<string, [IsoDate, StoredDay]>][];
}

/** The days of one backtest: those found, and those to add when it is over. */
export interface DaySetupStore {
  /** The day's stored setups when they were computed with this previous trading day. */
  get(date: IsoDate, previousDay: IsoDate): StoredDay | undefined;
  set(date: IsoDate, previousDay: IsoDate, day: StoredDay): void;
  /** Writes the days added (if any); a directory that cannot be written to keeps none. */
  save(): void;
}

const cachedDirs = new WeakMap<object, { dir: string; fingerprint: string }>();

/** Called by the candle cache: `data` is the content of `dir` as `fingerprint` describes it. */
export function rememberCachedData(data: object, dir: string, fingerprint: string): void {
  cachedDirs.set(data, { dir, fingerprint });
}

/** The store for a backtest of `data`, or null when the data did not come through the candle cache. */
export function daySetupStore(options: {
  config: Config;
  data: object;
  hasMaster: boolean;
  dataDir?: string;
}): DaySetupStore | null {
  const cached = cachedDirs.get(options.data);
  if (!cached || options.hasMaster) return null;
  const path = join(cached.dir, DAY_SETUPS_FILE);
  const dataHash = createHash("sha256").update(cached.fingerprint).digest("hex");
  const code = codeIdentity();
  const key = daySetupSettingsKey(options.config, options.dataDir);
  const file = readStore(path, dataHash, code);
  const known = file.settings.find(([k]) => k === key)?.[1] ?? {};
  let added = false;
  return {
    get: (date, previousDay) => {
      const entry = known[date];
      return entry && entry[0] === previousDay ? entry[1] : undefined;
    },
    set: (date, previousDay, day) => {
      known[date] = [previousDay, day];
      added = true;
    },
    save: () => {
      if (!added) return;
      const others = file.settings.filter(([k]) => k !== key).slice(0, KEPT_SETTINGS - 1);
      writeStore(path, { ...file, settings: [[key, known], ...others] });
    },
  };
}

/** The restored form of a stored day: the series are looked up again in the data. */
export function restoredDay(
  stored: StoredDay,
  seriesOf: (symbol: string) => CandleSeries | null,
): Omit<StoredDay, "setups"> & {
  pick: { contracts: [] };
  setups: ContractSetup[];
  series: (CandleSeries | null)[];
} {
  const setups = stored.setups.map((s) => ({
    ...s,
    priorSizes: doublesOf(s.priorSizes),
  }));
  return {
    pick: { ...stored.pick, contracts: [] },
    setups,
    series: setups.map((s) => seriesOf(s.symbol)),
    warnings: stored.warnings,
  };
}

/** What of a prepared day is stored. */
export function storedFormOf(day: {
  pick: UniverseFigures;
  setups: ContractSetup[];
  warnings: string[];
}): StoredDay {
  const { source, spot, atm, expiry } = day.pick;
  // Prior sizes are half the numbers: JSON's decimals of them took longer to read back.
  const setups = day.setups.map((s) => ({ ...s, priorSizes: base64Of(s.priorSizes) }));
  return { pick: { source, spot, atm, expiry }, setups, warnings: day.warnings };
}

function base64Of(values: readonly number[]): string {
  const bytes = Buffer.allocUnsafe(values.length * 8);
  for (let i = 0; i < values.length; i++) bytes.writeDoubleLE(values[i] as number, i * 8);
  return bytes.toString("base64");
}

function doublesOf(base64: string): number[] {
  const bytes = Buffer.from(base64, "base64");
  const values = new Array<number>(bytes.length / 8);
  for (let i = 0; i < values.length; i++) values[i] = bytes.readDoubleLE(i * 8);
  return values;
}

/** The built code's identity: its file's size and time (every build rewrites it). */
function codeIdentity(): string {
  try {
    const s = statSync(fileURLToPath(import.meta.url));
    return `${s.size} ${s.mtimeMs}`;
  } catch {
    return "unknown";
  }
}

function readStore(path: string, data: string, code: string): StoreFile {
  const empty: StoreFile = { format: FORMAT, data, code, settings: [] };
  try {
    const file = JSON.parse(readFileSync(path, "utf8")) as StoreFile;
    const usable =
      file.format === FORMAT && file.data === data && file.code === code && Array.isArray(file.settings);
    return usable ? file : empty;
  } catch {
    return empty; // none yet, or damaged: worked out again and rewritten
  }
}

function writeStore(path: string, file: StoreFile): void {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, JSON.stringify(file), { mode: 0o644 });
    renameSync(temp, path);
  } catch {
    rmSync(temp, { force: true });
  }
}
