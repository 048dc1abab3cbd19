/**
 * Kite's ways of writing time, all in IST: "YYYY-MM-DD HH:MM:SS" in orders, quotes and
 * postbacks, "YYYY-MM-DDTHH:MM:SS+0530" in historical candles.
 */
import { type IsoDate, isIsoDate, istEpochMs, istPartsOf } from "../domain/ist.js";

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** `HH:MM:SS` (IST) of an instant. */
export function kiteTimeOfDay(epochMs: number): string {
  const p = istPartsOf(epochMs);
  return `${pad2(Math.floor(p.minute / 60))}:${pad2(p.minute % 60)}:${pad2(p.second)}`;
}

/** `YYYY-MM-DD HH:MM:SS` (IST) of an instant, as Kite writes order and quote times. */
export function kiteTimestamp(epochMs: number): string {
  return `${istPartsOf(epochMs).date} ${kiteTimeOfDay(epochMs)}`;
}

/** `YYYY-MM-DDTHH:MM:SS+0530` of an instant, as Kite writes historical candle times. */
export function kiteCandleTime(epochMs: number): string {
  return `${istPartsOf(epochMs).date}T${kiteTimeOfDay(epochMs)}+0530`;
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * Parses Kite's `from`/`to` parameters: `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DD HH:MM` or
 * `YYYY-MM-DD` (midnight), read as IST. Null when unreadable.
 */
export function parseKiteDateTime(text: string): { date: IsoDate; epochMs: number } | null {
  const m = DATE_TIME.exec(text.trim());
  if (!m) return null;
  const date = m[1] as IsoDate;
  const [h, min, s] = [Number(m[2] ?? 0), Number(m[3] ?? 0), Number(m[4] ?? 0)];
  if (h > 23 || min > 59 || s > 59) return null;
  if (!isIsoDate(date)) return null;
  return { date, epochMs: istEpochMs(date, h * 60 + min) + s * 1000 };
}

/** Parses `HH:MM` or `HH:MM:SS` into milliseconds after midnight; null when unreadable. */
export function parseTimeOfDay(text: string): number | null {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) return null;
  const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (h > 23 || min > 59 || s > 59) return null;
  return ((h * 60 + min) * 60 + s) * 1000;
}
