import { type Candle, sortAndDropRepeatedStarts } from "../../domain/candle.js";
import { addDays, dayNumber, type IsoDate, istPartsOf } from "../../domain/ist.js";
import { type KiteResult, kiteOk } from "./kite-errors.js";
import type { KiteInterval, KiteRest } from "./kite-rest.js";

/*
 * Historical candles over any range: Kite answers at most so many days a request for each
 * interval, so a range is split into chunks of whole IST days within that limit and asked for
 * one chunk after the other (the REST client's historical class keeps to 3 requests a second).
 */

/** Kite's longest range, in days, of one historical request for each interval. */
export const MAX_DAYS_PER_REQUEST: Readonly<Record<KiteInterval, number>> = {
  minute: 60,
  "3minute": 100,
  "5minute": 100,
  "10minute": 100,
  "15minute": 200,
  "30minute": 200,
  "60minute": 400,
  day: 2000,
};

/** Kite's interval for candles of `minutes` minutes; null when Kite has none. */
export function intervalOfMinutes(minutes: number): KiteInterval | null {
  if (minutes === 1) return "minute";
  if ([3, 5, 10, 15, 30, 60].includes(minutes)) return `${minutes}minute` as KiteInterval;
  return null;
}

/** One request's range: IST wall-clock texts as Kite takes them. */
export interface HistoricalChunk {
  from: string;
  to: string;
}

/**
 * Splits the days `from`..`to` (both included) into requests of at most the interval's limit:
 * each chunk runs from 00:00:00 of its first day to 23:59:59 of its last.
 */
export function historicalChunks(interval: KiteInterval, from: IsoDate, to: IsoDate): HistoricalChunk[] {
  const limit = MAX_DAYS_PER_REQUEST[interval];
  const chunks: HistoricalChunk[] = [];
  for (let start = from; start <= to; start = addDays(start, limit)) {
    const last = addDays(start, limit - 1);
    const end = last < to ? last : to;
    chunks.push({ from: `${start} 00:00:00`, to: `${end} 23:59:59` });
  }
  return chunks;
}

/** What to fetch. */
export interface HistoricalRequest {
  instrumentToken: number;
  interval: KiteInterval;
  /** First day, IST. */
  from: IsoDate;
  /** Last day, IST (included). */
  to: IsoDate;
}

/** Candles of a range, by IST day, each day in time order. */
export interface HistoricalCandles {
  days: Map<IsoDate, Candle[]>;
  /** Rows left out: repeated starts, or values that are not finite numbers. */
  skipped: number;
}

/** Fetches a range chunk by chunk; the first failing chunk fails the whole. */
export async function fetchHistoricalCandles(
  kite: Pick<KiteRest, "historical">,
  request: HistoricalRequest,
): Promise<KiteResult<HistoricalCandles>> {
  if (dayNumber(request.from) > dayNumber(request.to)) return kiteOk({ days: new Map(), skipped: 0 });
  const days = new Map<IsoDate, Candle[]>();
  let skipped = 0;
  for (const chunk of historicalChunks(request.interval, request.from, request.to)) {
    const rows = await kite.historical(request.instrumentToken, request.interval, chunk.from, chunk.to);
    if (!rows.ok) return rows;
    for (const row of rows.value) {
      const values = [row.open, row.high, row.low, row.close, row.volume];
      if (!values.every(Number.isFinite)) {
        skipped++;
        continue;
      }
      const { date, minute } = istPartsOf(row.time);
      let list = days.get(date);
      if (!list) {
        list = [];
        days.set(date, list);
      }
      list.push({
        start: minute,
        open: row.open,
        high: row.high,
        low: row.low,
        close: row.close,
        volume: row.volume,
      });
    }
  }
  for (const list of days.values()) skipped += sortAndDropRepeatedStarts(list);
  return kiteOk({ days: new Map([...days].sort(([a], [b]) => (a < b ? -1 : 1))), skipped });
}
