import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  CandleFileError,
  type ParsedCandleFile,
  parseCandleCsv,
  parseNumber,
  parseTimestamp,
} from "../../src/backtest/csv-candles.js";
import type { Candle } from "../../src/domain/candle.js";

// Compiled to dist/test/backtest/: four levels up is the directory that holds main/ and shared/.
const CANDLES = new URL("../../../../shared/data/candles-3minute/", import.meta.url);
const read = (name: string) => readFileSync(new URL(name, CANDLES), "utf8");

const H = "timestamp,open,high,low,close,volume";
const ts = (s: string, previous = "") => parseTimestamp(s, 0, s.length, previous);
const num = (s: string) => parseNumber(s, 0, s.length);

/** A day's candles as objects, whether the parser keeps them as an array or as a series with toCandles(). */
function candlesOf(parsed: ParsedCandleFile, date: string): Candle[] | undefined {
  const day: unknown = parsed.days.get(date);
  if (day === undefined) return undefined;
  return Array.isArray(day) ? (day as Candle[]) : (day as { toCandles(): Candle[] }).toCandles();
}

/** Every day of a parsed file, as candle objects. */
function allDays(parsed: ParsedCandleFile): Map<string, Candle[]> {
  return new Map([...parsed.days.keys()].map((d) => [d, candlesOf(parsed, d) ?? []]));
}

test("parseCandleCsv of a real timestamp-first file → 125 rows on 2025-09-04, 09:15 to 15:27", () => {
  // `wc -l` = 126 with the header; columns timestamp,date,open,high,low,close,volume,ema10,ema20.
  const parsed = parseCandleCsv(read("SENSEX2591180500CE_2025-09-04.csv"));
  assert.equal(parsed.rows, 125);
  assert.equal(parsed.skipped.size, 0);
  assert.deepEqual([...parsed.days.keys()], ["2025-09-04"]);
  const day = candlesOf(parsed, "2025-09-04") ?? [];
  assert.equal(day.length, 125);
  assert.deepEqual(day[0], { start: 555, open: 881.8, high: 1004.7, low: 787, close: 903.8, volume: 48200 });
  assert.deepEqual(day[124], { start: 927, open: 600, high: 600, low: 576.45, close: 577.15, volume: 9300 });
  for (let i = 0; i < day.length; i++) assert.equal(day[i]?.start, 555 + 3 * i);
});

test("parseCandleCsv of the real index file (open-first order, volume 0) → 125 rows on 2025-09-01", () => {
  // `wc -l` = 126; columns open,high,low,close,volume,timestamp,ema10,ema20.
  const parsed = parseCandleCsv(read("SENSEX_2025-09-01.csv"));
  assert.equal(parsed.rows, 125);
  assert.equal(parsed.skipped.size, 0);
  const day = candlesOf(parsed, "2025-09-01") ?? [];
  assert.equal(day.length, 125);
  assert.deepEqual(day[0], {
    start: 555,
    open: 79828.99,
    high: 80104.56,
    low: 79818.38,
    close: 80091.01,
    volume: 0,
  });
  assert.equal(day[124]?.start, 927);
});

test("parseCandleCsv of SENSEX2591180500CE_2025-09-02.csv → two days, 125 candles each", () => {
  // `wc -l` = 251: 250 rows, 125 stamped 2025-09-01 and 125 stamped 2025-09-02.
  const parsed = parseCandleCsv(read("SENSEX2591180500CE_2025-09-02.csv"));
  assert.equal(parsed.rows, 250);
  assert.equal(parsed.skipped.size, 0);
  assert.deepEqual([...parsed.days.keys()], ["2025-09-01", "2025-09-02"]);
  const d1 = candlesOf(parsed, "2025-09-01") ?? [];
  const d2 = candlesOf(parsed, "2025-09-02") ?? [];
  assert.equal(d1.length, 125);
  assert.equal(d2.length, 125);
  assert.deepEqual(d1[0], { start: 555, open: 519.95, high: 556.5, low: 509.65, close: 538, volume: 3920 });
  assert.deepEqual(d1[124], {
    start: 927,
    open: 583.15,
    high: 595.45,
    low: 581.35,
    close: 595.45,
    volume: 1460,
  });
  assert.deepEqual(d2[0], { start: 555, open: 610.05, high: 643.65, low: 595, close: 618, volume: 5380 });
  assert.equal(d2[124]?.close, 439.15);
});

test("parseCandleCsv of every real candle file → rows = lines - 1, none skipped, 09:15..15:27", () => {
  const names = [
    "SENSEX2591180300CE_2025-09-05.csv",
    "SENSEX2591181200PE_2025-09-04.csv",
    "SENSEX2591180500PE_2025-09-02.csv",
    "SENSEX_2025-09-02.csv",
  ];
  for (const name of names) {
    const text = read(name);
    const lines = text.split("\n").filter((l) => l !== "").length;
    const parsed = parseCandleCsv(text);
    assert.equal(parsed.rows, lines - 1, name);
    assert.equal(parsed.skipped.size, 0, name);
    for (const [date, candles] of allDays(parsed)) {
      assert.equal(candles[0]?.start, 555, `${name} ${date}`);
      assert.equal(candles[candles.length - 1]?.start, 927, `${name} ${date}`);
    }
  }
});

test("parseCandleCsv of a real file as bytes → the same days and rows as the text", () => {
  const url = new URL("SENSEX2591180500CE_2025-09-02.csv", CANDLES);
  const fromBytes = parseCandleCsv(readFileSync(url));
  const fromText = parseCandleCsv(readFileSync(url, "utf8"));
  assert.equal(fromBytes.rows, 250);
  assert.deepEqual(allDays(fromBytes), allDays(fromText));
  assert.deepEqual(fromBytes.skipped, fromText.skipped);
});

test("parseCandleCsv of bytes inside a larger buffer → reads only its own range", () => {
  const text = `${H}\n2025-09-04 09:15,1,2,0.5,1.5,7\n`;
  const big = Buffer.from(`JUNK,JUNK\n${text}TRAILING,JUNK,9\n`, "latin1");
  const start = "JUNK,JUNK\n".length;
  const view = new Uint8Array(big.buffer, big.byteOffset + start, text.length);
  const parsed = parseCandleCsv(view);
  assert.equal(parsed.rows, 1);
  assert.equal(parsed.skipped.size, 0);
  assert.deepEqual(candlesOf(parsed, "2025-09-04"), [
    { start: 555, open: 1, high: 2, low: 0.5, close: 1.5, volume: 7 },
  ]);
});

test("parseCandleCsv of bytes starting with a UTF-8 BOM → the BOM ignored", () => {
  const text = `${H}\n2025-09-04 09:15,1,2,0.5,1.5,7\n`;
  const parsed = parseCandleCsv(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
  assert.equal(parsed.rows, 1);
  assert.deepEqual(candlesOf(parsed, "2025-09-04"), [
    { start: 555, open: 1, high: 2, low: 0.5, close: 1.5, volume: 7 },
  ]);
});

test("parseCandleCsv of text starting with U+FEFF (a BOM file read as utf8) → the BOM ignored", () => {
  const text = `${H}\n2025-09-04 09:15,1,2,0.5,1.5,7\n`;
  assert.equal(parseCandleCsv(`\uFEFF${text}`).rows, 1);
});

test("parseCandleCsv with extra and reordered columns → read by header name", () => {
  const text =
    "ema10,close,volume,junk,low,timestamp,high,open\n1.5,104,77,x,99,2025-09-04 09:18:00+05:30,105,100\n";
  const parsed = parseCandleCsv(text);
  assert.deepEqual(candlesOf(parsed, "2025-09-04"), [
    { start: 558, open: 100, high: 105, low: 99, close: 104, volume: 77 },
  ]);
});

test("parseCandleCsv with a `date` column and no `timestamp` → the date column is used", () => {
  const parsed = parseCandleCsv("date,open,high,low,close,volume\n2025-09-04 09:21:00+05:30,1,2,0.5,1.5,3\n");
  assert.equal(candlesOf(parsed, "2025-09-04")?.[0]?.start, 561);
});

test("parseCandleCsv without a volume column → volume 0", () => {
  const parsed = parseCandleCsv("timestamp,open,high,low,close\n2025-09-04 09:15,1,2,0.5,1.5\n");
  assert.deepEqual(candlesOf(parsed, "2025-09-04"), [
    { start: 555, open: 1, high: 2, low: 0.5, close: 1.5, volume: 0 },
  ]);
});

test("parseCandleCsv with quoted, upper-case, spaced header names → found", () => {
  const parsed = parseCandleCsv('"Timestamp", Open ,HIGH,low,"close"\n2025-09-04 09:15,1,2,0.5,1.5\n');
  assert.equal(candlesOf(parsed, "2025-09-04")?.length, 1);
});

test("parseCandleCsv with CRLF line ends (header too) and no final newline → same candles", () => {
  const lf = `${H}\n2025-09-04 09:15:00+05:30,1,2,0.5,1.5,10\n2025-09-04 09:18:00+05:30,1.5,3,1,2.5,20\n`;
  const crlf = lf.replaceAll("\n", "\r\n");
  const noFinal = crlf.slice(0, -2);
  const a = parseCandleCsv(lf);
  assert.equal(a.rows, 2);
  const b = parseCandleCsv(crlf);
  const c = parseCandleCsv(noFinal);
  assert.deepEqual(allDays(b), allDays(a));
  assert.deepEqual(allDays(c), allDays(a));
  assert.deepEqual([b.rows, b.skipped, c.rows, c.skipped], [2, new Map(), 2, new Map()]);
  assert.deepEqual(candlesOf(a, "2025-09-04"), [
    { start: 555, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 },
    { start: 558, open: 1.5, high: 3, low: 1, close: 2.5, volume: 20 },
  ]);
});

test("parseCandleCsv with blank lines → not counted as rows", () => {
  const parsed = parseCandleCsv(`${H}\n\n2025-09-04 09:15,1,2,0.5,1.5,1\n\r\n\n`);
  assert.equal(parsed.rows, 1);
  assert.equal(parsed.skipped.size, 0);
});

test("parseCandleCsv of a header only or an empty body → no days, no rows", () => {
  assert.deepEqual(parseCandleCsv(`${H}\n`), { days: new Map(), rows: 0, skipped: new Map() });
  assert.deepEqual(parseCandleCsv(H), { days: new Map(), rows: 0, skipped: new Map() });
});

test("parseCandleCsv with bad rows → each skipped and counted by reason", () => {
  const text = [
    H,
    "2025-09-04 09:15,10,12,9,11,1", // good
    "2025-09-04 09:18,abc,12,9,11,1", // non-numeric
    "2025-09-04 09:21,10,12,9,,1", // empty close: non-numeric
    "2025-09-04 09:24,10,8,9,9,1", // high below low
    "2025-09-04 09:27,10,12,9,11", // 5 fields for 6 columns
    "2025-09-04 09:27,10,12,9,11,1,99", // 7 fields
    "not a time,10,12,9,11,1", // unreadable timestamp
    "2025-09-04 25:00,10,12,9,11,1", // unreadable timestamp
    "2025-09-04 09:30,10,12,9,11,1", // good
  ].join("\n");
  const parsed = parseCandleCsv(text);
  assert.equal(parsed.rows, 9);
  assert.deepEqual(
    parsed.skipped,
    new Map([
      ["non-numeric value", 2],
      ["high below low", 1],
      ["wrong number of fields", 2],
      ["unreadable timestamp", 2],
    ]),
  );
  assert.deepEqual(
    candlesOf(parsed, "2025-09-04")?.map((c) => c.start),
    [555, 570],
  );
});

test("parseCandleCsv with high equal to low → kept (only high < low is bad)", () => {
  const parsed = parseCandleCsv(`${H}\n2025-09-04 09:15,5,5,5,5,0\n`);
  assert.equal(candlesOf(parsed, "2025-09-04")?.length, 1);
});

test("parseCandleCsv with a duplicate timestamp → the first row kept, the later counted", () => {
  const text = [
    H,
    "2025-09-04 09:15,1,2,0.5,1.1,1",
    "2025-09-04 09:18,1,2,0.5,1.2,1",
    "2025-09-04 09:15,9,9,9,9,9", // duplicate of the first
    "2025-09-04 09:21,1,2,0.5,1.3,1",
    "2025-09-04 09:21,8,8,8,8,8", // duplicate, adjacent
  ].join("\n");
  const parsed = parseCandleCsv(text);
  assert.equal(parsed.rows, 5);
  assert.deepEqual(parsed.skipped, new Map([["duplicate timestamp", 2]]));
  assert.deepEqual(
    candlesOf(parsed, "2025-09-04")?.map((c) => [c.start, c.close]),
    [
      [555, 1.1],
      [558, 1.2],
      [561, 1.3],
    ],
  );
});

test("parseCandleCsv with rows out of order and days interleaved → each day sorted by start", () => {
  const text = [
    H,
    "2025-09-05 09:18,1,2,0.5,5.18,1",
    "2025-09-04 09:18,1,2,0.5,4.18,1",
    "2025-09-05 09:15,1,2,0.5,5.15,1",
    "2025-09-04 09:15,1,2,0.5,4.15,1",
  ].join("\n");
  const parsed = parseCandleCsv(text);
  assert.equal(parsed.skipped.size, 0);
  assert.deepEqual(
    candlesOf(parsed, "2025-09-04")?.map((c) => c.close),
    [4.15, 4.18],
  );
  assert.deepEqual(
    candlesOf(parsed, "2025-09-05")?.map((c) => c.close),
    [5.15, 5.18],
  );
});

test("parseCandleCsv with a missing column → CandleFileError naming it", () => {
  assert.throws(
    () => parseCandleCsv("timestamp,open,high,close,volume\n2025-09-04 09:15,1,2,1.5,1\n"),
    (e: unknown) => e instanceof CandleFileError && /missing column\(s\) low/.test(e.message),
  );
  assert.throws(
    () => parseCandleCsv("time,open,high,low,close\n"),
    (e: unknown) => e instanceof CandleFileError && /missing column\(s\) timestamp/.test(e.message),
  );
  assert.throws(() => parseCandleCsv(""), CandleFileError);
});

test("parseCandleCsv with +0530, T, Z and other offsets → IST date and minute", () => {
  const text = [
    H,
    "2025-09-04 09:15:00+0530,1,2,0.5,1.5,1",
    "2025-09-04T09:18:00+05:30,1,2,0.5,1.5,1",
    "2025-09-04T03:51:00Z,1,2,0.5,1.5,1", // 09:21 IST
    "2025-09-04T20:00:00Z,1,2,0.5,1.5,1", // 01:30 IST on 5 September
    "2025-09-04 09:24,1,2,0.5,1.5,1", // no offset: IST
  ].join("\n");
  const parsed = parseCandleCsv(text);
  assert.equal(parsed.skipped.size, 0);
  assert.deepEqual(
    candlesOf(parsed, "2025-09-04")?.map((c) => c.start),
    [555, 558, 561, 564],
  );
  assert.deepEqual(
    candlesOf(parsed, "2025-09-05")?.map((c) => c.start),
    [90],
  );
});

test("parseTimestamp of IST forms → date and minute unchanged", () => {
  for (const s of [
    "2025-09-04 09:15:00+05:30",
    "2025-09-04 09:15:00+0530",
    "2025-09-04T09:15:00+05:30",
    "2025-09-04T09:15:00+0530",
    "2025-09-04 09:15",
    "2025-09-04 09:15:00",
    "2025-09-04 09:15+05:30",
    "2025-09-04 09:15:00.000+05:30",
    "2025-09-04 09:15:00   ",
  ]) {
    assert.deepEqual(ts(s), { date: "2025-09-04", minute: 555 }, s);
  }
});

test("parseTimestamp of UTC (Z, +00:00) → converted to IST, incl. a date change", () => {
  assert.deepEqual(ts("2025-09-04T03:45:00Z"), { date: "2025-09-04", minute: 555 });
  assert.deepEqual(ts("2025-09-04 03:45:00+00:00"), { date: "2025-09-04", minute: 555 });
  assert.deepEqual(ts("2025-09-04T18:29:00Z"), { date: "2025-09-04", minute: 1439 });
  assert.deepEqual(ts("2025-09-04T18:30:00Z"), { date: "2025-09-05", minute: 0 });
  assert.deepEqual(ts("2025-12-31T18:30:00Z"), { date: "2026-01-01", minute: 0 });
  assert.deepEqual(ts("2024-02-28T20:00:00Z"), { date: "2024-02-29", minute: 90 });
  assert.deepEqual(ts("2025-09-04T09:15:00.5Z"), { date: "2025-09-04", minute: 885 });
});

test("parseTimestamp of other offsets → converted to IST", () => {
  // 09:15 at -04:00 = 13:15 UTC = 18:45 IST.
  assert.deepEqual(ts("2025-09-04 09:15:00-04:00"), { date: "2025-09-04", minute: 1125 });
  // 00:10 at +09:00 = 15:10 UTC the day before = 20:40 IST the day before.
  assert.deepEqual(ts("2025-09-05T00:10:00+09:00"), { date: "2025-09-04", minute: 1240 });
});

test("parseTimestamp with the previous row's date → reuses that very string", () => {
  const previous = "2025-09-04";
  const text = "2025-09-04 09:18:00+05:30";
  const got = ts(text, previous);
  assert.equal(got?.minute, 558);
  assert.equal(got?.date, previous);
  assert.deepEqual(ts("2025-09-05 09:18", previous), { date: "2025-09-05", minute: 558 });
});

test("parseTimestamp inside a longer line → reads only its field", () => {
  const line = "x,2025-09-04 09:18:00+05:30,1";
  assert.deepEqual(parseTimestamp(line, 2, 27, ""), { date: "2025-09-04", minute: 558 });
});

test("parseTimestamp of unreadable text → null", () => {
  for (const s of [
    "",
    "2025-09-04",
    "2025-09-04 24:00",
    "2025-09-04 09:60",
    "2025-02-30 09:15",
    "2025-13-01 09:15",
    "2025-09-04X09:15",
    "20250904 09:15:00",
    "2025-09-04 9:15:00",
    "2025-09-04 09:15:00+05",
    "2025-09-04 09:15:00+5:30",
    "2025-09-04 09:15:00+05:30x",
    "2025-09-04 09:15:00z",
    "2025-09-04 09-15",
    "not a timestamp at all",
  ]) {
    assert.equal(ts(s), null, s);
  }
});

test("parseNumber of plain decimals → the value", () => {
  assert.equal(num("881.8"), 881.8);
  assert.equal(num("-12.35"), -12.35);
  assert.equal(num("+5"), 5);
  assert.equal(num("0"), 0);
  assert.equal(num("538.0"), 538);
  assert.equal(num(" 7 "), 7);
  assert.equal(num("1."), 1);
  assert.equal(num(".5"), 0.5);
  assert.ok(Object.is(num("-0"), -0));
  assert.equal(num("1e3"), 1000); // falls back to Number()
  assert.equal(num("1234567890.123456789"), Number("1234567890.123456789")); // > 15 digits: Number()
  assert.equal(num("1234567890.123456789"), 1234567890.1234567);
});

test("parseNumber of non-numbers → NaN (also for an empty field, unlike Number)", () => {
  for (const s of ["", " ", "abc", "1.2.3", "12a", "-", ".", "+", "1,5", "--1"]) {
    assert.ok(Number.isNaN(num(s)), JSON.stringify(s));
  }
});

test("parseNumber inside a line → reads only its range", () => {
  const line = "a,80091.01,b";
  assert.equal(parseNumber(line, 2, 10), 80091.01);
});

test("parseNumber of 20000 random decimals → exactly Number()", () => {
  // Deterministic generator (mulberry32) so a failure can be reproduced.
  let seed = 12345;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = 0; i < 20000; i++) {
    const intDigits = 1 + Math.floor(rand() * 9);
    const fracDigits = Math.floor(rand() * 8);
    let s = rand() < 0.2 ? "-" : "";
    for (let d = 0; d < intDigits; d++) s += String(Math.floor(rand() * 10));
    if (fracDigits > 0) {
      s += ".";
      for (let d = 0; d < fracDigits; d++) s += String(Math.floor(rand() * 10));
    }
    assert.ok(Object.is(num(s), Number(s)), `${s}: ${num(s)} vs ${Number(s)}`);
  }
  for (let i = 0; i < 5000; i++) {
    const s = (rand() * 10 ** Math.floor(rand() * 8)).toFixed(Math.floor(rand() * 6));
    assert.ok(Object.is(num(s), Number(s)), `${s}: ${num(s)} vs ${Number(s)}`);
  }
  // Every two-decimal premium from 0 to 2000 (the common case).
  for (let p = 0; p <= 200000; p += 7) {
    const s = `${Math.floor(p / 100)}.${String(p % 100).padStart(2, "0")}`;
    assert.equal(num(s), Number(s), s);
  }
});

test("parseCandleCsv with an empty volume field → volume 0, the row kept", () => {
  const parsed = parseCandleCsv("timestamp,open,high,low,close,volume\n2025-09-04 09:15,1,2,0.5,1.5,\n");
  assert.deepEqual(candlesOf(parsed, "2025-09-04"), [
    { start: 555, open: 1, high: 2, low: 0.5, close: 1.5, volume: 0 },
  ]);
});

test("parseCandleCsv with hex, Infinity or NaN prices → skipped as non-numeric; exponents accepted", () => {
  const rows = [
    "timestamp,open,high,low,close,volume",
    "2025-09-04 09:15,0x10,20,1,2,0",
    "2025-09-04 09:18,1,Infinity,1,2,0",
    "2025-09-04 09:21,1,NaN,1,2,0",
    "2025-09-04 09:24,1e1,2.5E1,1,2,0",
  ];
  const parsed = parseCandleCsv(`${rows.join("\n")}\n`);
  assert.equal(parsed.skipped.get("non-numeric value"), 3);
  assert.deepEqual(candlesOf(parsed, "2025-09-04"), [
    { start: 564, open: 10, high: 25, low: 1, close: 2, volume: 0 },
  ]);
});
