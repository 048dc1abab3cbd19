/**
 * `GET /instruments/historical/:token/:interval`: candles rebuilt from the same ticks the
 * replay plays, so any interval is served (finer ones than the data's too) and the replay
 * day stops at the current market time, the running candle included as Kite includes it.
 */
import { dayNumber, type IsoDate, istEpochMs } from "../domain/ist.js";
import type { SimInstrument } from "./instruments.js";
import { inputError } from "./kite-errors.js";
import { kiteCandleTime, parseKiteDateTime } from "./kite-time.js";
import { SESSION_START_MINUTE } from "./market-replay.js";
import type { TickSource } from "./tick-source.js";

/** Kite's intervals: candle length in minutes (0 = a day) and the most days one request may span. */
export const HISTORICAL_INTERVALS: Readonly<Record<string, { minutes: number; maxDays: number }>> = {
  minute: { minutes: 1, maxDays: 60 },
  "3minute": { minutes: 3, maxDays: 100 },
  "5minute": { minutes: 5, maxDays: 100 },
  "10minute": { minutes: 10, maxDays: 100 },
  "15minute": { minutes: 15, maxDays: 200 },
  "30minute": { minutes: 30, maxDays: 200 },
  "60minute": { minutes: 60, maxDays: 400 },
  day: { minutes: 0, maxDays: 2000 },
};

/** One row of `data.candles`: time, open, high, low, close, volume (and OI when asked). */
export type CandleRow = [string, number, number, number, number, number] | [string, ...number[]];

export interface HistoricalRequest {
  instrument: SimInstrument;
  interval: string;
  from: string | undefined;
  to: string | undefined;
  oi: boolean;
  /** The days the data holds. */
  days: readonly IsoDate[];
  ticks: TickSource;
  /** The replay day: nothing after it is served, and of it only what has been played. */
  replayDate: IsoDate;
  marketNow: number;
}

/** The candles of a request; throws KiteError (InputException) on bad parameters. */
export function historicalCandles(r: HistoricalRequest): CandleRow[] {
  const spec = HISTORICAL_INTERVALS[r.interval];
  if (!spec) throw inputError("Invalid `interval`.");
  const from = parseKiteDateTime(r.from ?? "");
  if (!from) throw inputError("Invalid `from` date.");
  const to = parseKiteDateTime(r.to ?? "");
  if (!to) throw inputError("Invalid `to` date.");
  if (from.epochMs > to.epochMs) throw inputError("`from` date should be before `to` date.");
  if (dayNumber(to.date) - dayNumber(from.date) > spec.maxDays) {
    throw inputError(`interval exceeds max limit: ${spec.maxDays} days`);
  }
  const rows: CandleRow[] = [];
  for (const day of r.days) {
    if (day < from.date || day > to.date || day > r.replayDate) continue;
    const cutoff = day === r.replayDate ? r.marketNow : Number.POSITIVE_INFINITY;
    const ticks = r.ticks.ticks(r.instrument, day);
    const midnight = istEpochMs(day, 0);
    let current: { start: number; o: number; h: number; l: number; c: number; v: number } | null = null;
    const flush = () => {
      if (!current) return;
      if (spec.minutes === 0 ? day >= from.date : current.start >= from.epochMs) {
        if (spec.minutes === 0 || current.start <= to.epochMs) {
          const row: CandleRow = [
            kiteCandleTime(current.start),
            current.o,
            current.h,
            current.l,
            current.c,
            current.v,
          ];
          if (r.oi) row.push(0);
          rows.push(row);
        }
      }
      current = null;
    };
    for (const t of ticks) {
      if (t.time > cutoff) break;
      const start =
        spec.minutes === 0 ? midnight : bucketStart(midnight, (t.time - midnight) / 60_000, spec.minutes);
      if (current && current.start !== start) flush();
      if (!current) current = { start, o: t.price, h: t.price, l: t.price, c: t.price, v: 0 };
      current.h = Math.max(current.h, t.price);
      current.l = Math.min(current.l, t.price);
      current.c = t.price;
      current.v += t.quantity;
    }
    flush();
  }
  return rows;
}

/** Start (epoch ms) of the candle holding `minute`, candles aligned to 09:15 as Kite's are. */
function bucketStart(midnight: number, minute: number, interval: number): number {
  const offset = Math.floor((minute - SESSION_START_MINUTE) / interval) * interval;
  return midnight + (SESSION_START_MINUTE + offset) * 60_000;
}
