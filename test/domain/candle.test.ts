import assert from "node:assert/strict";
import { test } from "node:test";
import { type Candle, candleSize, dailyBarOf, isGreen } from "../../src/domain/candle.js";

const c = (start: number, open: number, high: number, low: number, close: number, volume = 0): Candle => ({
  start,
  open,
  high,
  low,
  close,
  volume,
});

test("candleSize → |close - open| / open × 100, same for red and green", () => {
  assert.equal(candleSize(c(555, 200, 215, 195, 210)), 5);
  assert.equal(candleSize(c(555, 200, 205, 185, 190)), 5);
  // The first real candle of SENSEX2591180500CE on 2025-09-04: 22 / 881.8 = 2.49489…%.
  assert.ok(Math.abs(candleSize(c(555, 881.8, 1004.7, 787, 903.8)) - 2.494896802) < 1e-9);
  assert.equal(candleSize(c(555, 100, 100, 100, 100)), 0);
});

test("candleSize with open 0 → 0, not Infinity", () => {
  assert.equal(candleSize(c(555, 0, 5, 0, 5)), 0);
});

test("isGreen → only when close > open (a doji is not green)", () => {
  assert.equal(isGreen(c(555, 100, 110, 95, 101)), true);
  assert.equal(isGreen(c(555, 100, 110, 95, 100)), false);
  assert.equal(isGreen(c(555, 100, 110, 95, 99.95)), false);
});

test("dailyBarOf an empty day → null", () => {
  assert.equal(dailyBarOf([]), null);
});

test("dailyBarOf candles → first open, highest high, lowest low, last close", () => {
  const day = [
    c(555, 100, 104, 98, 103),
    c(558, 103, 120, 101, 110),
    c(561, 110, 111, 90, 95),
    c(564, 95, 99, 94, 97),
  ];
  assert.deepEqual(dailyBarOf(day), { open: 100, high: 120, low: 90, close: 97 });
  assert.deepEqual(dailyBarOf([c(555, 5, 6, 4, 5.5)]), { open: 5, high: 6, low: 4, close: 5.5 });
});

test("dailyBarOf with the extreme on the first candle → kept", () => {
  const day = [c(555, 100, 130, 80, 110), c(558, 110, 120, 90, 115)];
  assert.deepEqual(dailyBarOf(day), { open: 100, high: 130, low: 80, close: 115 });
});
