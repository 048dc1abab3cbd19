/**
 * India Standard Time helpers. IST is a fixed UTC+05:30 offset (no daylight saving), so
 * conversions are plain arithmetic and never depend on the host's time zone.
 *
 * Conventions used across the system:
 * - a trading date is an ISO calendar date string `YYYY-MM-DD` in IST;
 * - a time of day is an integer count of minutes since 00:00 IST (09:15 → 555);
 * - an instant is epoch milliseconds.
 */

export const IST_OFFSET_MINUTES = 330;
const IST_OFFSET_MS = IST_OFFSET_MINUTES * 60_000;
const DAY_MS = 86_400_000;

/** A calendar date in IST, formatted `YYYY-MM-DD`. */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const HHMM = /^(\d{1,2}):(\d{2})$/;

/** Dates already found valid: data files repeat the same few dates many times. */
const validDates = new Set<string>();

/** True when `text` is a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(text: string): boolean {
  if (validDates.has(text)) return true;
  const valid = checkIsoDate(text);
  if (valid && validDates.size < 100_000) validDates.add(text);
  return valid;
}

function checkIsoDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** Days since 1970-01-01 for an ISO date (no time zone involved). */
export function dayNumber(date: IsoDate): number {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  return Math.floor(Date.UTC(y, m - 1, d) / DAY_MS);
}

/** The ISO date of a day number (inverse of {@link dayNumber}). */
export function dateOfDayNumber(n: number): IsoDate {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** The date `days` days after `date` (negative goes back). */
export function addDays(date: IsoDate, days: number): IsoDate {
  return dateOfDayNumber(dayNumber(date) + days);
}

/** Day of the week of a date: 0 Sunday … 6 Saturday. */
export function weekdayOf(date: IsoDate): number {
  // 1970-01-01 was a Thursday (4).
  return (((dayNumber(date) + 4) % 7) + 7) % 7;
}

/** Parses `HH:MM` into minutes since midnight; throws on anything else. */
export function parseHhmm(text: string): number {
  const m = HHMM.exec(text);
  const h = m ? Number(m[1]) : Number.NaN;
  const min = m ? Number(m[2]) : Number.NaN;
  if (!m || h > 23 || min > 59) throw new Error(`expected a time HH:MM, found "${text}"`);
  return h * 60 + min;
}

/** Formats minutes since midnight as `HH:MM`. */
export function formatHhmm(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${h < 10 ? "0" : ""}${h}:${m < 10 ? "0" : ""}${m}`;
}

/** ISO 8601 timestamp with the IST offset, e.g. `2025-09-05T09:18:00+05:30`. */
export function isoIst(date: IsoDate, minuteOfDay: number): string {
  return `${date}T${formatHhmm(minuteOfDay)}:00+05:30`;
}

/** The epoch milliseconds of a date and IST time of day. */
export function istEpochMs(date: IsoDate, minuteOfDay: number): number {
  return dayNumber(date) * DAY_MS + minuteOfDay * 60_000 - IST_OFFSET_MS;
}

/** The IST date and minute of day of an instant. */
export function istPartsOf(epochMs: number): { date: IsoDate; minute: number; second: number } {
  const shifted = epochMs + IST_OFFSET_MS;
  const day = Math.floor(shifted / DAY_MS);
  const msOfDay = shifted - day * DAY_MS;
  return {
    date: dateOfDayNumber(day),
    minute: Math.floor(msOfDay / 60_000),
    second: Math.floor((msOfDay % 60_000) / 1000),
  };
}
