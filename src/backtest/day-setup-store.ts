import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Config } from "../config/schema.js";
import type { IsoDate } from "../domain/ist.js";
import type { ContractSetup } from "../strategy/types.js";
import type { CandleData } from "./candle-directory.js";
import { daySetupSettingsKey } from "./day-setup-memo.js";
import type { SeriesWalk } from "./replay-day.js";
import { decodeSetups, encodeSetups } from "./stored-setups.js";
import type { DayResult } from "./types.js";

/*
 * The days' prepared setups (universe, pivots, prior candle sizes) of a backtest over a cached
 * data directory, kept beside the parsed-candle cache in `.pivot-day-setups.bin` so that the
 * next backtest of unchanged data does not work them out again (nor read the earlier days'
 * candles they are worked out from).
 *
 * What a day's setups depend on, and so what they are kept under: the data (the cache's
 * fingerprint of every CSV, a hash: any change to the files and nothing stored is used), the
 * settings that shape them (as the lab's in-memory memo, day-setup-memo.ts), the program that
 * computed them (the built code file's time: a rebuild forgets them) and the calendar's
 * previous trading day (stored with each day and compared). With an instrument master nothing
 * is kept (lot sizes and expiries would come from it).
 *
 * Layout: "PIVOTDS4", the header's length (uint32 LE), the header (JSON: the keys above and,
 * per day, its previous trading day, universe figures, warnings, symbols and where its numbers
 * are), zero padding to a multiple of 8 bytes, then every day's numbers as float64 (strikes,
 * quantities, pivots, prior sizes, the walks of the series: stored-setups.ts). Reading it back is a small JSON and
 * typed-array views; its JSON form (2.5 MB for a 250-day archive) took longer to parse than
 * the setups took to use.
 */

export const DAY_SETUPS_FILE = ".pivot-day-setups.bin";
/** The JSON file that format 2 kept: removed when this one is written. */
const OLD_FILE = ".pivot-day-setups.json";
const MAGIC = "PIVOTDS4";
const FORMAT = 4;
/** Settings kept at once: a few, for someone switching back and forth. */
const KEPT_SETTINGS = 4;

/** A day's setups as kept: the universe pick's figures, the setups, their series' walks and the warnings they gave. */
export interface StoredDay {
  pick: UniverseFigures;
  setups: ContractSetup[];
  walks: SeriesWalk[];
  warnings: string[];
}

interface UniverseFigures {
  source: DayResult["universe_source"];
  spot: number | null;
  atm: number | null;
  expiry: IsoDate | null;
}

/** A day as the file holds it: its setups' numbers are decoded when the day is asked for. */
interface RawDay {
  previousDay: IsoDate;
  pick: UniverseFigures;
  warnings: string[];
  symbols: string[];
  values: Float64Array;
}

/** A day in the header: previous trading day, pick, warnings, symbols, offset and count of its numbers. */
type HeaderDay = [IsoDate, RawDay["pick"], string[], string[], number, number];

interface Header {
  format: number;
  data: string;
  code: string;
  /** Most recent first: [settings key, {date: day}]. */
  settings: [string, Record<string, HeaderDay>][];
}

/** The days of one backtest: those found, and those to add when it is over. */
export interface DaySetupStore {
  /** The day's stored setups when they were computed with this previous trading day. */
  get(date: IsoDate, previousDay: IsoDate): StoredDay | undefined;
  set(date: IsoDate, previousDay: IsoDate, day: StoredDay): void;
  /** Writes the days added (if any); a directory that cannot be written to keeps none. */
  save(): void;
}

/** The store for a backtest of `data`, or null when the data did not come through the candle cache. */
export function daySetupStore(options: {
  config: Config;
  data: CandleData;
  hasMaster: boolean;
  dataDir?: string;
}): DaySetupStore | null {
  const cached = options.data.cachedFrom;
  if (!cached || options.hasMaster) return null;
  const path = join(cached.dir, DAY_SETUPS_FILE);
  const dataHash = cached.fingerprint;
  const code = codeIdentity();
  const key = daySetupSettingsKey(options.config, options.dataDir);
  const settings = readStore(path, dataHash, code);
  const known = settings.find(([k]) => k === key)?.[1] ?? new Map<IsoDate, RawDay>();
  let added = false;
  return {
    get: (date, previousDay) => {
      const raw = known.get(date);
      if (!raw || raw.previousDay !== previousDay) return undefined;
      const decoded = decodeSetups(raw.symbols, raw.values);
      return decoded ? { pick: raw.pick, ...decoded, warnings: raw.warnings } : undefined;
    },
    set: (date, previousDay, day) => {
      const values = encodeSetups(day);
      if (!values) return; // a setup the file cannot hold: worked out again next time
      known.set(date, {
        previousDay,
        pick: day.pick,
        warnings: day.warnings,
        symbols: day.setups.map((s) => s.symbol),
        values,
      });
      added = true;
    },
    save: () => {
      if (!added) return;
      const others = settings.filter(([k]) => k !== key).slice(0, KEPT_SETTINGS - 1);
      writeStore(cached.dir, path, { data: dataHash, code }, [[key, known], ...others]);
    },
  };
}

/**
 * The restored form of a stored day: its series are looked up when the strategy needs them
 * (its walks stand for the others).
 */
export function restoredDay(stored: StoredDay): StoredDay & { pick: { contracts: [] }; series: null } {
  return { ...stored, pick: { ...stored.pick, contracts: [] }, series: null };
}

/** What of a prepared day is stored. */
export function storedFormOf(day: {
  pick: UniverseFigures;
  setups: ContractSetup[];
  walks: SeriesWalk[];
  warnings: string[];
}): StoredDay {
  const { source, spot, atm, expiry } = day.pick;
  return {
    pick: { source, spot, atm, expiry },
    setups: day.setups,
    walks: day.walks,
    warnings: day.warnings,
  };
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

/** The kept settings' days, most recent first; none when the file is missing, damaged or for other data or code. */
function readStore(path: string, data: string, code: string): [string, Map<IsoDate, RawDay>][] {
  try {
    const bytes = readFileSync(path);
    if (bytes.toString("latin1", 0, 8) !== MAGIC) return [];
    const headerLength = bytes.readUInt32LE(8);
    const header = JSON.parse(bytes.toString("utf8", 12, 12 + headerLength)) as Header;
    if (header.format !== FORMAT || header.data !== data || header.code !== code) return [];
    const valuesStart = align8(12 + headerLength);
    // A copy when the buffer is not 8-aligned in memory (readFileSync's usually is).
    const region =
      (bytes.byteOffset + valuesStart) % 8 === 0
        ? new Float64Array(bytes.buffer, bytes.byteOffset + valuesStart, (bytes.length - valuesStart) / 8)
        : new Float64Array(Uint8Array.prototype.slice.call(bytes, valuesStart).buffer);
    return header.settings.map(([key, days]) => {
      const map = new Map<IsoDate, RawDay>();
      for (const [date, [previousDay, pick, warnings, symbols, offset, count]] of Object.entries(days)) {
        if (offset + count > region.length) return [key, new Map()];
        map.set(date, {
          previousDay,
          pick,
          warnings,
          symbols,
          values: region.subarray(offset, offset + count),
        });
      }
      return [key, map];
    });
  } catch {
    return []; // none yet, or damaged: worked out again and rewritten
  }
}

function writeStore(
  dir: string,
  path: string,
  identity: { data: string; code: string },
  settings: [string, Map<IsoDate, RawDay>][],
): void {
  const regions: Float64Array[] = [];
  let offset = 0;
  const header: Header = {
    format: FORMAT,
    ...identity,
    settings: settings.map(([key, days]) => {
      const entries: Record<string, HeaderDay> = {};
      for (const [date, day] of days) {
        entries[date] = [day.previousDay, day.pick, day.warnings, day.symbols, offset, day.values.length];
        regions.push(day.values);
        offset += day.values.length;
      }
      return [key, entries];
    }),
  };
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const valuesStart = align8(12 + json.length);
  const bytes = Buffer.alloc(valuesStart + offset * 8);
  bytes.write(MAGIC, 0, "latin1");
  bytes.writeUInt32LE(json.length, 8);
  json.copy(bytes, 12);
  const values = new Float64Array(bytes.buffer, bytes.byteOffset + valuesStart, offset);
  let at = 0;
  for (const r of regions) {
    values.set(r, at);
    at += r.length;
  }
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, bytes, { mode: 0o644 });
    renameSync(temp, path);
    rmSync(join(dir, OLD_FILE), { force: true });
  } catch {
    rmSync(temp, { force: true });
  }
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
