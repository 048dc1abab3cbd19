import type { Candle } from "../domain/candle.js";
import { CandleSeries, CandleSeriesBuilder } from "../domain/candle-series.js";
import { IST_OFFSET_MINUTES, type IsoDate, isIsoDate, istPartsOf } from "../domain/ist.js";

/*
 * A hand-written reader for the backtest candle CSV. A general CSV library would do, but
 * this is the hot path of every backtest (hundreds of thousands of rows): scanning the file's
 * bytes once, parsing numbers in place and reusing the date string of the previous row is
 * several times faster than decoding + split() + parseFloat() + Date, and allocates only the
 * candles themselves. The format is simple (no quoting in Kite's exports), so nothing of a
 * general parser is missed.
 */

/** Rows of one file grouped by their own day (a file may hold several), in time order. */
export interface ParsedCandleFile {
  days: Map<IsoDate, CandleSeries>;
  rows: number;
  /** Counts of rows that were skipped, by reason. */
  skipped: Map<string, number>;
}

/** A file whose header lacks a needed column. */
export class CandleFileError extends Error {}

const REQUIRED = ["open", "high", "low", "close"] as const;
const COMMA = 44;
const NEWLINE = 10;
const CR = 13;
const SPACE = 32;

/** Parses one candle CSV (bytes, or text); columns are found by header name, extra ones ignored. */
export function parseCandleCsv(input: Uint8Array | string): ParsedCandleFile {
  const b = typeof input === "string" ? Buffer.from(input.replace(/^\uFEFF/, ""), "latin1") : input;
  const n = b.length;
  // A UTF-8 byte order mark (spreadsheet exports write one) is not part of the first column's name.
  const bom = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  const headerEnd = lineEnd(b, 0);
  const header = Buffer.from(b.buffer, b.byteOffset + bom, headerEnd - bom)
    .toString("latin1")
    .split(",")
    .map((h) => h.trim().replace(/^"|"$/g, "").toLowerCase());
  const col = (name: string) => header.indexOf(name);
  const missing: string[] = REQUIRED.filter((c) => col(c) < 0);
  const tsCol = col("timestamp") >= 0 ? col("timestamp") : col("date");
  if (tsCol < 0) missing.push("timestamp");
  if (missing.length > 0) {
    throw new CandleFileError(`missing column(s) ${missing.join(", ")} (header: ${header.join(",")})`);
  }
  const iOpen = col("open");
  const iHigh = col("high");
  const iLow = col("low");
  const iClose = col("close");
  const iVolume = col("volume");
  const fieldCount = header.length;
  // starts[k] is the first byte of field k; starts[k + 1] - 1 is its end (a comma or the line end).
  const starts = new Int32Array(fieldCount + 1);

  const builders = new Map<IsoDate, CandleSeriesBuilder>();
  const skipped = new Map<string, number>();
  const unsorted = new Set<CandleSeriesBuilder>();
  let rows = 0;
  let dayKey = "";
  let dayRows = new CandleSeriesBuilder(0);
  let pos = headerEnd + 1;

  while (pos < n) {
    const end = lineEnd(b, pos);
    const stop = end > pos && b[end - 1] === CR ? end - 1 : end;
    const lineStart = pos;
    pos = end + 1;
    if (stop === lineStart) continue;
    rows++;
    let k = 0;
    starts[0] = lineStart;
    for (let i = lineStart; i < stop; i++) {
      if (b[i] === COMMA) {
        if (++k >= fieldCount) break;
        starts[k] = i + 1;
      }
    }
    if (k !== fieldCount - 1) {
      count(skipped, "wrong number of fields");
      continue;
    }
    starts[fieldCount] = stop + 1;

    const open = parseNumberBytes(b, starts[iOpen] as number, (starts[iOpen + 1] as number) - 1);
    const high = parseNumberBytes(b, starts[iHigh] as number, (starts[iHigh + 1] as number) - 1);
    const low = parseNumberBytes(b, starts[iLow] as number, (starts[iLow + 1] as number) - 1);
    const close = parseNumberBytes(b, starts[iClose] as number, (starts[iClose + 1] as number) - 1);
    // Volume is informational (indices have none): an empty field reads as 0, as a missing column does.
    const vStart = starts[iVolume] as number;
    const vEnd = (starts[iVolume + 1] as number) - 1;
    const volume = iVolume < 0 || vStart === vEnd ? 0 : parseNumberBytes(b, vStart, vEnd);
    if (Number.isNaN(open + high + low + close + volume)) {
      count(skipped, "non-numeric value");
      continue;
    }
    if (high < low) {
      count(skipped, "high below low");
      continue;
    }
    const stamp = parseTimestampBytes(b, starts[tsCol] as number, (starts[tsCol + 1] as number) - 1, dayKey);
    if (stamp === null) {
      count(skipped, "unreadable timestamp");
      continue;
    }
    if (stamp.date !== dayKey) {
      dayKey = stamp.date;
      let builder = builders.get(dayKey);
      if (!builder) {
        builder = new CandleSeriesBuilder();
        builders.set(dayKey, builder);
      } else unsorted.add(builder); // the day's rows are not contiguous
      dayRows = builder;
    }
    if (stamp.minute <= dayRows.lastStart()) unsorted.add(dayRows);
    dayRows.push(stamp.minute, open, high, low, close, volume);
  }

  const days = new Map<IsoDate, CandleSeries>();
  for (const [date, builder] of builders) {
    let series = builder.build();
    if (unsorted.has(builder)) {
      const candles = series.toCandles();
      const dupes = sortAndDedupe(candles);
      if (dupes > 0) count(skipped, "duplicate timestamp", dupes);
      series = CandleSeries.of(candles);
    }
    days.set(date, series);
  }
  return { days, rows, skipped };
}

function count(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** Sorts a day's candles by start (stable) and drops later rows of a repeated start; returns how many. */
function sortAndDedupe(list: Candle[]): number {
  list.sort((a, b) => a.start - b.start);
  let w = 0;
  for (const c of list) {
    if (w > 0 && (list[w - 1] as Candle).start === c.start) continue;
    list[w++] = c;
  }
  const removed = list.length - w;
  list.length = w;
  return removed;
}

function lineEnd(b: Uint8Array, from: number): number {
  const i = b.indexOf(NEWLINE, from);
  return i < 0 ? b.length : i;
}

const POWERS_OF_TEN = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * Parses a plain decimal (`-12.35`) from bytes [start, end). With at most 15 digits the digits
 * form an exact integer, and one division by an exact power of ten rounds once: the same
 * double as Number() gives. Anything else (exponents, long numbers, junk) goes through
 * Number(). NaN when not a number.
 */
function parseNumberBytes(b: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end && b[i] === SPACE) i++;
  let e = end;
  while (e > i && b[e - 1] === SPACE) e--;
  if (i === e) return Number.NaN;
  const first = b[i] as number;
  const negative = first === 45;
  if (negative || first === 43) i++;
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = -1;
  for (; i < e; i++) {
    const ch = b[i] as number;
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
  if (i !== e || digits === 0 || digits > 15) return strictNumber(latin1(b, start, end));
  const value = fractionDigits > 0 ? mantissa / (POWERS_OF_TEN[fractionDigits] as number) : mantissa;
  return negative ? -value : value;
}

/**
 * Reads `YYYY-MM-DD[ T]HH:MM[:SS[.fff]][offset]` (Kite writes `+05:30` or `+0530`; no offset
 * means IST) from bytes into an IST date and minute of day. Reuses `previousDate` when the
 * date is unchanged, so a file's rows share one string. Null when unreadable.
 */
function parseTimestampBytes(
  b: Uint8Array,
  start: number,
  end: number,
  previousDate: string,
): { date: IsoDate; minute: number } | null {
  let e = end;
  while (e > start && b[e - 1] === SPACE) e--;
  if (e - start < 16) return null;
  const sep = b[start + 10];
  if (sep !== SPACE && sep !== 84) return null;
  const hh = twoDigits(b, start + 11);
  const mm = twoDigits(b, start + 14);
  if (hh < 0 || mm < 0 || b[start + 13] !== 58 || hh > 23 || mm > 59) return null;
  let p = start + 16;
  if (p < e && b[p] === 58) {
    if (twoDigits(b, p + 1) < 0) return null;
    p += 3; // seconds
  }
  if (p < e && b[p] === 46) {
    p++;
    while (p < e && (b[p] as number) >= 48 && (b[p] as number) <= 57) p++;
  }
  const offset = parseOffset(b, p, e);
  if (offset === null) return null;

  const date = sameDate(b, start, previousDate) ? previousDate : latin1(b, start, start + 10);
  if (date !== previousDate && !isIsoDate(date)) return null;
  const minute = hh * 60 + mm;
  if (offset === IST_OFFSET_MINUTES) return { date, minute };
  const y = Number(date.slice(0, 4));
  const mo = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  const parts = istPartsOf(Date.UTC(y, mo - 1, d, hh, mm) - offset * 60_000);
  return { date: parts.date, minute: parts.minute };
}

function sameDate(b: Uint8Array, start: number, date: string): boolean {
  if (date.length !== 10) return false;
  for (let i = 0; i < 10; i++) if (b[start + i] !== date.charCodeAt(i)) return false;
  return true;
}

/** Minutes east of UTC of `Z`, `+05:30`, `+0530`, `-04:00`, or IST when there is none; null when malformed. */
function parseOffset(b: Uint8Array, p: number, e: number): number | null {
  if (p === e) return IST_OFFSET_MINUTES;
  const sign = b[p];
  if (sign === 90 && p + 1 === e) return 0;
  if (sign !== 43 && sign !== 45) return null;
  const h = twoDigits(b, p + 1);
  const colon = b[p + 3] === 58 ? 1 : 0;
  const m = twoDigits(b, p + 3 + colon);
  if (h < 0 || m < 0 || p + 5 + colon !== e) return null;
  return (sign === 45 ? -1 : 1) * (h * 60 + m);
}

function twoDigits(b: Uint8Array, i: number): number {
  const x = (b[i] ?? 0) - 48;
  const y = (b[i + 1] ?? 0) - 48;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A finite decimal number (exponents allowed), else NaN: no hex, no Infinity, no blanks. */
function strictNumber(text: string): number {
  const t = text.trim();
  const n = DECIMAL.test(t) ? Number(t) : Number.NaN;
  return Number.isFinite(n) ? n : Number.NaN;
}

function latin1(b: Uint8Array, start: number, end: number): string {
  return String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
}

/** Parses a plain decimal from `s` [start, end) exactly as Number() would (see the byte version). */
export function parseNumber(s: string, start = 0, end = s.length): number {
  return parseNumberBytes(Buffer.from(s.slice(start, end), "latin1"), 0, end - start);
}

/** Parses a candle timestamp from `s` [start, end) into its IST date and minute of day; null when unreadable. */
export function parseTimestamp(
  s: string,
  start = 0,
  end = s.length,
  previousDate = "",
): { date: IsoDate; minute: number } | null {
  return parseTimestampBytes(Buffer.from(s.slice(start, end), "latin1"), 0, end - start, previousDate);
}
