import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../adapters/kite/atomic-file.js";
import { fetchHistoricalCandles } from "../adapters/kite/historical.js";
import type { KiteFailure } from "../adapters/kite/kite-errors.js";
import type { KiteInterval, KiteRest } from "../adapters/kite/kite-rest.js";
import { candleCsv } from "../backtest/csv-candles.js";
import type { Config } from "../config/schema.js";
import type { Candle } from "../domain/candle.js";
import { atmStrike, type Instrument, type InstrumentMaster } from "../domain/instruments.js";
import { type IsoDate, isIsoDate } from "../domain/ist.js";

/*
 * The day archive. Kite serves no candles of expired contracts, so the option chain a trader
 * may want to backtest over must be recorded while it is still live: after the close, the
 * day's chain around the money (the ATM of the open's spot and of the close's, ± the archive's
 * range, CE and PE, nearest expiry) and the index, in 1- and 3-minute candles, as backtest CSV
 * files (`<archive_dir>/candles-<N>minute/<SYMBOL>_<DATE>.csv`).
 *
 * Idempotent per day: a day is complete when its manifest (`days/<DATE>.json`) exists, written
 * last; a second run of a complete day asks Kite for nothing, and a run after a partial one
 * fetches only the files that are missing (each file is written atomically, so a file that
 * exists is whole).
 */

/** The archived intervals: the backtest's 3-minute candles and 1-minute ones for finer studies. */
export const ARCHIVE_INTERVALS: readonly { minutes: number; kite: KiteInterval }[] = [
  { minutes: 1, kite: "minute" },
  { minutes: 3, kite: "3minute" },
];

/** What the archive needs. */
export interface DayArchiveDeps {
  kite: Pick<KiteRest, "historical">;
  master: InstrumentMaster;
  config: Pick<Config, "trading" | "archive" | "data">;
  /** Progress lines (a file written); default none. */
  log?: (line: string) => void;
  /** Asked before each download: true ends the run early, the day left incomplete (the service stopping). */
  shouldStop?: () => boolean;
}

/** A day archived (now or before). */
export interface ArchivedDay {
  date: IsoDate;
  /** True when the day was complete before this run: nothing was fetched or written. */
  already: boolean;
  expiry: IsoDate;
  spotOpen: number;
  spotClose: number;
  /** The lowest and highest strike archived. */
  strikes: [number, number];
  /** Files written by this run. */
  written: string[];
  /** Files of an earlier, partial run that were kept. */
  kept: number;
  /** Contracts without a candle that day (no file for them). */
  empty: string[];
  /** Strikes of the window the master does not list (`80500CE`). */
  missing: string[];
}

/** Why a day could not be archived (in full). */
export type ArchiveFailure =
  | { kind: "kite"; failure: KiteFailure; message: string }
  | { kind: "data"; message: string }
  | { kind: "partial"; message: string; failed: string[] }
  | { kind: "stopped"; message: string };

export type ArchiveResult = { ok: true; day: ArchivedDay } | { ok: false; failure: ArchiveFailure };

/** The folder of an interval's files. */
export function archiveCandleDir(archiveDir: string, minutes: number): string {
  return join(archiveDir, `candles-${minutes}minute`);
}

function manifestPath(archiveDir: string, date: IsoDate): string {
  return join(archiveDir, "days", `${date}.json`);
}

/** How many days the archive holds complete (their manifests). */
export function archivedDayCount(archiveDir: string): number {
  try {
    return readdirSync(join(archiveDir, "days")).filter(
      (n) => n.endsWith(".json") && isIsoDate(n.slice(0, -5)),
    ).length;
  } catch {
    return 0; // no archive yet
  }
}

/** True when `date` is archived in full (its manifest, written last, exists). */
export function isDayArchived(archiveDir: string, date: IsoDate): boolean {
  return existsSync(manifestPath(archiveDir, date));
}

/** Archives `date` (see the file's comment). Never throws for Kite or data problems: a result. */
export async function archiveDay(deps: DayArchiveDeps, date: IsoDate): Promise<ArchiveResult> {
  try {
    return await archive(deps, date);
  } catch (e) {
    // A file that cannot be written (a full disk, a read-only folder): the day stays incomplete.
    const code = (e as NodeJS.ErrnoException).code;
    return dataFailure(
      `archiving ${date} in ${deps.config.data.archive_dir} failed: ${code ?? (e as Error).message}`,
    );
  }
}

async function archive(deps: DayArchiveDeps, date: IsoDate): Promise<ArchiveResult> {
  const { kite, master, config } = deps;
  const dir = config.data.archive_dir;
  const manifest = manifestPath(dir, date);
  const done = readManifest(manifest);
  if (done) return { ok: true, day: done };
  const underlying = config.trading.instrument;
  const index = master.indexOf(underlying);
  if (!index) return dataFailure(`the instrument master has no index ${underlying} (segment INDICES)`);

  // The index first: its day gives the strikes, and it is archived with the chain.
  const indexDays = new Map<KiteInterval, Candle[]>();
  for (const interval of ARCHIVE_INTERVALS) {
    const got = await fetchHistoricalCandles(kite, {
      instrumentToken: index.instrumentToken,
      interval: interval.kite,
      from: date,
      to: date,
    });
    if (!got.ok) return kiteFailure(got.error, `the ${underlying} candles`);
    indexDays.set(interval.kite, got.value.days.get(date) ?? []);
  }
  const minutes = indexDays.get("minute") ?? [];
  const first = minutes[0];
  const last = minutes[minutes.length - 1];
  if (!first || !last) return dataFailure(`Kite has no ${underlying} candles for ${date}`);
  const spotOpen = first.open;
  const spotClose = last.close;

  const expiry = master.nearestExpiry(underlying, date);
  if (!expiry)
    return dataFailure(`the instrument master lists no ${underlying} option expiring on or after ${date}`);
  const { strike_interval: step } = config.trading;
  const range = config.archive.strike_range;
  const atms = [atmStrike(spotOpen, step), atmStrike(spotClose, step)];
  const low = Math.min(...atms) - range;
  const high = Math.max(...atms) + range;
  const contracts: Instrument[] = [];
  const missing: string[] = [];
  for (let k = 0; low + k * step <= high + 1e-9; k++) {
    const strike = Math.round((low + k * step) * 1e6) / 1e6;
    for (const type of ["CE", "PE"] as const) {
      const c = master.option(underlying, expiry, strike, type);
      if (c) contracts.push(c);
      else missing.push(`${strike}${type}`);
    }
  }
  const summary = { date, expiry, spotOpen, spotClose, strikes: [low, high] as [number, number], missing };

  const written: string[] = [];
  let kept = 0;
  const write = (minutes: number, symbol: string, candles: readonly Candle[]) => {
    const path = join(archiveCandleDir(dir, minutes), `${symbol}_${date}.csv`);
    writeFileAtomic(path, candleCsv(date, candles), { mode: 0o644, dirMode: 0o755 });
    written.push(path);
    deps.log?.(`wrote ${path} (${candles.length} candles)`);
  };
  const exists = (minutes: number, symbol: string) =>
    existsSync(join(archiveCandleDir(dir, minutes), `${symbol}_${date}.csv`));

  for (const interval of ARCHIVE_INTERVALS) {
    const candles = indexDays.get(interval.kite) ?? [];
    if (exists(interval.minutes, index.tradingsymbol)) kept++;
    else if (candles.length > 0) write(interval.minutes, index.tradingsymbol, candles);
  }
  const empty = new Set<string>();
  const failed: string[] = [];
  for (const contract of contracts) {
    for (const interval of ARCHIVE_INTERVALS) {
      if (exists(interval.minutes, contract.tradingsymbol)) {
        kept++;
        continue;
      }
      if (deps.shouldStop?.()) {
        return {
          ok: false,
          failure: {
            kind: "stopped",
            message: `stopped before the end: run pivot archive --date ${date} to complete it`,
          },
        };
      }
      const got = await fetchHistoricalCandles(kite, {
        instrumentToken: contract.instrumentToken,
        interval: interval.kite,
        from: date,
        to: date,
      });
      if (!got.ok) {
        if (got.error.kind === "session_expired") return kiteFailure(got.error, contract.tradingsymbol);
        failed.push(`${contract.tradingsymbol} (${interval.kite}): ${got.error.message}`);
        continue;
      }
      const candles = got.value.days.get(date) ?? [];
      if (candles.length === 0) empty.add(contract.tradingsymbol);
      else write(interval.minutes, contract.tradingsymbol, candles);
    }
  }
  if (failed.length > 0) {
    return {
      ok: false,
      failure: {
        kind: "partial",
        failed,
        message: `${failed.length} download(s) failed (run again to complete the day): ${failed.slice(0, 3).join("; ")}${failed.length > 3 ? "; ..." : ""}`,
      },
    };
  }
  const day: ArchivedDay = { ...summary, already: false, written, kept, empty: [...empty].sort() };
  writeFileAtomic(
    manifest,
    `${JSON.stringify(
      {
        date,
        underlying,
        expiry,
        spot_open: spotOpen,
        spot_close: spotClose,
        strikes: day.strikes,
        intervals_minutes: ARCHIVE_INTERVALS.map((i) => i.minutes),
        contracts: contracts.map((c) => c.tradingsymbol),
        without_candles: day.empty,
        not_in_master: missing,
      },
      null,
      2,
    )}\n`,
    { mode: 0o644, dirMode: 0o755 },
  );
  return { ok: true, day };
}

/** One line for a log or a notification. */
export function describeArchivedDay(d: ArchivedDay, archiveDir: string): string {
  if (d.already) return `${d.date} is already archived in ${archiveDir}`;
  return `${d.date} archived in ${archiveDir}: ${d.written.length} file(s) written${d.kept > 0 ? `, ${d.kept} kept from an earlier run` : ""}; strikes ${d.strikes[0]}-${d.strikes[1]}, expiry ${d.expiry}${d.empty.length > 0 ? `; no candles for ${d.empty.length} contract(s)` : ""}`;
}

/** A complete day's figures from its manifest; null when the day is not complete. */
function readManifest(path: string): ArchivedDay | null {
  if (!existsSync(path)) return null;
  const m = JSON.parse(readFileSync(path, "utf8")) as {
    date: IsoDate;
    expiry: IsoDate;
    spot_open: number;
    spot_close: number;
    strikes: [number, number];
    without_candles: string[];
    not_in_master: string[];
  };
  return {
    date: m.date,
    already: true,
    expiry: m.expiry,
    spotOpen: m.spot_open,
    spotClose: m.spot_close,
    strikes: m.strikes,
    written: [],
    kept: 0,
    empty: m.without_candles,
    missing: m.not_in_master,
  };
}

function dataFailure(message: string): ArchiveResult {
  return { ok: false, failure: { kind: "data", message } };
}

function kiteFailure(failure: KiteFailure, what: string): ArchiveResult {
  return {
    ok: false,
    failure: { kind: "kite", failure, message: `cannot fetch ${what}: ${failure.message}` },
  };
}
