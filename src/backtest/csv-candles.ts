import type { Candle } from "../domain/candle.js";
import { type IsoDate, IST_OFFSET_MINUTES, isIsoDate, istPartsOf } from "../domain/ist.js";

/*
 * A hand-written reader for the backtest candle CSV. A general CSV library would do, but
 * this is the hot path of every backtest (hundreds of thousands of rows): scanning the text
 * once with charCodeAt, parsing numbers in place and reusing the date string of the previous
 * row is several times faster than split() + parseFloat() + Date, and allocates only the
 * candles themselves. The format is simple (no quoting in Kite's exports), so nothing of a
 * general parser is missed.
 */

/** Rows of one file grouped by their own day (a file may hold several), in time order. */
export interface ParsedCandleFile {
  days: Map<IsoDate, Candle[]>;
  rows: number;
  /** Counts of rows that were skipped, by reason. */
  skipped: Map<string, number>;
}

/** A file whose header lacks a needed column. */
export class CandleFileError extends Error {}

const REQUIRED = ["open", "high", "low", "close"] as const;

/** Parses the text of one candle CSV; columns are found by header name, extra ones ignored. */
export function parseCandleCsv(text: string): ParsedCandleFile {
  const headerEnd = lineEnd(text, 0);
  const header = text
    .slice(0, headerEnd)
    .split(",")
    .map((h) => h.trim().replace(/^"|"$/g, "").toLowerCase());
  const col = (name: string) => header.indexOf(name);
  const missing = REQUIRED.filter((c) => col(c) < 0);
  const tsCol = col("timestamp") >= 0 ? col("timestamp") : col("date");
  if (tsCol < 0) missing.push("timestamp" as never);
  if (missing.length > 0) {
    throw new CandleFileError(`missing column(s) ${missing.join(", ")} (header: ${header.join(",")})`);
  }
  const iOpen = col("open");
  const iHigh = col("high");
  const iLow = col("low");
  const iClose = col("close");
  const iVolume = col("volume");
  const fieldCount = header.length;
  const starts = new Int32Array(fieldCount + 1);

  const days = new Map<IsoDate, Candle[]>();
  const skipped = new Map<string, number>();
  const skip = (why: string) => skipped.set(why, (skipped.get(why) ?? 0) + 1);
  let rows = 0;
  let dayKey = "";
  let dayRows: Candle[] = [];
  const unsorted = new Set<Candle[]>();
  let pos = headerEnd + 1;
  const n = text.length;

  while (pos < n) {
    const end = lineEnd(text, pos);
    let stop = end;
    if (stop > pos && text.charCodeAt(stop - 1) === 13) stop--; // CRLF
    if (stop === pos) {
      pos = end + 1;
      continue;
    }
    rows++;
    // Field boundaries: starts[k] is the first char of field k, starts[k+1]-1 its comma.
    let k = 0;
    starts[0] = pos;
    for (let i = pos; i < stop && k < fieldCount; i++) {
      if (text.charCodeAt(i) === 44) starts[++k] = i + 1;
    }
    if (k !== fieldCount - 1) {
      skip("wrong number of fields");
      pos = end + 1;
      continue;
    }
    starts[fieldCount] = stop + 1;
    const fieldEnd = (f: number) => (starts[f + 1] as number) - 1;

    const open = parseNumber(text, starts[iOpen] as number, fieldEnd(iOpen));
    const high = parseNumber(text, starts[iHigh] as number, fieldEnd(iHigh));
    const low = parseNumber(text, starts[iLow] as number, fieldEnd(iLow));
    const close = parseNumber(text, starts[iClose] as number, fieldEnd(iClose));
    const volume = iVolume >= 0 ? parseNumber(text, starts[iVolume] as number, fieldEnd(iVolume)) : 0;
    if (Number.isNaN(open + high + low + close + volume)) {
      skip("non-numeric value");
      pos = end + 1;
      continue;
    }
    if (high < low) {
      skip("high below low");
      pos = end + 1;
      continue;
    }
    const tsStart = starts[tsCol] as number;
    const stamp = parseTimestamp(text, tsStart, fieldEnd(tsCol), dayKey);
    if (stamp === null) {
      skip("unreadable timestamp");
      pos = end + 1;
      continue;
    }
    if (stamp.date !== dayKey) {
      dayKey = stamp.date;
      let list = days.get(dayKey);
      if (!list) {
        list = [];
        days.set(dayKey, list);
      } else unsorted.add(list);
      dayRows = list;
    }
    const last = dayRows[dayRows.length - 1];
    if (last && stamp.minute <= last.start) unsorted.add(dayRows);
    dayRows.push({ start: stamp.minute, open, high, low, close, volume });
    pos = end + 1;
  }

  for (const list of unsorted) {
    const dupes = sortAndDedupe(list);
    if (dupes > 0) skipped.set("duplicate timestamp", (skipped.get("duplicate timestamp") ?? 0) + dupes);
  }
  return { days, rows, skipped };
}

/** Sorts a day's candles by start (stable) and drops later rows of a repeated start; returns how many. */
function sortAndDedupe(list: Candle[]): number {
  list.sort((a, b) => a.start - b.start);
  let w = 0;
  for (let r = 0; r < list.length; r++) {
    const c = list[r] as Candle;
    if (w > 0 && (list[w - 1] as Candle).start === c.start) continue;
    list[w++] = c;
  }
  const removed = list.length - w;
  list.length = w;
  return removed;
}

function lineEnd(text: string, from: number): number {
  const i = text.indexOf("\n", from);
  return i < 0 ? text.length : i;
}

const POWERS_OF_TEN = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * Parses a plain decimal (`-12.35`) in place. With at most 15 digits the digits form an exact
 * integer, and one division by an exact power of ten rounds once: the same double as Number()
 * gives. Anything else (exponents, long numbers, junk) goes through Number(). NaN when not a number.
 */
export function parseNumber(s: string, start: number, end: number): number {
  let i = start;
  while (i < end && s.charCodeAt(i) === 32) i++;
  let e = end;
  while (e > i && s.charCodeAt(e - 1) === 32) e--;
  if (i === e) return Number.NaN;
  const first = s.charCodeAt(i);
  const negative = first === 45;
  if (negative || first === 43) i++;
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = -1;
  for (; i < e; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 46 && fractionDigits < 0) {
      fractionDigits = 0;
      continue;
    }
    const d = ch - 48;
    if (d < 0 || d > 9) break;
    mantissa = mantissa * 10 + d;
    digits++;
    if (fractionDigits >= 0) fractionDigits++;
  }
  if (i !== e || digits === 0 || digits > 15) return Number(s.slice(start, end).trim());
  const value = fractionDigits > 0 ? mantissa / (POWERS_OF_TEN[fractionDigits] as number) : mantissa;
  return negative ? -value : value;
}

/**
 * Reads `YYYY-MM-DD[ T]HH:MM[:SS][offset]` (Kite writes `+05:30` or `+0530`; no offset means
 * IST) into an IST date and minute of day. Reuses `previousDate` when the date is unchanged,
 * so that a file's rows share one string. Null when unreadable.
 */
export function parseTimestamp(
  s: string,
  start: number,
  end: number,
  previousDate: string,
): { date: IsoDate; minute: number } | null {
  let e = end;
  while (e > start && s.charCodeAt(e - 1) === 32) e--;
  if (e - start < 16) return null;
  const sep = s.charCodeAt(start + 10);
  if (sep !== 32 && sep !== 84) return null;
  const hh = twoDigits(s, start + 11);
  const mm = twoDigits(s, start + 14);
  if (hh < 0 || mm < 0 || s.charCodeAt(start + 13) !== 58 || hh > 23 || mm > 59) return null;
  let p = start + 16;
  if (p < e && s.charCodeAt(p) === 58) p += 3; // seconds
  if (p < e && s.charCodeAt(p) === 46) while (p < e && s.charCodeAt(p) !== 43 && s.charCodeAt(p) !== 45 && s.charCodeAt(p) !== 90) p++;
  const offset = parseOffset(s, p, e);
  if (offset === null) return null;

  let date: string;
  if (previousDate.length === 10 && s.startsWith(previousDate, start)) date = previousDate;
  else {
    date = s.slice(start, start + 10);
    if (!isIsoDate(date)) return null;
  }
  const minute = hh * 60 + mm;
  if (offset === IST_OFFSET_MINUTES) return { date, minute };
  const y = Number(date.slice(0, 4));
  const mo = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  const parts = istPartsOf(Date.UTC(y, mo - 1, d, hh, mm) - offset * 60_000);
  return { date: parts.date, minute: parts.minute };
}

/** Minutes east of UTC of `Z`, `+05:30`, `+0530`, `-04:00`, or IST when there is none; null when malformed. */
function parseOffset(s: string, p: number, e: number): number | null {
  if (p === e) return IST_OFFSET_MINUTES;
  const sign = s.charCodeAt(p);
  if (sign === 90 && p + 1 === e) return 0;
  if (sign !== 43 && sign !== 45) return null;
  const h = twoDigits(s, p + 1);
  const colon = s.charCodeAt(p + 3) === 58 ? 1 : 0;
  const m = twoDigits(s, p + 3 + colon);
  if (h < 0 || m < 0 || p + 5 + colon !== e) return null;
  return (sign === 45 ? -1 : 1) * (h * 60 + m);
}

function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}
