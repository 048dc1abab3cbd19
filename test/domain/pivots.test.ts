import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { parseCandleCsv } from "../../src/backtest/csv-candles.js";
import { type Candle, dailyBarOf } from "../../src/domain/candle.js";
import {
  camarillaPivots,
  centralPivotRange,
  classicPivots,
  fibonacciPivots,
  openingZoneOf,
  type PivotLevels,
  roundForDisplay,
  structureOf,
  woodiePivots,
} from "../../src/domain/pivots.js";

// Compiled to dist/test/domain/: four levels up is the directory that holds main/ and shared/.
const CANDLES = new URL("../../../../shared/data/candles-3minute/", import.meta.url);

function closeTo(actual: number | undefined, expected: number, what: string, tol = 1e-9): void {
  assert.ok(
    actual !== undefined && Math.abs(actual - expected) <= tol,
    `${what}: expected ${expected}, found ${actual}`,
  );
}

function checkLevels(actual: Record<string, number>, expected: Record<string, number>): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
  for (const [k, v] of Object.entries(expected)) closeTo(actual[k], v, k);
}

function dayOf(file: string, date: string) {
  const parsed = parseCandleCsv(readFileSync(new URL(file, CANDLES), "utf8"));
  const day: unknown = parsed.days.get(date);
  assert.ok(day, `${file} has no ${date}`);
  // The parser keeps a day as an array of candles or as a series with toCandles().
  return Array.isArray(day) ? (day as Candle[]) : (day as { toCandles(): Candle[] }).toCandles();
}

/*
 * SENSEX2591180500CE on 2025-09-04, worked out with awk/sort on the CSV:
 * first open 881.8 (09:15), high 1081.8 (09:33 candle), low 548.2 (15:12 candle), last close 577.15 (15:27).
 * PP = (1081.8 + 548.2 + 577.15) / 3 = 2207.15 / 3 = 735.716666…
 * R1 = 2PP - L = 923.233333…   S1 = 2PP - H = 389.633333…
 * R2 = PP + 533.6 = 1269.316666…   S2 = PP - 533.6 = 202.116666…
 * R3 = H + 2(PP - L) = 1081.8 + 375.033333… = 1456.833333…
 * S3 = L - 2(H - PP) = 548.2 - 692.166666… = -143.966666…
 * R4 = R3 + (R2 - R1) = 1456.833333… + 346.083333… = 1802.916666…
 * R5 = R4 + (R3 - R2) = 1802.916666… + 187.516666… = 1990.433333…
 */
const HAND_80500CE: PivotLevels = {
  PP: 735.716666666667,
  R1: 923.233333333333,
  R2: 1269.316666666667,
  R3: 1456.833333333333,
  R4: 1802.916666666667,
  R5: 1990.433333333333,
  S1: 389.633333333333,
  S2: 202.116666666667,
  S3: -143.966666666667,
};

test("dailyBarOf the real 2025-09-04 candles of SENSEX2591180500CE → O 881.8, H 1081.8, L 548.2, C 577.15", () => {
  const candles = dayOf("SENSEX2591180500CE_2025-09-04.csv", "2025-09-04");
  assert.equal(candles.length, 125);
  assert.deepEqual(dailyBarOf(candles), { open: 881.8, high: 1081.8, low: 548.2, close: 577.15 });
});

test("classicPivots of the real 2025-09-04 day of SENSEX2591180500CE → the hand values within 1e-9", () => {
  const bar = dailyBarOf(dayOf("SENSEX2591180500CE_2025-09-04.csv", "2025-09-04"));
  assert.ok(bar);
  checkLevels({ ...classicPivots(bar) }, { ...HAND_80500CE });
});

test("roundForDisplay of the real SENSEX2591180500CE levels → 2 decimals as worked by hand", () => {
  const p = classicPivots({ high: 1081.8, low: 548.2, close: 577.15 });
  const shown = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, roundForDisplay(v)]));
  assert.deepEqual(shown, {
    PP: 735.72,
    R1: 923.23,
    R2: 1269.32,
    R3: 1456.83,
    R4: 1802.92,
    R5: 1990.43,
    S1: 389.63,
    S2: 202.12,
    S3: -143.97,
  });
});

test("structureOf the real SENSEX2591180500CE levels → BEARISH (a 187.52 < b 346.08)", () => {
  const p = classicPivots({ high: 1081.8, low: 548.2, close: 577.15 });
  assert.equal(structureOf(p, 5), "BEARISH");
  // |a - b| = 158.57 < 200 → NEUTRAL with a band that wide.
  assert.equal(structureOf(p, 200), "NEUTRAL");
});

test("classicPivots and structure of the real SENSEX2591180300PE on 2025-09-04 → BULLISH, next open in Z1", () => {
  // By hand: H 241.0 (14:24), L 108.5 (09:33), C 219.0 (15:27); PP = 568.5/3 = 189.5.
  const bar = dailyBarOf(dayOf("SENSEX2591180300PE_2025-09-04.csv", "2025-09-04"));
  assert.ok(bar);
  assert.equal(bar.high, 241);
  assert.equal(bar.low, 108.5);
  assert.equal(bar.close, 219);
  const p = classicPivots(bar);
  checkLevels(
    { ...p },
    { PP: 189.5, R1: 270.5, S1: 138, R2: 322, S2: 57, R3: 403, S3: 5.5, R4: 454.5, R5: 535.5 },
  );
  // a = 81, b = 51.5 → a - b = 29.5 ≥ 5.
  assert.equal(structureOf(p, 5), "BULLISH");
  // 2025-09-05 first candle opens at 169.8: S1 138 <= 169.8 <= PP 189.5.
  const next = dayOf("SENSEX2591180300PE_2025-09-05.csv", "2025-09-05");
  assert.equal(next[0]?.start, 555);
  assert.equal(openingZoneOf(p, next[0]?.open), "Z1");
});

test("classicPivots of H 120, L 80, C 100 → symmetric levels every 20", () => {
  checkLevels(
    { ...classicPivots({ high: 120, low: 80, close: 100 }) },
    { PP: 100, R1: 120, R2: 140, R3: 160, R4: 180, R5: 200, S1: 80, S2: 60, S3: 40 },
  );
});

test("classicPivots of H 130, L 70, C 124 → the section 3 formulas by hand", () => {
  // PP = 324/3 = 108; R1 = 216-70 = 146; S1 = 216-130 = 86; R2 = 108+60 = 168; S2 = 48;
  // R3 = 130 + 2*38 = 206; S3 = 70 - 2*22 = 26; R4 = 206 + 22 = 228; R5 = 228 + 38 = 266.
  checkLevels(
    { ...classicPivots({ high: 130, low: 70, close: 124 }) },
    { PP: 108, R1: 146, R2: 168, R3: 206, R4: 228, R5: 266, S1: 86, S2: 48, S3: 26 },
  );
});

test("structureOf with |a - b| exactly the band → not NEUTRAL; just inside → NEUTRAL", () => {
  // H 20, L 0: a - b = (2C - H - L) / 3.
  const at = classicPivots({ high: 20, low: 0, close: 17.5 }); // PP 12.5, a 12.5, b 7.5 → +5
  assert.equal(structureOf(at, 5), "BULLISH");
  const below = classicPivots({ high: 20, low: 0, close: 2.5 }); // PP 7.5, a 7.5, b 12.5 → -5
  assert.equal(structureOf(below, 5), "BEARISH");
  const inside = classicPivots({ high: 20, low: 0, close: 17.4 }); // +4.9
  assert.equal(structureOf(inside, 5), "NEUTRAL");
  const insideLow = classicPivots({ high: 20, low: 0, close: 2.6 }); // -4.9
  assert.equal(structureOf(insideLow, 5), "NEUTRAL");
  const mid = classicPivots({ high: 20, low: 0, close: 10 }); // 0
  assert.equal(structureOf(mid, 0), "BEARISH"); // a = b = 10 with no band: a > b fails
  assert.equal(structureOf(mid, 5), "NEUTRAL");
  assert.equal(structureOf(at, 0), "BULLISH");
});

test("structureOf from explicit levels → BULLISH when R1 - PP > PP - S1", () => {
  const levels: PivotLevels = { PP: 100, R1: 130, R2: 0, R3: 0, R4: 0, R5: 0, S1: 80, S2: 0, S3: 0 };
  assert.equal(structureOf(levels, 5), "BULLISH"); // a 30, b 20
  assert.equal(structureOf({ ...levels, R1: 110 }, 5), "BEARISH"); // a 10, b 20
  assert.equal(structureOf({ ...levels, R1: 124 }, 5), "NEUTRAL"); // a 24, b 20
  assert.equal(structureOf({ ...levels, R1: 125 }, 5), "BULLISH"); // a 25, b 20: |5| not < 5
});

test("openingZoneOf at and around S1, PP and R1 → Z1 / Z2 / NONE boundaries", () => {
  const p = classicPivots({ high: 20, low: 0, close: 17.5 }); // S1 5, PP 12.5, R1 25
  assert.equal(p.S1, 5);
  assert.equal(p.PP, 12.5);
  assert.equal(p.R1, 25);
  assert.equal(openingZoneOf(p, 4.99), "NONE");
  assert.equal(openingZoneOf(p, 5), "Z1"); // S1 <= O
  assert.equal(openingZoneOf(p, 10), "Z1");
  assert.equal(openingZoneOf(p, 12.5), "Z1"); // O <= PP
  assert.equal(openingZoneOf(p, 12.51), "Z2"); // PP < O
  assert.equal(openingZoneOf(p, 25), "Z2"); // O <= R1
  assert.equal(openingZoneOf(p, 25.01), "NONE");
  assert.equal(openingZoneOf(p, 0), "NONE");
  assert.equal(openingZoneOf(p, undefined), "NONE"); // no first candle
});

test("fibonacciPivots of H 120, L 80, C 110 → PP ± 0.382/0.618/1 × range", () => {
  // PP = 310/3 = 103.333…, range 40: 0.382*40 = 15.28, 0.618*40 = 24.72.
  checkLevels(fibonacciPivots({ high: 120, low: 80, close: 110 }), {
    PP: 103.333333333333,
    R1: 118.613333333333,
    R2: 128.053333333333,
    R3: 143.333333333333,
    S1: 88.053333333333,
    S2: 78.613333333333,
    S3: 63.333333333333,
  });
});

test("camarillaPivots of H 120, L 80, C 110 → C ± 1.1×range/12, /6, /4, /2 and R5 = H/L×C", () => {
  // 1.1 * 40 = 44: /12 = 3.666…, /6 = 7.333…, /4 = 11, /2 = 22; R5 = 1.5 * 110 = 165.
  checkLevels(camarillaPivots({ high: 120, low: 80, close: 110 }), {
    PP: 103.333333333333,
    R1: 113.666666666667,
    R2: 117.333333333333,
    R3: 121,
    R4: 132,
    R5: 165,
    S1: 106.333333333333,
    S2: 102.666666666667,
    S3: 99,
    S4: 88,
  });
});

test("camarillaPivots with a zero low → R5 is NaN, the others finite", () => {
  const c = camarillaPivots({ high: 10, low: 0, close: 5 });
  assert.ok(Number.isNaN(c.R5));
  closeTo(c.R4, 5 + 5.5, "R4");
  closeTo(c.S4, 5 - 5.5, "S4");
});

test("woodiePivots of H 120, L 80, C 110 → PP = (H + L + 2C) / 4", () => {
  // PP = 420/4 = 105; R1 = 210-80 = 130; S1 = 210-120 = 90; R2 = 145; S2 = 65.
  checkLevels(woodiePivots({ high: 120, low: 80, close: 110 }), {
    PP: 105,
    R1: 130,
    R2: 145,
    S1: 90,
    S2: 65,
  });
});

test("centralPivotRange with the close above the mid → TC above BC, width in percent of PP", () => {
  // PP 103.333…, BC = 100, TC = 2PP - BC = 106.666…; width = 6.666…/103.333… = 6.4516…%.
  checkLevels(centralPivotRange({ high: 120, low: 80, close: 110 }), {
    PP: 103.333333333333,
    TC: 106.666666666667,
    BC: 100,
    width_pct: 6.451612903226,
  });
});

test("centralPivotRange with the close below the mid → top and bottom swapped so TC >= BC", () => {
  // PP = 290/3 = 96.666…, (H+L)/2 = 100, 2PP - 100 = 93.333…; width = 6.666…/96.666… = 6.8966%.
  checkLevels(centralPivotRange({ high: 120, low: 80, close: 90 }), {
    PP: 96.666666666667,
    TC: 100,
    BC: 93.333333333333,
    width_pct: 6.896551724138,
  });
});

test("centralPivotRange of an all-zero day → width 0, not NaN", () => {
  assert.deepEqual(centralPivotRange({ high: 0, low: 0, close: 0 }), { PP: 0, TC: 0, BC: 0, width_pct: 0 });
});

test("roundForDisplay → 2 decimals, halves away from zero for positive values", () => {
  assert.equal(roundForDisplay(735.716666), 735.72);
  assert.equal(roundForDisplay(1.005 + 1e-9), 1.01);
  assert.equal(roundForDisplay(2.5), 2.5);
  assert.equal(roundForDisplay(-143.966666), -143.97);
  assert.equal(roundForDisplay(0.004), 0);
});
