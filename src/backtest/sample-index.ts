/** The synthetic index: a day's volatility regime, its opening gap and its intraday path. */
import type { IsoDate } from "../domain/ist.js";
import { candleOf, cents, clamp, type SessionClock, toCents } from "./sample-candles.js";
import type { Rng } from "./sample-rng.js";

const TRADING_DAYS_PER_YEAR = 252;
const GAP_SD = 0.005;
export const IV_MEAN = 0.15;

/** A day's volatility: options are priced at `iv`, the index actually moves at `realisedVol`. */
export interface DayRegime {
  iv: number;
  realisedVol: number;
  trend?: { drift: number; from: number; to: number };
}

/** Next day's regime: IV mean-reverts slowly, realised vol scatters around it, some days trend. */
export function nextRegime(rng: Rng, previous: DayRegime): DayRegime {
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

export function gapOpen(rng: Rng, previousClose: number): number {
  return previousClose * Math.exp(GAP_SD * rng.normal());
}

/** The index level at every path point of a day, starting at `open`. */
export function simulateIndexDay(
  rng: Rng,
  open: number,
  regime: DayRegime,
  clock: SessionClock,
): Float64Array {
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
export function nudgeOpenOffTie(path: Float64Array, strikeInterval: number): number {
  const intervalCents = strikeInterval * 100;
  let openCents = Math.round((path[0] as number) * 100);
  if ((openCents * 2) % intervalCents === 0 && openCents % intervalCents !== 0) {
    openCents += 1;
    path[0] = openCents / 100;
  }
  return openCents / 100;
}

export function indexCsv(date: IsoDate, path: Float64Array, clock: SessionClock): string {
  const rows: string[] = [];
  for (let i = 0; i < clock.candles; i++) {
    const c = candleOf(path, i, toCents);
    rows.push(
      `${date} ${clock.candleTimes[i]},${cents(c.open)},${cents(c.high)},${cents(c.low)},${cents(c.close)},0\n`,
    );
  }
  return rows.join("");
}
