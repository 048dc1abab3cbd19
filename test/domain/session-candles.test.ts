import assert from "node:assert/strict";
import { test } from "node:test";
import type { Candle } from "../../src/domain/candle.js";
import { toSessionCandles } from "../../src/domain/session-candles.js";

const START = 555; // 09:15
const END = 930; // 15:30

const c = (
  start: number,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
): Candle => ({
  start,
  open,
  high,
  low,
  close,
  volume,
});

test("toSessionCandles of 1-minute candles with interval 3 → merged 3-minute candles aligned to 09:15", () => {
  const oneMinute = [
    c(555, 10, 12, 9, 11, 1), // 09:15
    c(556, 11, 15, 10, 14, 2), // 09:16
    c(557, 14, 14, 8, 9, 3), // 09:17
    c(558, 9, 10, 9, 10, 4), // 09:18
    c(559, 10, 13, 10, 12, 5), // 09:19
    c(561, 12, 12, 11, 11.5, 6), // 09:21 (09:20 had no trade)
  ];
  assert.deepEqual(toSessionCandles(oneMinute, 3, START, END), [
    c(555, 10, 15, 8, 9, 6),
    c(558, 9, 13, 9, 12, 9),
    c(561, 12, 12, 11, 11.5, 6),
  ]);
});

test("toSessionCandles of 1-minute candles with interval 5 → 09:15, 09:20 buckets", () => {
  const oneMinute = [
    c(555, 1, 2, 1, 2, 1),
    c(559, 2, 3, 2, 3, 1), // 09:19 → 09:15 bucket
    c(560, 3, 4, 3, 4, 1), // 09:20 → new bucket
    c(564, 4, 5, 0.5, 1, 1),
  ];
  assert.deepEqual(toSessionCandles(oneMinute, 5, START, END), [
    c(555, 1, 3, 1, 3, 2),
    c(560, 3, 5, 0.5, 1, 2),
  ]);
});

test("toSessionCandles → drops candles before 09:15 and at or after 15:30", () => {
  const oneMinute = [
    c(540, 1, 1, 1, 1, 100), // 09:00 pre-open
    c(554, 1, 1, 1, 1, 100), // 09:14
    c(555, 5, 6, 4, 5, 1),
    c(927, 7, 8, 6, 7, 1), // 15:27
    c(929, 7, 9, 7, 8, 1), // 15:29 → 15:27
    c(930, 50, 50, 50, 50, 100), // 15:30: session over
    c(935, 50, 50, 50, 50, 100),
  ];
  assert.deepEqual(toSessionCandles(oneMinute, 3, START, END), [
    c(555, 5, 6, 4, 5, 1),
    c(927, 7, 9, 6, 8, 2),
  ]);
});

test("toSessionCandles of aligned 3-minute candles with one at 15:30 → that one dropped, a new array", () => {
  const aligned = [c(555, 1, 2, 1, 2, 1), c(558, 2, 3, 2, 3, 1), c(930, 9, 9, 9, 9, 9)];
  const out = toSessionCandles(aligned, 3, START, END);
  assert.notEqual(out, aligned);
  assert.deepEqual(out, [c(555, 1, 2, 1, 2, 1), c(558, 2, 3, 2, 3, 1)]);
});

test("toSessionCandles of candles already on the grid → the same array object", () => {
  const aligned = [
    c(555, 1, 2, 1, 2, 1),
    c(558, 2, 3, 2, 3, 1),
    c(564, 3, 4, 3, 4, 1),
    c(927, 4, 5, 4, 5, 1),
  ];
  assert.equal(toSessionCandles(aligned, 3, START, END), aligned);
  const empty: Candle[] = [];
  assert.equal(toSessionCandles(empty, 3, START, END), empty);
});

test("toSessionCandles of 3-minute candles read with a 15-minute interval → merged, not identity", () => {
  const three = [c(555, 1, 2, 1, 2, 1), c(558, 2, 3, 2, 3, 1), c(570, 3, 4, 3, 4, 1)];
  const out = toSessionCandles(three, 15, START, END);
  assert.notEqual(out, three);
  assert.deepEqual(out, [c(555, 1, 3, 1, 3, 2), c(570, 3, 4, 3, 4, 1)]);
});

test("toSessionCandles while merging → leaves the input candles untouched", () => {
  const input = [c(555, 10, 12, 9, 11, 1), c(556, 11, 15, 10, 14, 2)];
  const copy = structuredClone(input);
  toSessionCandles(input, 3, START, END);
  assert.deepEqual(input, copy);
});
