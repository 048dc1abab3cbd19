/*
 * Time on the chart's axis. lightweight-charts shows timestamps as UTC, so a candle's time is
 * its IST wall-clock time written as if it were UTC: the axis then reads IST in any browser
 * zone. Candles are IST minutes since midnight on the snapshot's date.
 */

import type { Candle } from "../../../domain/candle.js";

const DAY_S = 86_400;

/** Seconds for the chart of an IST date (`YYYY-MM-DD`) and minute of day. */
export function chartTimeOf(date: string, minuteOfDay: number): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) / 1000 + minuteOfDay * 60;
}

/** `HH:MM` of a chart time (its UTC parts are IST by construction). */
export function chartTimeLabel(seconds: number): string {
  const minuteOfDay = Math.floor((((seconds % DAY_S) + DAY_S) % DAY_S) / 60);
  const h = Math.floor(minuteOfDay / 60);
  const m = minuteOfDay % 60;
  return `${h < 10 ? "0" : ""}${h}:${m < 10 ? "0" : ""}${m}`;
}

/** The IST minute of day of an ISO 8601 timestamp, or null when unreadable. */
export function istMinuteOf(iso: string): number | null {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  const shifted = ms + 330 * 60_000;
  return Math.floor((((shifted % 86_400_000) + 86_400_000) % 86_400_000) / 60_000);
}

/**
 * The start of the candle that closed at `closeIso` (entries and exits happen at a candle's
 * close and the marker belongs on that candle): the last candle starting before that minute;
 * null when none does.
 */
export function candleStartAtClose(candles: readonly Candle[], closeIso: string): number | null {
  const minute = istMinuteOf(closeIso);
  if (minute === null) return null;
  let found: number | null = null;
  for (const c of candles) {
    if (c.start < minute) found = c.start;
    else break;
  }
  return found;
}

/**
 * The price range the chart keeps in view: every candle, the levels given as `always` (the
 * position's stop and target), and the nearest pivot level above and below the candles, so
 * the trader sees what price is heading for without distant levels squashing the candles.
 */
export function visiblePriceRange(
  candles: readonly Candle[],
  levels: readonly number[],
  always: readonly number[],
): { minValue: number; maxValue: number } | null {
  if (candles.length === 0) return null;
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const c of candles) {
    if (c.low < low) low = c.low;
    if (c.high > high) high = c.high;
  }
  let above = Number.POSITIVE_INFINITY;
  let below = Number.NEGATIVE_INFINITY;
  for (const level of levels) {
    if (level > high && level < above) above = level;
    if (level < low && level > below) below = level;
  }
  let minValue = Number.isFinite(below) ? below : low;
  let maxValue = Number.isFinite(above) ? above : high;
  for (const level of always) {
    if (!Number.isFinite(level)) continue;
    minValue = Math.min(minValue, level);
    maxValue = Math.max(maxValue, level);
  }
  return { minValue, maxValue };
}
