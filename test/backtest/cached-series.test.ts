import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CentsCandleSeries,
  decodeCandles,
  encodeCandles,
  inStrikeOrder,
} from "../../src/backtest/cached-series.js";
import type { Candle } from "../../src/domain/candle.js";
import { CandleSeries } from "../../src/domain/candle-series.js";

const candles = [
  { start: 555, open: 100.05, high: 101.35, low: 99.9, close: 100.5, volume: 7 },
  { start: 558, open: 100.5, high: 102.15, low: 100.1, close: 101.95, volume: 12 },
  { start: 561, open: 0, high: 0.05, low: 0, close: 0.05, volume: 0 },
];
const plain = CandleSeries.of(candles);

function cached(): CandleSeries {
  const data = { byDay: new Map([["2025-09-04", new Map([["X", plain]])]]), files: 1, candles: 3 };
  return decodeCandles(encodeCandles(data)).byDay.get("2025-09-04")?.get("X") as CandleSeries;
}

test("CentsCandleSeries → overrides every method of CandleSeries (its base storage is empty)", () => {
  const base = Object.getOwnPropertyNames(CandleSeries.prototype).filter((n) => n !== "constructor");
  const own = new Set(Object.getOwnPropertyNames(CentsCandleSeries.prototype));
  assert.deepEqual(
    base.filter((n) => !own.has(n)),
    [],
  );
});

test("a series of two-decimal prices through the cache's encoding → read in cents, every method as the parsed series", () => {
  const s = cached();
  assert.ok(s instanceof CentsCandleSeries);
  assert.equal(s.length, plain.length);
  for (let i = 0; i < s.length; i++) {
    assert.equal(s.startAt(i), plain.startAt(i));
    assert.equal(s.openAt(i), plain.openAt(i));
    assert.equal(s.sizeAt(i), plain.sizeAt(i));
    assert.deepEqual(s.at(i), plain.at(i));
  }
  assert.deepEqual(s.toCandles(), candles);
  assert.deepEqual(s.dailyBar(), plain.dailyBar());
  assert.deepEqual(s.slice(1, 3).toCandles(), plain.slice(1, 3).toCandles());
  assert.equal(s.fitsGrid(3, 555, 930), true);
  assert.equal(s.fitsGrid(5, 555, 930), plain.fitsGrid(5, 555, 930));
  assert.equal(s.fitsGrid(3, 556, 930), false);
});

test("symbols in strike order → strikes of one expiry by value across a change of digits, CE before PE", () => {
  assert.deepEqual(
    inStrikeOrder([
      "SENSEX25918100100CE",
      "SENSEX2591899900PE",
      "SENSEX",
      "SENSEX25918100000PE",
      "SENSEX2591899900CE",
      "SENSEX25918100000CE",
    ]),
    [
      "SENSEX",
      "SENSEX2591899900CE",
      "SENSEX2591899900PE",
      "SENSEX25918100000CE",
      "SENSEX25918100000PE",
      "SENSEX25918100100CE",
    ],
  );
});

/**
 * A day of five contracts of `length` candles each, whose int32 candles are read through a fill
 * that records each range. Series of 700 candles (4,200 values) lie further apart than a read
 * takes in; series of 3 do not.
 */
function lazilyDecoded(length = 700) {
  const symbols = ["X1000CE", "X1000PE", "X1100CE", "X1100PE", "X900CE"];
  const day = new Map(
    symbols.map((s, i) => [
      s,
      CandleSeries.of(
        Array.from({ length }, (_, k) => ({ ...(candles[k % 3] as Candle), start: k, open: 100 + i })),
      ),
    ]),
  );
  const data = { byDay: new Map([["2025-09-04", day]]), files: 5, candles: 5 * length };
  const encoded = encodeCandles(data);
  const reads: [number, number][] = [];
  const stored = encoded.ints;
  const decoded = decodeCandles(encoded, {
    values: stored.length,
    fill: (into, from) => {
      reads.push([from, from + into.length]);
      into.set(stored.subarray(from, from + into.length));
    },
  });
  return { day, decoded, reads, rowValues: length * 6 };
}

test("a lazily read cache → nothing read until a series is used, then its whole day once", () => {
  const { day, decoded, reads } = lazilyDecoded();
  const cachedDay = decoded.byDay.get("2025-09-04");
  assert.deepEqual(reads, []);
  assert.deepEqual(cachedDay?.get("X1100PE")?.toCandles(), day.get("X1100PE")?.toCandles());
  assert.equal(reads.length, 1);
  for (const [symbol, series] of day)
    assert.deepEqual(cachedDay?.get(symbol)?.toCandles(), series.toCandles());
  assert.equal(reads.length, 1);
});

test("a lazily read cache and a prefetch of a strike window → only that window read, the rest on use", () => {
  const { day, decoded, reads, rowValues } = lazilyDecoded();
  decoded.prefetch("2025-09-04", ["X1000PE", "X1000CE"]);
  // Strike order: X900CE, X1000CE, X1000PE, X1100CE, X1100PE; the window is the 2nd and 3rd.
  assert.deepEqual(reads, [[rowValues, 3 * rowValues]]);
  const cachedDay = decoded.byDay.get("2025-09-04");
  assert.deepEqual(cachedDay?.get("X1000CE")?.toCandles(), day.get("X1000CE")?.toCandles());
  assert.equal(reads.length, 1);
  // The rest of the day when another is used: the two runs not read yet, not the window again.
  assert.deepEqual(cachedDay?.get("X900CE")?.toCandles(), day.get("X900CE")?.toCandles());
  assert.deepEqual(reads.slice(1), [
    [0, rowValues],
    [3 * rowValues, 5 * rowValues],
  ]);
  for (const [symbol, series] of day)
    assert.deepEqual(cachedDay?.get(symbol)?.toCandles(), series.toCandles());
  assert.equal(reads.length, 3);
});

test("a lazily read cache and a prefetch of series apart → one read each, nothing between them", () => {
  const { decoded, reads, rowValues } = lazilyDecoded();
  decoded.prefetch("2025-09-04", ["X1100PE", "X900CE", "X1100PE"]);
  assert.deepEqual(reads, [
    [0, rowValues],
    [4 * rowValues, 5 * rowValues],
  ]);
});

test("a lazily read cache and a prefetch of small series a little apart → one read taking in those between", () => {
  const { day, decoded, reads, rowValues } = lazilyDecoded(3);
  decoded.prefetch("2025-09-04", ["X1100PE", "X900CE"]);
  assert.deepEqual(reads, [[0, 5 * rowValues]]);
  const cachedDay = decoded.byDay.get("2025-09-04");
  for (const [symbol, series] of day)
    assert.deepEqual(cachedDay?.get(symbol)?.toCandles(), series.toCandles());
  assert.equal(reads.length, 1);
});

test("a cache read on demand over more days than it keeps → a day used again is read again, same candles (slices too)", () => {
  const dates = ["2025-09-01", "2025-09-02", "2025-09-03", "2025-09-04", "2025-09-05", "2025-09-08"];
  const byDay = new Map(
    dates.map((date, d) => [
      date,
      new Map([["X", CandleSeries.of(candles.map((c) => ({ ...c, open: c.open + d, high: c.high + d })))]]),
    ]),
  );
  const encoded = encodeCandles({ byDay, files: dates.length, candles: 3 * dates.length });
  const reads: number[] = [];
  const decoded = decodeCandles(encoded, {
    values: encoded.ints.length,
    fill: (into, from) => {
      reads.push(from);
      into.set(encoded.ints.subarray(from, from + into.length));
    },
  });
  const first = decoded.byDay.get("2025-09-01")?.get("X") as CandleSeries;
  const slice = first.slice(1, 3);
  for (const date of dates) {
    assert.deepEqual(decoded.byDay.get(date)?.get("X")?.toCandles(), byDay.get(date)?.get("X")?.toCandles());
  }
  assert.equal(reads.length, dates.length);
  // The first day's buffer went to a later day: read again when used.
  assert.deepEqual(first.toCandles(), byDay.get("2025-09-01")?.get("X")?.toCandles());
  assert.equal(reads.length, dates.length + 1);
  assert.deepEqual(slice.toCandles(), byDay.get("2025-09-01")?.get("X")?.slice(1, 3).toCandles());
});
