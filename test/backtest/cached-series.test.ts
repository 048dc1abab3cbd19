import assert from "node:assert/strict";
import { test } from "node:test";
import { CentsCandleSeries, decodeCandles, encodeCandles } from "../../src/backtest/cached-series.js";
import { CandleSeries } from "../../src/domain/candle-series.js";

const candles = [
  { start: 555, open: 100.05, high: 101.35, low: 99.9, close: 100.5, volume: 7 },
  { start: 558, open: 100.5, high: 102.15, low: 100.1, close: 101.95, volume: 12 },
  { start: 561, open: 0, high: 0.05, low: 0, close: 0.05, volume: 0 },
];
const plain = CandleSeries.of(candles);

function cached(): CandleSeries {
  const data = { byDay: new Map([["2025-09-04", new Map([["X", plain]])]]), files: 1, candles: 3 };
  return decodeCandles(encodeCandles(data)).get("2025-09-04")?.get("X") as CandleSeries;
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
