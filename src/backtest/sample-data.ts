/**
 * Deterministic synthetic market data in the backtest CSV format: a SENSEX-like index path of
 * 3-minute candles and the 22 weekly option contracts around each day's ATM, priced with
 * Black-Scholes along the same path. Used by the demo and the benchmark, so it must be
 * byte-identical for a seed and fast enough to produce a year in a few seconds.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TradingCalendar } from "../domain/calendar.js";
import { addDays, dayNumber, formatHhmm, type IsoDate, weekdayOf } from "../domain/ist.js";
import { formatWeeklySymbol } from "../domain/symbols.js";

export interface SampleDataOptions {
  /** Directory the CSV files go to; created when missing, refused when it already holds CSVs. */
  outDir: string;
  /** Number of trading days to generate. */
  days: number;
  /** PRNG seed: the same seed gives byte-identical files. */
  seed: number;
  /** First calendar date; the first trading day on or after it is the first day (default 2025-01-01). */
  startDate?: IsoDate;
  /** Underlying name used in the symbols and the index file name (default SENSEX). */
  underlying?: string;
  /** Distance between strikes (default 100). */
  strikeInterval?: number;
  /** Strikes from ATM - strikeRange to ATM + strikeRange (default 500). */
  strikeRange?: number;
  /** Trading calendar (default: BSE holidays). */
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

const SESSION_START = 9 * 60 + 15;
/** Session end, also the expiry time of weekly options (15:30 IST). */
const SESSION_END = 15 * 60 + 30;
const THURSDAY = 4;
const MINUTES_PER_YEAR = 365 * 24 * 60;
const TRADING_DAYS_PER_YEAR = 252;
const RISK_FREE_RATE = 0.065;
const LOT_SIZE = 20;
/** Path points per candle: the candle's OHLC come from these, so high/low are not just open/close. */
const SUB_STEPS = 10;
/** Floor on time to expiry so expiry-day premiums stay positive and finite up to the last tick. */
const MIN_MINUTES_TO_EXPIRY = 5;
const START_LEVEL = 80_000;
const GAP_SD = 0.005;
const IV_MEAN = 0.15;
const CSV_HEADER = "timestamp,open,high,low,close,volume\n";

/** Writes a deterministic synthetic index + weekly options data set to `outDir` and reports what it wrote. */
export function writeSampleData(options: SampleDataOptions): SampleDataResult {
  const settings = resolveSettings(options);
  prepareOutDir(settings.outDir);

  const days = tradingDays(settings.calendar, settings.startDate, settings.days);
  const rng = new Rng(settings.seed);
  const clock = sessionClock(settings.intervalMinutes);
  const indexRows: string[] = [];
  const contracts = new Map<string, ContractFile>();
  const premiums: Premiums = { call: new Float64Array(clock.points), put: new Float64Array(clock.points) };
  let candles = 0;
  let previousClose = START_LEVEL * Math.exp(0.02 * rng.normal());
  let regime: DayRegime = { iv: IV_MEAN, realisedVol: IV_MEAN };

  for (const [n, date] of days.entries()) {
    regime = nextRegime(rng, regime);
    const path = simulateIndexDay(rng, n === 0 ? previousClose : gapOpen(rng, previousClose), regime, clock);
    previousClose = path[path.length - 1] as number;
    const open = nudgeOpenOffTie(path, settings.strikeInterval);
    indexRows.push(indexCsv(date, path, clock));
    candles += clock.candles;

    const atm = Math.round(open / settings.strikeInterval) * settings.strikeInterval;
    const expiry = weeklyExpiryOnOrAfter(settings.calendar, date);
    const expiries = [expiry];
    // On expiry day the next week's contracts trade too (as on the exchange), so that on the
    // day after they have the previous day that their pivots come from.
    if (expiry === date)
      expiries.push(weeklyExpiryOnOrAfter(settings.calendar, settings.calendar.nextTradingDay(date)));
    for (const e of expiries) {
      const day: OptionDay = { date, expiry: e, path, iv: regime.iv, clock };
      for (let k = -settings.strikeRange; k <= settings.strikeRange; k += settings.strikeInterval) {
        const strike = atm + k;
        const [ce, pe] = optionCsv(rng, day, premiums, strike, settings.strikeInterval);
        // Weekly symbols for every expiry: the real master names the month's last expiry with a
        // monthly symbol, but nothing in the backtest depends on it and weekly ones are simpler.
        appendContract(contracts, formatWeeklySymbol(settings.underlying, e, strike, "CE"), date, ce);
        appendContract(contracts, formatWeeklySymbol(settings.underlying, e, strike, "PE"), date, pe);
        candles += 2 * clock.candles;
      }
    }
  }

  const firstDay = days[0] as IsoDate;
  writeCsv(settings.outDir, `${settings.underlying}_${firstDay}.csv`, indexRows);
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
  underlying: string;
  strikeInterval: number;
  strikeRange: number;
  calendar: TradingCalendar;
  intervalMinutes: number;
}

function resolveSettings(o: SampleDataOptions): Settings {
  const s: Settings = {
    outDir: o.outDir,
    days: o.days,
    seed: o.seed,
    startDate: o.startDate ?? "2025-01-01",
    underlying: o.underlying ?? "SENSEX",
    strikeInterval: o.strikeInterval ?? 100,
    strikeRange: o.strikeRange ?? 500,
    calendar: o.calendar ?? new TradingCalendar(),
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

/** The Thursday on or after `date`, moved back to the previous trading day when it is a holiday. */
function weeklyExpiryOnOrAfter(calendar: TradingCalendar, date: IsoDate): IsoDate {
  const thursday = addDays(date, (THURSDAY - weekdayOf(date) + 7) % 7);
  return calendar.onOrBefore(thursday);
}

// ---------------------------------------------------------------------------------------------
// Random numbers

/** mulberry32: tiny, fast, good enough for synthetic data, and identical on every platform. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

class Rng {
  private readonly next: () => number;
  private spare: number | undefined;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.next();
  }

  /** Standard normal by Box-Muller; the second value of each pair is kept for the next call. */
  normal(): number {
    if (this.spare !== undefined) {
      const z = this.spare;
      this.spare = undefined;
      return z;
    }
    const u1 = 1 - this.next(); // (0, 1]: log(0) would be -Infinity
    const u2 = this.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }
}

// ---------------------------------------------------------------------------------------------
// Index path

/** Time grid of one session: candle start minutes and the U-shaped variance weight of each path step. */
interface SessionClock {
  candles: number;
  /** Path points in a day (candles * SUB_STEPS). */
  points: number;
  /** `HH:MM:00+05:30` of each candle start. */
  candleTimes: string[];
  /** Minute of day of each path point. */
  pointMinutes: Float64Array;
  /** Variance weight of the step into each point, mean 1: the market moves most at open and close. */
  weights: Float64Array;
}

function sessionClock(intervalMinutes: number): SessionClock {
  const candles = Math.floor((SESSION_END - SESSION_START) / intervalMinutes);
  const points = candles * SUB_STEPS;
  const candleTimes: string[] = [];
  for (let i = 0; i < candles; i++)
    candleTimes.push(`${formatHhmm(SESSION_START + i * intervalMinutes)}:00+05:30`);
  const pointMinutes = new Float64Array(points);
  const weights = new Float64Array(points);
  let sum = 0;
  for (let p = 0; p < points; p++) {
    pointMinutes[p] = SESSION_START + (p * intervalMinutes) / SUB_STEPS;
    const t = p / points;
    const w = 1 + 3 * Math.exp(-t / 0.04) + Math.exp(-(1 - t) / 0.05);
    weights[p] = w;
    sum += w;
  }
  for (let p = 0; p < points; p++) weights[p] = (weights[p] as number) * (points / sum);
  return { candles, points, candleTimes, pointMinutes, weights };
}

/** A day's volatility: options are priced at `iv`, the index actually moves at `realisedVol`. */
interface DayRegime {
  iv: number;
  realisedVol: number;
  trend?: { drift: number; from: number; to: number };
}

/** Next day's regime: IV mean-reverts slowly, realised vol scatters around it, some days trend. */
function nextRegime(rng: Rng, previous: DayRegime): DayRegime {
  const iv = clamp(IV_MEAN + 0.75 * (previous.iv - IV_MEAN) + 0.012 * rng.normal(), 0.11, 0.21);
  // Realised below implied on average (the variance premium); gaps add the rest of the daily vol.
  const realisedVol = clamp(0.8 * iv * Math.exp(0.3 * rng.normal()), 0.06, 0.3);
  if (rng.uniform() >= 0.3) return { iv, realisedVol };
  // A trend moves the index 0.4%-1.2% in one direction over a part of the session.
  const size = (0.004 + 0.008 * rng.uniform()) * (rng.uniform() < 0.5 ? -1 : 1);
  const from = 0.7 * rng.uniform();
  const to = Math.min(1, from + 0.15 + 0.35 * rng.uniform());
  return { iv, realisedVol, trend: { drift: size, from, to } };
}

function gapOpen(rng: Rng, previousClose: number): number {
  return previousClose * Math.exp(GAP_SD * rng.normal());
}

/** The index level at every path point of a day, starting at `open`. */
function simulateIndexDay(rng: Rng, open: number, regime: DayRegime, clock: SessionClock): Float64Array {
  const path = new Float64Array(clock.points);
  const stepSd = regime.realisedVol / Math.sqrt(TRADING_DAYS_PER_YEAR * clock.points);
  const trend = regime.trend;
  const trendSteps = trend ? Math.max(1, Math.round((trend.to - trend.from) * clock.points)) : 1;
  let logLevel = Math.log(open);
  path[0] = open;
  for (let p = 1; p < clock.points; p++) {
    const t = p / clock.points;
    const drift = trend && t >= trend.from && t < trend.to ? trend.drift / trendSteps : 0;
    logLevel += drift + stepSd * Math.sqrt(clock.weights[p] as number) * rng.normal();
    path[p] = Math.exp(logLevel);
  }
  return path;
}

/**
 * The index 09:15 open as written to the CSV, nudged by 0.01 off an exact half-strike so that
 * the ATM (round(open / interval)) never depends on how a reader breaks ties.
 */
function nudgeOpenOffTie(path: Float64Array, strikeInterval: number): number {
  const intervalCents = strikeInterval * 100;
  let openCents = Math.round((path[0] as number) * 100);
  if ((openCents * 2) % intervalCents === 0 && openCents % intervalCents !== 0) {
    openCents += 1;
    path[0] = openCents / 100;
  }
  return openCents / 100;
}

function indexCsv(date: IsoDate, path: Float64Array, clock: SessionClock): string {
  const rows: string[] = [];
  for (let i = 0; i < clock.candles; i++) {
    const c = candleOf(path, i, toCents);
    rows.push(
      `${date} ${clock.candleTimes[i]},${cents(c.open)},${cents(c.high)},${cents(c.low)},${cents(c.close)},0\n`,
    );
  }
  return rows.join("");
}

// ---------------------------------------------------------------------------------------------
// Options

interface OptionDay {
  date: IsoDate;
  expiry: IsoDate;
  path: Float64Array;
  iv: number;
  clock: SessionClock;
}

/** Premiums of one strike's call and put at every path point (buffers reused between strikes). */
interface Premiums {
  call: Float64Array;
  put: Float64Array;
}

/** The day's CSV rows of the call and the put at `strike`. */
function optionCsv(
  rng: Rng,
  day: OptionDay,
  premiums: Premiums,
  strike: number,
  strikeInterval: number,
): [string, string] {
  const { clock, path } = day;
  const daysToExpiry = dayNumber(day.expiry) - dayNumber(day.date);
  const spotOpen = path[0] as number;
  for (let p = 0; p < clock.points; p++) {
    const spot = path[p] as number;
    const minutes = Math.max(
      MIN_MINUTES_TO_EXPIRY,
      daysToExpiry * 1440 + SESSION_END - (clock.pointMinutes[p] as number),
    );
    const years = minutes / MINUTES_PER_YEAR;
    const sigma = impliedVol(day.iv, spot, spotOpen, strike, years);
    blackScholes(spot, strike, years, sigma, premiums, p);
  }
  // Volume: more lots near the money, at the open and close, on expiry day, and on big candles.
  const distance = (strike - spotOpen) / (2.5 * strikeInterval);
  const nearness = 0.15 + 0.85 * Math.exp(-distance * distance);
  const expiryBoost = daysToExpiry === 0 ? 2 : 1;
  const call: string[] = [];
  const put: string[] = [];
  for (let i = 0; i < clock.candles; i++) {
    const ts = `${day.date} ${clock.candleTimes[i]}`;
    const activity = nearness * expiryBoost * (clock.weights[i * SUB_STEPS] as number);
    const c = candleOf(premiums.call, i, toTicks);
    const q = candleOf(premiums.put, i, toTicks);
    call.push(
      `${ts},${cents(c.open)},${cents(c.high)},${cents(c.low)},${cents(c.close)},${volume(rng, activity, c)}\n`,
    );
    put.push(
      `${ts},${cents(q.open)},${cents(q.high)},${cents(q.low)},${cents(q.close)},${volume(rng, activity, q)}\n`,
    );
  }
  // Joined per day into flat strings: `+=` ropes cost about a second of GC for a year of data.
  return [call.join(""), put.join("")];
}

/**
 * Implied vol of a strike: the day's level, rising as the index falls (spot-vol correlation),
 * with a skew (puts dearer) and a smile in standardised moneyness, clamped so the wings stay sane.
 */
function impliedVol(level: number, spot: number, spotOpen: number, strike: number, years: number): number {
  const atm = Math.max(0.06, level - 1.5 * Math.log(spot / spotOpen));
  const z = clamp(Math.log(strike / spot) / (atm * Math.sqrt(years)), -4, 4);
  return atm * (1 - 0.04 * z + 0.02 * z * z);
}

/** Black-Scholes call and put (no dividends) at path point `p`, written into `out`. */
function blackScholes(
  spot: number,
  strike: number,
  years: number,
  sigma: number,
  out: Premiums,
  p: number,
): void {
  const sd = sigma * Math.sqrt(years);
  const d1 = (Math.log(spot / strike) + (RISK_FREE_RATE + 0.5 * sigma * sigma) * years) / sd;
  const d2 = d1 - sd;
  const discounted = strike * Math.exp(-RISK_FREE_RATE * years);
  const n1 = normalCdf(d1);
  const n2 = normalCdf(d2);
  out.call[p] = spot * n1 - discounted * n2;
  out.put[p] = discounted * (1 - n2) - spot * (1 - n1);
}

/**
 * Standard normal CDF, Hart (1968) as given by West (2005): accurate to about 1e-14, so premiums
 * carry no visible error even deep out of the money.
 */
function normalCdf(x: number): number {
  const a = Math.abs(x);
  let tail: number;
  if (a > 37) tail = 0;
  else {
    const e = Math.exp((-a * a) / 2);
    if (a < 7.07106781186547) {
      let n = 3.52624965998911e-2 * a + 0.700383064443688;
      n = n * a + 6.37396220353165;
      n = n * a + 33.912866078383;
      n = n * a + 112.079291497871;
      n = n * a + 221.213596169931;
      n = n * a + 220.206867912376;
      let d = 8.83883476483184e-2 * a + 1.75566716318264;
      d = d * a + 16.064177579207;
      d = d * a + 86.7807322029461;
      d = d * a + 296.564248779674;
      d = d * a + 637.333633378831;
      d = d * a + 793.826512519948;
      d = d * a + 440.413735824752;
      tail = (e * n) / d;
    } else {
      let b = a + 0.65;
      b = a + 4 / b;
      b = a + 3 / b;
      b = a + 2 / b;
      b = a + 1 / b;
      tail = e / b / 2.506628274631;
    }
  }
  return x > 0 ? 1 - tail : tail;
}

/** Traded volume of a candle: lots scale with activity and the candle's size, always a whole lot. */
function volume(rng: Rng, activity: number, candle: Candle): number {
  const move = candle.open > 0 ? Math.abs(candle.close - candle.open) / candle.open : 0;
  const lots = 25 * activity * (1 + 10 * move) * Math.exp(0.8 * rng.normal());
  return LOT_SIZE * Math.max(1, Math.round(lots));
}

// ---------------------------------------------------------------------------------------------
// Candles and number formatting

/** A candle in integer cents, so the CSV never shows float noise. */
interface Candle {
  open: number;
  high: number;
  low: number;
  close: number;
}

/**
 * The OHLC of candle `i` from its path points. Rounding is monotone, so rounding the first,
 * max, min and last point keeps high >= open, close >= low.
 */
function candleOf(values: Float64Array, i: number, round: (x: number) => number): Candle {
  const from = i * SUB_STEPS;
  let high = values[from] as number;
  let low = high;
  for (let p = from + 1; p < from + SUB_STEPS; p++) {
    const v = values[p] as number;
    if (v > high) high = v;
    else if (v < low) low = v;
  }
  return {
    open: round(values[from] as number),
    high: round(high),
    low: round(low),
    close: round(values[from + SUB_STEPS - 1] as number),
  };
}

function toCents(price: number): number {
  return Math.round(price * 100);
}

/** Option premium in cents on the 0.05 tick, never below one tick (the exchange's minimum price). */
function toTicks(price: number): number {
  return 5 * Math.max(1, Math.round(price * 20));
}

/** Formats integer cents as `123.45`. */
function cents(value: number): string {
  const whole = Math.floor(value / 100);
  const frac = value - whole * 100;
  return `${whole}.${frac < 10 ? "0" : ""}${frac}`;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
