/** The synthetic options: Black-Scholes premiums along the index path, as candle rows with volume. */
import { dayNumber, type IsoDate } from "../domain/ist.js";
import {
  type Candle,
  candleOf,
  cents,
  clamp,
  SESSION_END,
  type SessionClock,
  SUB_STEPS,
  toTicks,
} from "./sample-candles.js";
import type { Rng } from "./sample-rng.js";

const MINUTES_PER_YEAR = 365 * 24 * 60;
const RISK_FREE_RATE = 0.065;
/** Floor on time to expiry so expiry-day premiums stay positive and finite up to the last tick. */
const MIN_MINUTES_TO_EXPIRY = 5;

/** One day of one expiry's contracts: the index path they are priced on. */
export interface OptionDay {
  date: IsoDate;
  expiry: IsoDate;
  path: Float64Array;
  iv: number;
  clock: SessionClock;
  /** Volume is a whole number of lots. */
  lotSize: number;
}

/** Premiums of one strike's call and put at every path point (buffers reused between strikes). */
export interface Premiums {
  call: Float64Array;
  put: Float64Array;
}

/** The day's CSV rows of the call and the put at `strike`. */
export function optionCsv(
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
      `${ts},${cents(c.open)},${cents(c.high)},${cents(c.low)},${cents(c.close)},${volume(rng, activity, c, day.lotSize)}\n`,
    );
    put.push(
      `${ts},${cents(q.open)},${cents(q.high)},${cents(q.low)},${cents(q.close)},${volume(rng, activity, q, day.lotSize)}\n`,
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
function volume(rng: Rng, activity: number, candle: Candle, lotSize: number): number {
  const move = candle.open > 0 ? Math.abs(candle.close - candle.open) / candle.open : 0;
  const lots = 25 * activity * (1 + 10 * move) * Math.exp(0.8 * rng.normal());
  return lotSize * Math.max(1, Math.round(lots));
}
