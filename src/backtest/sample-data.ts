/**
 * Deterministic synthetic market data in the backtest CSV format: an index path of 3-minute
 * candles (SENSEX-like, or NIFTY-like with `underlying: "NIFTY"`) and the weekly option
 * contracts around each day's ATM (22 by default), priced with Black-Scholes along the same
 * path. The underlying's profile gives the strike step, the lot size, the expiry weekday and
 * the holidays. Used by the demo and the benchmark, so it must be byte-identical for a seed and
 * fast enough to produce a year in a few seconds.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TradingCalendar } from "../domain/calendar.js";
import type { IsoDate } from "../domain/ist.js";
import { formatWeeklySymbol } from "../domain/symbols.js";
import {
  calendarOf,
  type UnderlyingProfile,
  underlyingProfile,
  weeklyExpiryOnOrAfter,
} from "../domain/underlyings.js";
import { SESSION_END, SESSION_START, sessionClock } from "./sample-candles.js";
import {
  type DayRegime,
  gapOpen,
  IV_MEAN,
  indexCsv,
  nextRegime,
  nudgeOpenOffTie,
  simulateIndexDay,
} from "./sample-index.js";
import { type OptionDay, optionCsv, type Premiums } from "./sample-options.js";
import { Rng } from "./sample-rng.js";

export interface SampleDataOptions {
  /** Directory the CSV files go to; created when missing, refused when it already holds CSVs. */
  outDir: string;
  /** Number of trading days to generate. */
  days: number;
  /** PRNG seed: the same seed gives byte-identical files. */
  seed: number;
  /** First calendar date; the first trading day on or after it is the first day (default 2025-01-01). */
  startDate?: IsoDate;
  /** The underlying (src/domain/underlyings.ts): its symbols, strikes, lot, expiries (default SENSEX). */
  underlying?: string;
  /** Distance between strikes (default: the underlying's strike step, 100 SENSEX, 50 NIFTY). */
  strikeInterval?: number;
  /** Strikes from ATM - strikeRange to ATM + strikeRange (default: 5 strike steps). */
  strikeRange?: number;
  /** Trading calendar (default: the underlying's exchange holidays). */
  calendar?: TradingCalendar;
  /** Candle length in minutes (default 3). */
  intervalMinutes?: number;
}

export interface SampleDataResult {
  /** CSV files written (one per option contract plus the index file). */
  files: number;
  /** Candle rows written, index and options together. */
  candles: number;
  /** The trading days generated, in order. */
  days: IsoDate[];
  firstDay: IsoDate;
  lastDay: IsoDate;
}

const CSV_HEADER = "timestamp,open,high,low,close,volume\n";

/** Writes a deterministic synthetic index + weekly options data set to `outDir` and reports what it wrote. */
export function writeSampleData(options: SampleDataOptions): SampleDataResult {
  const settings = resolveSettings(options);
  const { profile, calendar } = settings;
  prepareOutDir(settings.outDir);

  const days = tradingDays(calendar, settings.startDate, settings.days);
  const rng = new Rng(settings.seed);
  const clock = sessionClock(settings.intervalMinutes);
  const indexRows: string[] = [];
  const contracts = new Map<string, ContractFile>();
  const premiums: Premiums = { call: new Float64Array(clock.points), put: new Float64Array(clock.points) };
  let candles = 0;
  let previousClose = profile.typicalLevel * Math.exp(0.02 * rng.normal());
  let regime: DayRegime = { iv: IV_MEAN, realisedVol: IV_MEAN };

  for (const [n, date] of days.entries()) {
    regime = nextRegime(rng, regime);
    const path = simulateIndexDay(rng, n === 0 ? previousClose : gapOpen(rng, previousClose), regime, clock);
    previousClose = path[path.length - 1] as number;
    const open = nudgeOpenOffTie(path, settings.strikeInterval);
    indexRows.push(indexCsv(date, path, clock));
    candles += clock.candles;

    const atm = Math.round(open / settings.strikeInterval) * settings.strikeInterval;
    const expiry = weeklyExpiryOnOrAfter(profile, calendar, date);
    const expiries = [expiry];
    // On expiry day the next week's contracts trade too (as on the exchange), so that on the
    // day after they have the previous day that their pivots come from.
    if (expiry === date)
      expiries.push(weeklyExpiryOnOrAfter(profile, calendar, calendar.nextTradingDay(date)));
    for (const e of expiries) {
      const day: OptionDay = {
        date,
        expiry: e,
        path,
        iv: regime.iv,
        clock,
        lotSize: profile.fallbackLotSize,
      };
      for (let k = -settings.strikeRange; k <= settings.strikeRange; k += settings.strikeInterval) {
        const strike = atm + k;
        const [ce, pe] = optionCsv(rng, day, premiums, strike, settings.strikeInterval);
        // Weekly symbols for every expiry: the real master names the month's last expiry with a
        // monthly symbol, but nothing in the backtest depends on it and weekly ones are simpler.
        appendContract(contracts, formatWeeklySymbol(profile.name, e, strike, "CE"), date, ce);
        appendContract(contracts, formatWeeklySymbol(profile.name, e, strike, "PE"), date, pe);
        candles += 2 * clock.candles;
      }
    }
  }

  const firstDay = days[0] as IsoDate;
  // The index file is named by the underlying (`NIFTY_…`), as the backtest's data reads it.
  writeCsv(settings.outDir, `${profile.name}_${firstDay}.csv`, indexRows);
  for (const [symbol, file] of contracts)
    writeCsv(settings.outDir, `${symbol}_${file.firstDay}.csv`, file.rows);
  return { files: contracts.size + 1, candles, days, firstDay, lastDay: days[days.length - 1] as IsoDate };
}

// ---------------------------------------------------------------------------------------------
// Settings and files

interface Settings {
  outDir: string;
  days: number;
  seed: number;
  startDate: IsoDate;
  profile: UnderlyingProfile;
  strikeInterval: number;
  strikeRange: number;
  calendar: TradingCalendar;
  intervalMinutes: number;
}

function resolveSettings(o: SampleDataOptions): Settings {
  const profile = underlyingProfile(o.underlying ?? "SENSEX");
  const s: Settings = {
    outDir: o.outDir,
    days: o.days,
    seed: o.seed,
    startDate: o.startDate ?? "2025-01-01",
    profile,
    strikeInterval: o.strikeInterval ?? profile.strikeStep,
    strikeRange: o.strikeRange ?? profile.defaultStrikeRange,
    calendar: o.calendar ?? calendarOf(profile),
    intervalMinutes: o.intervalMinutes ?? 3,
  };
  requirePositiveInteger("days", s.days);
  requirePositiveInteger("strikeInterval", s.strikeInterval);
  requirePositiveInteger("intervalMinutes", s.intervalMinutes);
  if (!Number.isInteger(s.seed)) throw new Error(`seed must be an integer, got ${s.seed}`);
  if (!Number.isInteger(s.strikeRange) || s.strikeRange < 0 || s.strikeRange % s.strikeInterval !== 0) {
    throw new Error(`strikeRange must be a non-negative multiple of strikeInterval, got ${s.strikeRange}`);
  }
  if (s.intervalMinutes > SESSION_END - SESSION_START) {
    throw new Error(`intervalMinutes must fit in the session, got ${s.intervalMinutes}`);
  }
  return s;
}

function requirePositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got ${value}`);
}

/** Creates the directory, refusing one that already holds CSVs so two data sets never mix. */
function prepareOutDir(outDir: string): void {
  if (existsSync(outDir) && readdirSync(outDir).some((name) => name.toLowerCase().endsWith(".csv"))) {
    throw new Error(`${outDir} already holds CSV files; choose an empty directory`);
  }
  mkdirSync(outDir, { recursive: true });
}

function writeCsv(outDir: string, name: string, chunks: string[]): void {
  writeFileSync(join(outDir, name), CSV_HEADER + chunks.join(""));
}

interface ContractFile {
  firstDay: IsoDate;
  rows: string[];
}

function appendContract(files: Map<string, ContractFile>, symbol: string, date: IsoDate, rows: string): void {
  const file = files.get(symbol);
  if (file) file.rows.push(rows);
  else files.set(symbol, { firstDay: date, rows: [rows] });
}

// ---------------------------------------------------------------------------------------------
// Calendar

function tradingDays(calendar: TradingCalendar, start: IsoDate, count: number): IsoDate[] {
  const days: IsoDate[] = [];
  let day = calendar.isTradingDay(start) ? start : calendar.nextTradingDay(start);
  while (days.length < count) {
    days.push(day);
    day = calendar.nextTradingDay(day);
  }
  return days;
}
