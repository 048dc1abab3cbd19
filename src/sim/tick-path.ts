/**
 * The ticks inside a candle. A candle says where the price opened, how high and how low it
 * went and where it closed; the replay needs the trades in between. Each candle becomes 4-12
 * ticks (seeded): the open first, then the high and the low (the high first on a red candle,
 * the low first on a green one, a seeded coin on a doji), then the close, with prices in
 * between on the tick grid and never outside the candle's range. Volumes are split so that
 * they add up to the candle's exactly: candles rebuilt from these ticks are the data's candles.
 */
import type { Candle } from "../domain/candle.js";
import type { CandleSeries } from "../domain/candle-series.js";
import { type IsoDate, istEpochMs } from "../domain/ist.js";
import { hashString, SeededRandom } from "./rng.js";

/** One trade of the replay. */
export interface PathTick {
  /** Epoch milliseconds. */
  time: number;
  price: number;
  quantity: number;
}

const MIN_TICKS = 4;
const MAX_TICKS = 12;

/** The ticks of one candle, from `startMs` to before `startMs + intervalMs`. */
export function candleTicks(
  c: Candle,
  startMs: number,
  intervalMs: number,
  priceStep: number,
  rng: SeededRandom,
): PathTick[] {
  const n = rng.int(MIN_TICKS, MAX_TICKS);
  const highFirst = c.close < c.open ? true : c.close > c.open ? false : rng.next() < 0.5;
  const i1 = rng.int(1, n - 3);
  const i2 = rng.int(i1 + 1, n - 2);
  const anchors: Array<[number, number]> = [
    [0, c.open],
    [i1, highFirst ? c.high : c.low],
    [i2, highFirst ? c.low : c.high],
    [n - 1, c.close],
  ];
  const prices = new Array<number>(n);
  for (let a = 0; a < anchors.length - 1; a++) {
    const [ia, va] = anchors[a] as [number, number];
    const [ib, vb] = anchors[a + 1] as [number, number];
    prices[ia] = va;
    const step = (vb - va) / (ib - ia);
    for (let k = ia + 1; k < ib; k++) {
      const noise = (rng.next() - 0.5) * 0.8 * Math.abs(step);
      const p = onGrid(va + step * (k - ia) + noise, priceStep);
      prices[k] = Math.min(c.high, Math.max(c.low, p));
    }
  }
  prices[n - 1] = c.close;

  const weights = new Array<number>(n);
  let total = 0;
  for (let k = 0; k < n; k++) {
    weights[k] = 0.2 + rng.next();
    total += weights[k] as number;
  }
  const volume = Math.max(0, Math.round(c.volume));
  const ticks: PathTick[] = new Array(n);
  let given = 0;
  for (let k = 0; k < n; k++) {
    const quantity = k === n - 1 ? volume - given : Math.floor((volume * (weights[k] as number)) / total);
    given += quantity;
    ticks[k] = { time: startMs + Math.floor((k * intervalMs) / n), price: prices[k] as number, quantity };
  }
  return ticks;
}

/** Every tick of a contract's day, in time order; the same for the same seed, symbol and day. */
export function dayTicks(
  series: CandleSeries,
  symbol: string,
  date: IsoDate,
  intervalMinutes: number,
  priceStep: number,
  seed: number,
): PathTick[] {
  const out: PathTick[] = [];
  const intervalMs = intervalMinutes * 60_000;
  for (let i = 0; i < series.length; i++) {
    const c = series.at(i);
    const rng = new SeededRandom(hashString(`${symbol}|${date}|${c.start}`, seed));
    for (const t of candleTicks(c, istEpochMs(date, c.start), intervalMs, priceStep, rng)) out.push(t);
  }
  return out;
}

function onGrid(price: number, step: number): number {
  const decimals = step >= 1 ? 0 : Math.min(6, Math.ceil(-Math.log10(step) - 1e-9));
  return Number((Math.round(price / step) * step).toFixed(decimals));
}
