import type { Candle } from "../domain/candle.js";
import type { CandleSeries } from "../domain/candle-series.js";
import type { StrategyDay } from "../strategy/strategy-day.js";

/** The session's candle grid: closes every `interval` minutes from `start` to `end` (minutes of the day). */
export interface SessionGrid {
  start: number;
  end: number;
  interval: number;
}

/**
 * How the replay walks a series over the session grid, without its prices: the candles it
 * walks and a bit per slot of the grid (a close) that one of them falls at. Enough to replay
 * a contract the strategy does not need the candles of (StrategyDay.needsCandles), and kept
 * with a day's setups so that such a contract's candles need not be read at all.
 */
export interface SeriesWalk {
  candles: number;
  /** Bit `slot & 31` of word `slot >> 5`, words as unsigned 32-bit numbers (plain numbers: a day has dozens of walks). */
  slots: number[];
}

/** The slots of the grid. */
function slotCount(grid: SessionGrid): number {
  return Math.max(0, Math.ceil((grid.end - grid.start) / grid.interval));
}

/**
 * The walk of a series (none: no candle): a pointer that moves on when its candle starts at
 * the slot's time, as `replayDay` walks the series it feeds.
 */
export function walkOf(s: CandleSeries | null, grid: SessionGrid): SeriesWalk {
  const words = new Uint32Array(Math.ceil(slotCount(grid) / 32));
  let k = 0;
  for (
    let start = grid.start, slot = 0;
    s && start < grid.end && k < s.length;
    start += grid.interval, slot++
  ) {
    if (s.startAt(k) === start) {
      words[slot >>> 5] = (words[slot >>> 5] as number) | (1 << (slot & 31));
      k++;
    }
  }
  return { candles: k, slots: Array.from(words) };
}

/**
 * Feeds a day's candles to the strategy close by close. Every series is on the session grid,
 * so one pointer per contract walks them in step, and one scratch candle carries them all
 * (the strategy keeps no reference to it): no sorting, no allocation per candle. A contract
 * whose candles the strategy does not need (StrategyDay.needsCandles: most of a day's) is not
 * read: its walk (`walks[i]`) says which closes it has a candle at, and `series[i]` may be
 * null. Returns the candles of the day's contracts (fed or walked) and the closes signalled.
 */
export function replayDay(
  day: StrategyDay,
  series: readonly (CandleSeries | null)[],
  walks: readonly SeriesWalk[],
  grid: SessionGrid,
): { candles: number; closes: number } {
  const slots = slotCount(grid);
  // Closes at which a contract the strategy does not need has a candle.
  const walked = new Uint32Array(Math.ceil(slots / 32));
  let fed = 0;
  const fedTo: number[] = [];
  for (let i = 0; i < walks.length; i++) {
    if (day.needsCandles(i)) {
      if (series[i]) fedTo.push(i);
      continue;
    }
    const w = walks[i] as SeriesWalk;
    fed += w.candles;
    for (let word = 0; word < walked.length; word++) {
      walked[word] = (walked[word] as number) | (w.slots[word] as number);
    }
  }
  // The fed contracts' series and pointers side by side, and plain counted loops: this runs
  // once per day, mostly before V8 has optimised it, where every iterator and property costs.
  const fedSeries = fedTo.map((i) => series[i] as CandleSeries);
  const next = new Int32Array(fedTo.length);
  const scratch: Candle = { start: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  const { start: first, end, interval } = grid;
  let closes = 0;
  for (let start = first, slot = 0; start < end; start += interval, slot++) {
    let any = ((walked[slot >>> 5] as number) & (1 << (slot & 31))) !== 0;
    for (let j = 0; j < fedSeries.length; j++) {
      const s = fedSeries[j] as CandleSeries;
      const k = next[j] as number;
      if (k < s.length && s.startAt(k) === start) {
        day.onCandle(fedTo[j] as number, s.readInto(k, scratch));
        next[j] = k + 1;
        fed++;
        any = true;
      }
    }
    if (any) {
      day.onClose(start + interval);
      closes++;
    }
  }
  return { candles: fed, closes };
}
