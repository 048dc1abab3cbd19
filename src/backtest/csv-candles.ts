import { type Candle, sortAndDropRepeatedStarts } from "../domain/candle.js";
import { CandleSeries, CandleSeriesBuilder, CandleStore } from "../domain/candle-series.js";
import { formatHhmm, IST_OFFSET_MINUTES, type IsoDate, isIsoDate, istPartsOf } from "../domain/ist.js";

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
// Field roles.
const OPEN = 1;
const HIGH = 2;
const LOW = 3;
const CLOSE = 4;
const VOLUME = 5;
const TIME = 6;

/** Rows of the file being parsed: one builder reused from file to file (parsing is synchronous). */
const fileRows = new CandleSeriesBuilder(4096);

/**
 * Parses one candle CSV (bytes, or text); columns are found by header name, extra ones
 * ignored. The candles are kept in `store` (pass one store for a whole data set).
 */
export function parseCandleCsv(input: Uint8Array | string, store = new CandleStore(0)): ParsedCandleFile {
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
  // What each field of a row is: the loop below parses the needed ones as it passes them.
  const role = new Uint8Array(header.length);
  role[col("open")] = OPEN;
  role[col("high")] = HIGH;
  role[col("low")] = LOW;
  role[col("close")] = CLOSE;
  if (col("volume") >= 0) role[col("volume")] = VOLUME;
  role[tsCol] = TIME;
  const fieldCount = header.length;

  // All rows of the file go into one array; each day is a view of its run of rows.
  const rowsOut = fileRows;
  rowsOut.reset();
  const runs: { date: IsoDate; from: number; to: number; sorted: boolean }[] = [];
  let run: (typeof runs)[number] | null = null;
  const skipped = new Map<string, number>();
  let rows = 0;
  let p = headerEnd + 1;

  // One pass over the bytes: each field is parsed, or skipped, as the scan passes it, and the
  // scan of the last field finds the end of the line.
  while (p < n) {
    if (b[p] === NEWLINE) {
      p++;
      continue;
    }
    if (b[p] === CR && (p + 1 === n || b[p + 1] === NEWLINE)) {
      p += 2;
      continue;
    }
    rows++;
    let open = Number.NaN;
    let high = Number.NaN;
    let low = Number.NaN;
    let close = Number.NaN;
    let volume = 0; // informational (indices have none): an empty field or no column reads as 0
    let timeStart = -1;
    let timeEnd = -1;
    let field = 0;
    for (;;) {
      const r = role[field];
      const fieldStart = p;
      if (r === TIME) {
        // Kite's `2025-09-04 09:15:00+05:30` is 25 bytes: jump over it when it has that shape.
        p =
          p + KITE_TIME_LENGTH < n && b[p + 19] === 43 && isFieldEnd(b[p + KITE_TIME_LENGTH] as number)
            ? p + KITE_TIME_LENGTH
            : skipField(b, p, n);
        timeStart = fieldStart;
        timeEnd = p;
      } else if (r === 0) {
        p = skipField(b, p, n);
      } else {
        p = scanNumber(b, p, n);
        const value = scanned[0] as number;
        if (r === OPEN) open = value;
        else if (r === HIGH) high = value;
        else if (r === LOW) low = value;
        else if (r === CLOSE) close = value;
        else if (p > fieldStart) volume = value;
      }
      field++;
      if (p >= n || b[p] !== COMMA) break;
      if (field === fieldCount) {
        field = -1; // more fields than the header names
        break;
      }
      p++; // the comma
    }
    // Normally at the line's end already; after a malformed row, skip the rest of it.
    while (p < n && b[p] !== NEWLINE) p++;
    p++;

    if (field !== fieldCount) {
      count(skipped, "wrong number of fields");
      continue;
    }
    if (Number.isNaN(open + high + low + close + volume)) {
      count(skipped, "non-numeric value");
      continue;
    }
    if (high < low) {
      count(skipped, "high below low");
      continue;
    }
    if (!parseTimestampBytes(b, timeStart, timeEnd, run?.date ?? "")) {
      count(skipped, "unreadable timestamp");
      continue;
    }
    if (run === null || stamp.date !== run.date) {
      run = { date: stamp.date, from: rowsOut.length, to: rowsOut.length, sorted: true };
      runs.push(run);
    } else if (stamp.minute <= rowsOut.lastStart()) run.sorted = false;
    rowsOut.push(stamp.minute, open, high, low, close, volume);
    run.to = rowsOut.length;
  }

  // The usual file: each day one run in time order, taken as a view. Anything else (a day in
  // several runs, rows out of order or repeated) is sorted and de-duplicated as candles.
  const all = rowsOut.build(store);
  const byDate = new Map<IsoDate, (typeof runs)[number][]>();
  for (const r of runs) byDate.set(r.date, [...(byDate.get(r.date) ?? []), r]);
  const days = new Map<IsoDate, CandleSeries>();
  for (const [date, dayRuns] of byDate) {
    const only = dayRuns[0] as (typeof runs)[number];
    if (dayRuns.length === 1 && only.sorted) {
      days.set(date, all.slice(only.from, only.to));
      continue;
    }
    const candles = dayRuns.flatMap((r) => all.slice(r.from, r.to).toCandles());
    const dupes = sortAndDropRepeatedStarts(candles);
    if (dupes > 0) count(skipped, "duplicate timestamp", dupes);
    days.set(date, CandleSeries.of(candles));
  }
  return { days, rows, skipped };
}

function count(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function lineEnd(b: Uint8Array, from: number): number {
  const i = b.indexOf(NEWLINE, from);
  return i < 0 ? b.length : i;
}

const POWERS_OF_TEN = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** The value `scanNumber` read: a one-slot array rather than an object per call. */
const scanned = new Float64Array(1);

const KITE_TIME_LENGTH = 25;

function isFieldEnd(ch: number): boolean {
  return ch === COMMA || ch === NEWLINE || ch === CR;
}

/** Where the field at `p` ends: the next comma, line feed or carriage return (or `n`). */
function skipField(b: Uint8Array, p: number, n: number): number {
  while (p < n && !isFieldEnd(b[p] as number)) p++;
  return p;
}

/**
 * Reads a decimal (`-12.35`) from `p` up to the end of its field, leaves it in `scanned[0]`
 * (NaN when it is not a number) and returns where the field ends. With at most 15 digits the
 * digits form an exact integer, and one division by an exact power of ten rounds once: the
 * same double as Number() gives. Anything else (spaces, exponents, long numbers, junk) goes
 * through the strict slow path.
 */
function scanNumber(b: Uint8Array, p: number, n: number): number {
  const start = p;
  const sign = p < n ? b[p] : COMMA;
  const negative = sign === 45;
  if (negative || sign === 43) p++;
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = -1;
  for (; p < n; p++) {
    const ch = b[p] as number;
    const d = ch - 48;
    if (d >= 0 && d <= 9) {
      mantissa = mantissa * 10 + d;
      digits++;
      if (fractionDigits >= 0) fractionDigits++;
    } else if (ch === 46 && fractionDigits < 0) fractionDigits = 0;
    else if (isFieldEnd(ch)) break;
    else {
      p = skipField(b, p, n);
      scanned[0] = strictNumber(latin1(b, start, p));
      return p;
    }
  }
  if (digits === 0 || digits > 15) scanned[0] = strictNumber(latin1(b, start, p));
  else {
    const value = fractionDigits > 0 ? mantissa / (POWERS_OF_TEN[fractionDigits] as number) : mantissa;
    scanned[0] = negative ? -value : value;
  }
  return p;
}

/** The result of `parseTimestampBytes`: one object, reused, rather than one per row. */
const stamp: { date: IsoDate; minute: number } = { date: "", minute: 0 };

/**
 * Reads `YYYY-MM-DD[ T]HH:MM[:SS[.fff]][offset]` (Kite writes `+05:30` or `+0530`; no offset
 * means IST) from bytes into `stamp`: the IST date and minute of day. Reuses `previousDate`
 * when the date is unchanged, so a file's rows share one string. False when unreadable.
 */
function parseTimestampBytes(b: Uint8Array, start: number, end: number, previousDate: string): boolean {
  let e = end;
  while (e > start && b[e - 1] === SPACE) e--;
  if (e - start < 16) return false;
  const sep = b[start + 10];
  if (sep !== SPACE && sep !== 84) return false;
  const hh = twoDigits(b, start + 11);
  const mm = twoDigits(b, start + 14);
  if (hh < 0 || mm < 0 || b[start + 13] !== 58 || hh > 23 || mm > 59) return false;
  let p = start + 16;
  if (p < e && b[p] === 58) {
    if (twoDigits(b, p + 1) < 0) return false;
    p += 3; // seconds
  }
  if (p < e && b[p] === 46) {
    p++;
    while (p < e && (b[p] as number) >= 48 && (b[p] as number) <= 57) p++;
  }
  const offset = parseOffset(b, p, e);
  if (offset === null) return false;

  const date = sameDate(b, start, previousDate) ? previousDate : latin1(b, start, start + 10);
  if (date !== previousDate && !isIsoDate(date)) return false;
  const minute = hh * 60 + mm;
  if (offset === IST_OFFSET_MINUTES) {
    stamp.date = date;
    stamp.minute = minute;
    return true;
  }
  const y = Number(date.slice(0, 4));
  const mo = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  const parts = istPartsOf(Date.UTC(y, mo - 1, d, hh, mm) - offset * 60_000);
  stamp.date = parts.date;
  stamp.minute = parts.minute;
  return true;
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

/** Parses a plain decimal from `s` [start, end) exactly as Number() would (see `scanNumber`); NaN when not one. */
export function parseNumber(s: string, start = 0, end = s.length): number {
  const text = s.slice(start, end);
  const stop = scanNumber(Buffer.from(text, "latin1"), 0, text.length);
  return stop === text.length ? (scanned[0] as number) : Number.NaN;
}

/** Parses a candle timestamp from `s` [start, end) into its IST date and minute of day; null when unreadable. */
export function parseTimestamp(
  s: string,
  start = 0,
  end = s.length,
  previousDate = "",
): { date: IsoDate; minute: number } | null {
  const ok = parseTimestampBytes(Buffer.from(s.slice(start, end), "latin1"), 0, end - start, previousDate);
  return ok ? { ...stamp } : null;
}

/** A day's candles in the backtest CSV format (what `fetch-candles`, `export-candles` and the archive write). */
export function candleCsv(date: IsoDate, candles: readonly Candle[]): string {
  const rows = candles.map(
    (c) => `${date} ${formatHhmm(c.start)}:00+05:30,${c.open},${c.high},${c.low},${c.close},${c.volume}`,
  );
  return `timestamp,open,high,low,close,volume\n${rows.join("\n")}\n`;
}
