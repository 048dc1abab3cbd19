/**
 * The candles a simulator replays: a data directory in the backtest format, or a synthetic
 * market written by the sample-data generator. Picks the replay day and fills in the index
 * from the options where the data lacks it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataLoadError, loadCandleDirectory } from "../backtest/candle-directory.js";
import { writeSampleData } from "../backtest/sample-data.js";
import type { TradingCalendar } from "../domain/calendar.js";
import type { CandleSeries } from "../domain/candle-series.js";
import type { IsoDate } from "../domain/ist.js";
import { parseOptionSymbol } from "../domain/symbols.js";
import { deriveIndexSeries } from "./index-from-options.js";

/** Every candle the simulator knows, by day and symbol, and the day it replays. */
export interface SimMarketData {
  /** The day the market replay plays. */
  date: IsoDate;
  /** Every day of the data, ascending (days after `date` are never served). */
  days: IsoDate[];
  byDay: Map<IsoDate, Map<string, CandleSeries>>;
  /** Length of the data's candles in minutes (3 for the real data). */
  intervalMinutes: number;
  /** The index the options are written on (SENSEX). */
  underlying: string;
  /** Days whose index candles were derived from the options (put-call parity). */
  derivedIndexDays: IsoDate[];
  /** Where the candles came from: the directory, or "synthetic". */
  source: string;
}

/** The data cannot be used for a replay (missing directory, unknown day, no candles). */
export class SimDataError extends Error {}

export interface MarketDataOptions {
  dataDir?: string;
  date?: IsoDate;
  seed: number;
  calendar: TradingCalendar;
  warn: (message: string) => void;
}

/** Loads (or generates) the market and picks the replay day. */
export function loadSimMarketData(o: MarketDataOptions): SimMarketData {
  let byDay: Map<IsoDate, Map<string, CandleSeries>>;
  let source: string;
  if (o.dataDir) {
    try {
      byDay = loadCandleDirectory(o.dataDir, o.warn).byDay;
    } catch (e) {
      if (e instanceof DataLoadError) throw new SimDataError(e.message);
      throw e;
    }
    source = o.dataDir;
  } else {
    byDay = syntheticMarket(o.seed, o.calendar, o.date);
    source = "synthetic";
  }
  const days = [...byDay.keys()].sort();
  const date = o.date ?? defaultDay(days, o.calendar);
  if (!byDay.has(date)) {
    throw new SimDataError(
      `the data holds no candles for ${date} (days: ${days.length > 6 ? `${days[0]} … ${days[days.length - 1]}` : days.join(", ")})`,
    );
  }
  const underlying = underlyingOf(byDay.get(date) as Map<string, CandleSeries>);
  const derivedIndexDays: IsoDate[] = [];
  for (const day of days) {
    const symbols = byDay.get(day) as Map<string, CandleSeries>;
    if (symbols.has(underlying)) continue;
    const index = deriveIndexSeries(symbols, underlying, day);
    if (index) {
      symbols.set(underlying, index);
      derivedIndexDays.push(day);
    }
  }
  return {
    date,
    days,
    byDay,
    intervalMinutes: intervalOf(byDay.get(date) as Map<string, CandleSeries>),
    underlying,
    derivedIndexDays,
    source,
  };
}

/** Two synthetic days (the second is replayed), generated into a temporary directory and read back. */
function syntheticMarket(
  seed: number,
  calendar: TradingCalendar,
  date: IsoDate | undefined,
): Map<IsoDate, Map<string, CandleSeries>> {
  const dir = mkdtempSync(join(tmpdir(), "pivot-sim-"));
  try {
    if (date && !calendar.isTradingDay(date)) {
      throw new SimDataError(`${date} is not a trading day; the synthetic market only has trading days`);
    }
    const startDate = date ? calendar.previousTradingDay(date) : "2025-09-01";
    writeSampleData({ outDir: dir, days: 2, seed, startDate, calendar });
    return loadCandleDirectory(dir, () => {}).byDay;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The first day whose previous trading day is in the data (so pivots exist); else the second, else the only day. */
function defaultDay(days: IsoDate[], calendar: TradingCalendar): IsoDate {
  const present = new Set(days);
  const withPrevious = days.find((d) => present.has(calendar.previousTradingDay(d)));
  const day = withPrevious ?? days[1] ?? days[0];
  if (!day) throw new SimDataError("the data holds no candles");
  return day;
}

/** The underlying most option symbols of the day are written on (SENSEX by default). */
function underlyingOf(symbols: Map<string, CandleSeries>): string {
  const counts = new Map<string, number>();
  for (const s of symbols.keys()) {
    const o = parseOptionSymbol(s);
    if (o) counts.set(o.underlying, (counts.get(o.underlying) ?? 0) + 1);
  }
  let best = "SENSEX";
  let most = 0;
  for (const [name, n] of counts) {
    if (n > most) {
      best = name;
      most = n;
    }
  }
  return best;
}

/** The smallest gap between consecutive candle starts of the day (3 when it cannot be told). */
function intervalOf(symbols: Map<string, CandleSeries>): number {
  let smallest = Number.POSITIVE_INFINITY;
  for (const series of symbols.values()) {
    for (let i = 1; i < series.length; i++) {
      const gap = series.startAt(i) - series.startAt(i - 1);
      if (gap > 0 && gap < smallest) smallest = gap;
    }
  }
  return Number.isFinite(smallest) ? smallest : 3;
}
