/**
 * Unit tests of the strategy rules (STRATEGY.md sections 2-7) against StrategyDay. Every
 * expected value is worked out by hand from the rules; the comments show the arithmetic.
 *
 * Unless a test says otherwise the contract has the pivots of H=120, L=80, C=110 (see
 * strategy-fixtures.ts): S1 86.67, PP 103.33, R1 126.67, R2 143.33, R3 166.67, R4 183.33,
 * R5 206.67, BULLISH; priorSizes are 20 × 1% (threshold 1); quantity 20; defaults from
 * defaultConfig() (3-minute candles, 09:15 start, EOD 15:15, timeout 10, max 3 trades,
 * max_re_entries 1, max daily loss 25,000).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultConfig } from "../../src/config/load.js";
import { candleSize } from "../../src/domain/candle.js";
import { classicPivots, openingZoneOf, structureOf } from "../../src/domain/pivots.js";
import { SIGNIFICANCE_WINDOW, strategyParamsFrom } from "../../src/strategy/params.js";
import { StrategyDay } from "../../src/strategy/strategy-day.js";
import type { SignalRecord } from "../../src/strategy/types.js";
import {
  bar,
  DATE,
  FIRST,
  Harness,
  hm,
  iso,
  nth,
  ONES,
  P,
  params,
  Recorder,
  setup,
} from "./strategy-fixtures.js";

const A = "A";
const B = "B";
const C = "C";
const D = "D";

function near(actual: number, expected: number, message?: string, eps = 1e-9): void {
  assert.ok(Math.abs(actual - expected) <= eps, `${message ?? "value"}: expected ${expected}, got ${actual}`);
}

/** The fields of a signal record that the rules decide. */
function brief(s: SignalRecord | undefined) {
  assert.ok(s, "expected a signal record");
  return {
    symbol: s.symbol,
    scenario: s.scenario,
    first_candle: s.first_candle,
    action: s.action,
    reason: s.reason,
  };
}

/** A harness for contract A whose first candle (09:15) opens at `open` as a doji (size 0). */
function withZoneFrom(open: number, opts: Parameters<typeof setup>[1] = {}, overrides = {}): Harness {
  const h = new Harness([setup(A, opts)], overrides);
  h.step(FIRST, { [A]: [open, open] });
  return h;
}

/** A harness where A entered on the first candle: open 100, close 130, low 95 (scenario 1). */
function enteredOnFirst(overrides = {}, opts: Parameters<typeof setup>[1] = {}): Harness {
  const h = new Harness([setup(A, opts)], overrides);
  h.step(FIRST, { [A]: [100, 130, { low: 95, high: 131 }] });
  assert.equal(h.rec.entries.length, 1, "first-candle entry expected");
  return h;
}

/** A harness where A (zone Z1) entered on the 09:18 candle: open 120, close 130, low 118 (scenario 1, later). */
function enteredLater(overrides = {}): Harness {
  const h = withZoneFrom(100, {}, overrides);
  h.step(nth(1), { [A]: [120, 130, { low: 118 }] });
  assert.equal(h.rec.entries.length, 1, "later-candle entry expected");
  assert.equal(h.rec.entries[0]?.first_candle_entry, false);
  return h;
}

// ---------------------------------------------------------------- parameters

test("strategyParamsFrom defaults → 09:15 start, 15:15 EOD, 3 min, p75, window 20, limits 10/1/3/25000", () => {
  const p = strategyParamsFrom(defaultConfig());
  assert.equal(p.sessionStart, 555);
  assert.equal(p.eodExit, 915);
  assert.equal(p.intervalMinutes, 3);
  assert.equal(p.candleSizePercentile, 75);
  assert.equal(p.windowSize, 20);
  assert.equal(SIGNIFICANCE_WINDOW, 20);
  assert.equal(p.maxCandlesTimeout, 10);
  assert.equal(p.maxReEntries, 1);
  assert.equal(p.maxTradesPerDay, 3);
  assert.equal(p.maxDailyLoss, 25_000);
  assert.deepEqual(p.charges, {
    brokeragePerOrder: 20,
    sttSellPct: 0.1,
    exchangePct: 0.0325,
    sebiPerCrore: 10,
    gstPct: 18,
    stampBuyPct: 0.003,
  });
});

// ---------------------------------------------------------------- section 3: pivots and structure

test("classicPivots H=120 L=80 C=110 → PP 310/3, R1 380/3, R2 430/3, R3 500/3, R4 550/3, R5 620/3, S1 260/3, S2 190/3, S3 140/3", () => {
  const p = classicPivots({ high: 120, low: 80, close: 110 });
  near(p.PP, 310 / 3, "PP"); // (120+80+110)/3 = 103.333
  near(p.R1, 380 / 3, "R1"); // 2*103.333 - 80 = 126.667
  near(p.S1, 260 / 3, "S1"); // 2*103.333 - 120 = 86.667
  near(p.R2, 430 / 3, "R2"); // 103.333 + 40 = 143.333
  near(p.S2, 190 / 3, "S2"); // 103.333 - 40 = 63.333
  near(p.R3, 500 / 3, "R3"); // 120 + 2*23.333 = 166.667
  near(p.S3, 140 / 3, "S3"); // 80 - 2*16.667 = 46.667
  near(p.R4, 550 / 3, "R4"); // 166.667 + 16.667 = 183.333
  near(p.R5, 620 / 3, "R5"); // 183.333 + 23.333 = 206.667
});

test("structureOf a-b = +6.67 (C=110) → BULLISH", () => {
  // a = R1 - PP = 23.33, b = PP - S1 = 16.67
  assert.equal(structureOf(classicPivots({ high: 120, low: 80, close: 110 }), 5), "BULLISH");
});

test("structureOf |a-b| exactly equal to the band 5 → not NEUTRAL (BULLISH at C=107.5, BEARISH at C=92.5)", () => {
  // C=107.5: PP=102.5, R1=125, S1=85 → a=22.5, b=17.5, a-b=5 exactly
  const band = defaultConfig().trading.structure_neutral_band;
  assert.equal(band, 5);
  assert.equal(structureOf(classicPivots({ high: 120, low: 80, close: 107.5 }), band), "BULLISH");
  // C=92.5: PP=97.5, R1=115, S1=75 → a=17.5, b=22.5, a-b=-5 exactly
  assert.equal(structureOf(classicPivots({ high: 120, low: 80, close: 92.5 }), band), "BEARISH");
});

test("structureOf |a-b| below the band → NEUTRAL (C=107.49: 4.993; C=100: 0)", () => {
  assert.equal(structureOf(classicPivots({ high: 120, low: 80, close: 107.49 }), 5), "NEUTRAL");
  assert.equal(structureOf(classicPivots({ high: 120, low: 80, close: 100 }), 5), "NEUTRAL");
  assert.equal(structureOf(classicPivots({ high: 120, low: 80, close: 92.51 }), 5), "NEUTRAL");
});

test("StrategyDay only BULLISH contracts with pivots → same scenario-1 candle signals for BULLISH only", () => {
  const h = new Harness([
    setup(A, { structure: "BULLISH" }),
    setup(B, { structure: "BEARISH" }),
    setup(C, { structure: "NEUTRAL" }),
    setup(D, { hlc: null, structure: null }),
  ]);
  const candle: [number, number, { low: number }] = [100, 130, { low: 95 }];
  h.step(FIRST, { [B]: candle, [C]: candle, [D]: candle, [A]: candle });
  assert.deepEqual(
    h.rec.signals.map((s) => s.symbol),
    [A],
  );
  assert.equal(h.rec.entries[0]?.symbol, A);
  assert.equal(h.rec.entries[0]?.structure, "BULLISH");
});

test("StrategyDay BULLISH structure but no pivots (no previous day) → never signals", () => {
  const h = new Harness([setup(A, { hlc: null, structure: "BULLISH" })]);
  h.step(FIRST, { [A]: [100, 130] });
  h.step(nth(1), { [A]: [145, 170] });
  assert.equal(h.rec.signals.length, 0);
  assert.equal(h.rec.entries.length, 0);
});

// ---------------------------------------------------------------- section 3: opening zone

test("openingZoneOf O == PP → Z1; O == S1 → Z1; O == R1 → Z2", () => {
  assert.equal(openingZoneOf(P, P.PP), "Z1");
  assert.equal(openingZoneOf(P, P.S1), "Z1");
  assert.equal(openingZoneOf(P, P.R1), "Z2");
  assert.equal(openingZoneOf(P, 95), "Z1");
  assert.equal(openingZoneOf(P, 115), "Z2");
});

test("openingZoneOf O above R1, below S1 or missing → NONE", () => {
  assert.equal(openingZoneOf(P, 126.67), "NONE");
  assert.equal(openingZoneOf(P, 86.66), "NONE");
  assert.equal(openingZoneOf(P, undefined), "NONE");
});

test("zone first open == PP (Z1) → later green close above R1 is scenario 1", () => {
  const h = withZoneFrom(P.PP);
  h.step(nth(1), { [A]: [120, 130, { low: 118 }] });
  assert.deepEqual(brief(h.rec.signals[0]), {
    symbol: A,
    scenario: 1,
    first_candle: false,
    action: "TAKEN",
    reason: null,
  });
});

test("zone first open == S1 (Z1) → later green close above R1 is scenario 1", () => {
  const h = withZoneFrom(P.S1);
  h.step(nth(1), { [A]: [120, 130] });
  assert.equal(h.rec.signals[0]?.scenario, 1);
  assert.equal(h.rec.entries.length, 1);
});

test("zone first open == R1 (Z2) → later close in (R1, R2] no signal, later close in (R2, R3) scenario 2", () => {
  const h = withZoneFrom(P.R1);
  h.step(nth(1), { [A]: [128, 140] }); // 140 > R1 but < R2: scenario 1 needs Z1, scenario 2 needs > R2
  assert.equal(h.rec.signals.length, 0);
  h.step(nth(2), { [A]: [140, 150, { low: 139 }] });
  assert.deepEqual(brief(h.rec.signals[0]), {
    symbol: A,
    scenario: 2,
    first_candle: false,
    action: "TAKEN",
    reason: null,
  });
  assert.equal(h.rec.entries[0]?.target, 183.33); // R4
});

test("zone first open just above R1 (127) → NONE: later closes above R1 or in (R2, R3) never signal", () => {
  const h = withZoneFrom(127);
  h.step(nth(1), { [A]: [120, 130] });
  h.step(nth(2), { [A]: [130, 150] });
  assert.equal(h.rec.signals.length, 0);
});

test("zone first open just below S1 (86.6) → NONE: later close above R1 never signals", () => {
  const h = withZoneFrom(86.6);
  h.step(nth(1), { [A]: [120, 130] });
  assert.equal(h.rec.signals.length, 0);
});

test("zone contract without a 09:15 candle → NONE: 09:18 open 100 close 130 and later close above R1 do not signal; scenario 3 still does", () => {
  const h = new Harness([setup(A)]);
  h.step(nth(1), { [A]: [100, 130] }); // would be a first-candle scenario 1 at 09:15
  h.step(nth(2), { [A]: [120, 135] }); // would be scenario 1 in zone Z1
  h.step(nth(3), { [A]: [130, 150] }); // would be scenario 2 in zone Z2
  assert.equal(h.rec.signals.length, 0);
  h.step(nth(4), { [A]: [145, 170] }); // R2 <= 145 <= R3, 170 > R3: scenario 3 needs no zone
  assert.deepEqual(brief(h.rec.signals[0]), {
    symbol: A,
    scenario: 3,
    first_candle: false,
    action: "TAKEN",
    reason: null,
  });
});

test("zone is fixed by the first candle: later candles opening in Z2 do not change a Z1 day", () => {
  const h = withZoneFrom(100); // Z1
  h.step(nth(1), { [A]: [110, 110] }); // doji opening in (PP, R1]
  h.step(nth(2), { [A]: [140, 150] }); // close in (R2, R3): scenario 1 (Z1, > R1), not 2
  assert.equal(h.rec.signals[0]?.scenario, 1);
  assert.equal(h.rec.entries[0]?.target, 166.67); // R3
});

// ---------------------------------------------------------------- section 4: significance

test("significance empty window (no prior sizes) → first candle not significant, no signal", () => {
  const h = new Harness([setup(A, { priorSizes: [] })]);
  h.step(FIRST, { [A]: [100, 130] });
  assert.equal(h.rec.signals.length, 0);
  assert.equal(h.rec.entries.length, 0);
});

test("significance window of one today candle (n=1) → threshold is its size; equal size is significant", () => {
  const h = new Harness([setup(A, { priorSizes: [] })]);
  h.step(FIRST, { [A]: [96, 108] }); // Z1; size 12/96 = 12.5%; close < R1 → no scenario
  assert.equal(h.rec.signals.length, 0);
  h.step(nth(1), { [A]: [120, 135] }); // size 15/120 = 12.5% >= 12.5
  const s = h.rec.signals[0];
  assert.equal(s?.threshold, 12.5);
  assert.equal(s?.size, 12.5);
  assert.equal(s?.action, "TAKEN");
});

test("significance size exactly equal to the threshold (20 × 37.5, candle 96→132 = 37.5%) → significant", () => {
  const h = new Harness([setup(A, { priorSizes: Array.from({ length: 20 }, () => 37.5) })]);
  h.step(FIRST, { [A]: [96, 132] });
  assert.equal(candleSize(bar(FIRST, 96, 132)), 37.5);
  const s = h.rec.signals[0];
  assert.equal(s?.size, 37.5);
  assert.equal(s?.threshold, 37.5);
  assert.equal(s?.action, "TAKEN");
});

test("significance size just below the threshold (20 × 37.5000001, candle 37.5%) → no signal", () => {
  const h = new Harness([setup(A, { priorSizes: Array.from({ length: 20 }, () => 37.5000001) })]);
  h.step(FIRST, { [A]: [96, 132] });
  assert.equal(h.rec.signals.length, 0);
});

test("significance priorSizes 0..20 (21 values) → only the last 20 (1..20) count: p75 = v[14] + 0.25(v[15]-v[14]) = 15.25", () => {
  // 1..20 sorted: v[14]=15, v[15]=16, h = 19*0.75 = 14.25 → 15.25.
  // (All 21 would give h=15 → 15; the first 20 (0..19) would give 14.25.)
  const prior = Array.from({ length: 21 }, (_, i) => i);
  const h = new Harness([setup(A, { priorSizes: prior })]);
  h.step(FIRST, { [A]: [100, 130] });
  assert.equal(h.rec.signals[0]?.threshold, 15.25);
});

test("significance window mixes priorSizes with today's candles: prior 1..20 + today 50 → [2..20, 50] → threshold 16.25", () => {
  // window before the 09:18 candle: the 19 most recent prior sizes (2..20) and today's 09:15 (50)
  // sorted: 2..20, 50 → v[14]=16, v[15]=17 → 16 + 0.25 = 16.25
  const prior = Array.from({ length: 20 }, (_, i) => i + 1);
  const h = new Harness([setup(A, { priorSizes: prior })]);
  h.step(FIRST, { [A]: [100, 50] }); // red, size 50, zone Z1
  h.step(nth(1), { [A]: [120, 150] }); // size 25
  const s = h.rec.signals[0];
  assert.equal(s?.threshold, 16.25);
  assert.equal(s?.size, 25);
});

test("significance threshold 16.25 → size 16.2583% (120→139.51) significant, 16.2417% (120→139.49) not", () => {
  const prior = Array.from({ length: 20 }, (_, i) => i + 1);
  const yes = new Harness([setup(A, { priorSizes: prior })]);
  yes.step(FIRST, { [A]: [100, 50] });
  yes.step(nth(1), { [A]: [120, 139.51] });
  assert.equal(yes.rec.signals.length, 1);
  assert.equal(yes.rec.entries.length, 1);

  const no = new Harness([setup(A, { priorSizes: prior })]);
  no.step(FIRST, { [A]: [100, 50] });
  no.step(nth(1), { [A]: [120, 139.49] });
  assert.equal(no.rec.signals.length, 0);
});

test("significance window slides: prior 20 × 100 then 15 doji today → [100×5, 0×15] → threshold 0 + 0.25·100 = 25", () => {
  const prior = Array.from({ length: 20 }, () => 100);
  const run = (close: number) => {
    const h = new Harness([setup(A, { priorSizes: prior })]);
    for (let i = 0; i < 15; i++) h.step(nth(i), { [A]: [100, 100] }); // zone Z1
    h.step(nth(15), { [A]: [120, close] });
    return h;
  };
  const hit = run(150); // size 25
  assert.equal(hit.rec.signals[0]?.threshold, 25);
  assert.equal(hit.rec.signals[0]?.time, iso(hm(10, 3)));
  assert.equal(run(149.88).rec.signals.length, 0); // size 24.9
});

test("significance window after 16 doji today → [100×4, 0×16] → threshold 0, a 1% candle is significant", () => {
  const h = new Harness([setup(A, { priorSizes: Array.from({ length: 20 }, () => 100) })]);
  for (let i = 0; i < 16; i++) h.step(nth(i), { [A]: [100, 100] });
  h.step(nth(16), { [A]: [128, 129.28] }); // size 1%
  assert.equal(h.rec.signals[0]?.threshold, 0);
  assert.equal(h.rec.entries.length, 1);
});

// ---------------------------------------------------------------- section 5: scenarios

test("scenario 1 first candle open 100 (in [S1, PP]) close 130 (> R1) → signal and entry at close 130, stop low 95, target R3", () => {
  const h = new Harness([setup(A)]);
  h.step(FIRST, { [A]: [100, 130, { low: 95, high: 131 }] });
  assert.deepEqual(h.rec.signals, [
    {
      date: DATE,
      time: "2025-09-05T09:18:00+05:30",
      symbol: A,
      scenario: 1,
      first_candle: true,
      open: 100,
      high: 131,
      low: 95,
      close: 130,
      size: 30, // 30/100
      threshold: 1,
      entry_price: 130,
      stop_loss: 95,
      target: 166.67,
      action: "TAKEN",
      reason: null,
      detail: h.rec.signals[0]?.detail ?? "",
      trade_id: "20250905_001",
    },
  ]);
  assert.deepEqual(h.rec.entries, [
    {
      trade_id: "20250905_001",
      symbol: A,
      strike: 80000,
      option_type: "CE",
      scenario: 1,
      first_candle_entry: true,
      structure: "BULLISH",
      re_entry: false,
      entry_time: "2025-09-05T09:18:00+05:30",
      entry_price: 130,
      stop_loss: 95,
      target: 166.67,
      quantity: 20,
      candles_held: 0,
      pivots: {
        PP: 103.33,
        R1: 126.67,
        R2: 143.33,
        R3: 166.67,
        R4: 183.33,
        R5: 206.67,
        S1: 86.67,
        S2: 63.33,
        S3: 46.67,
      },
    },
  ]);
  const pos = h.day.openPosition;
  assert.ok(pos);
  near(pos.target, 500 / 3, "open position target at full precision");
  assert.equal(h.day.risk.tradesToday, 1);
});

test("scenario 1 first candle open == S1 exactly, close 130 → scenario 1", () => {
  const h = new Harness([setup(A)]);
  h.step(FIRST, { [A]: [P.S1, 130] });
  assert.equal(h.rec.signals[0]?.scenario, 1);
  assert.equal(h.rec.entries.length, 1);
});

test("scenario 1 first candle open 86.6 (below S1), close 130 → no signal", () => {
  const h = new Harness([setup(A)]);
  h.step(FIRST, { [A]: [86.6, 130] });
  assert.equal(h.rec.signals.length, 0);
});

test("scenario 1 first candle close == R1 exactly → no signal (close must be above R1)", () => {
  const h = new Harness([setup(A)]);
  h.step(FIRST, { [A]: [100, P.R1] });
  assert.equal(h.rec.signals.length, 0);
});

test("scenario 1/2 first candle open 103.34 (just above PP) close 130 (between R1 and R2) → no signal", () => {
  const h = new Harness([setup(A)]);
  h.step(FIRST, { [A]: [103.34, 130] });
  assert.equal(h.rec.signals.length, 0);
});

test("scenario 1 later candle in zone Z1 opening anywhere (60) and closing above R1 → scenario 1, first_candle false", () => {
  const h = withZoneFrom(100);
  h.step(nth(1), { [A]: [60, 130, { low: 58 }] });
  const s = h.rec.signals[0];
  assert.deepEqual(brief(s), { symbol: A, scenario: 1, first_candle: false, action: "TAKEN", reason: null });
  assert.equal(s?.stop_loss, 58);
  assert.equal(s?.target, 166.67);
  assert.equal(h.rec.entries[0]?.entry_time, "2025-09-05T09:21:00+05:30");
});

test("scenario 2 first candle open 110 (in [PP, R1]) close 150 (in (R2, R3)) → scenario 2, target R4, stop low", () => {
  const h = new Harness([setup(A)]);
  h.step(FIRST, { [A]: [110, 150, { low: 105 }] });
  const s = h.rec.signals[0];
  assert.deepEqual(brief(s), { symbol: A, scenario: 2, first_candle: true, action: "TAKEN", reason: null });
  assert.equal(s?.entry_price, 150);
  assert.equal(s?.stop_loss, 105);
  assert.equal(s?.target, 183.33);
  const pos = h.day.openPosition;
  assert.ok(pos);
  near(pos.target, 550 / 3, "R4 at full precision");
  assert.equal(pos.first_candle_entry, true);
});

test("scenario 2 first candle open == R1 exactly, close 150 → scenario 2", () => {
  const h = new Harness([setup(A)]);
  h.step(FIRST, { [A]: [P.R1, 150] });
  assert.equal(h.rec.signals[0]?.scenario, 2);
  assert.equal(h.rec.entries.length, 1);
});

test("scenario 2 first candle open 110 close == R2 or == R3 exactly → no signal (strict bounds)", () => {
  for (const close of [P.R2, P.R3]) {
    const h = new Harness([setup(A)]);
    h.step(FIRST, { [A]: [110, close] });
    assert.equal(h.rec.signals.length, 0, `close ${close}`);
  }
});

test("scenario order first candle open == PP close 150 (matches 1 and 2) → scenario 1 with target R3", () => {
  const h = new Harness([setup(A)]);
  h.step(FIRST, { [A]: [P.PP, 150] });
  assert.equal(h.rec.signals.length, 1);
  assert.equal(h.rec.signals[0]?.scenario, 1);
  assert.equal(h.rec.signals[0]?.target, 166.67);
});

test("scenario 2 later candle in zone Z2 close 150 → scenario 2 with no first-candle timeout", () => {
  const h = withZoneFrom(110);
  h.step(nth(1), { [A]: [140, 150, { low: 139 }] });
  assert.deepEqual(brief(h.rec.signals[0]), {
    symbol: A,
    scenario: 2,
    first_candle: false,
    action: "TAKEN",
    reason: null,
  });
  assert.equal(h.day.openPosition?.first_candle_entry, false);
});

test("scenario 3 first candle open 145 close 170 → never on the first candle, no signal", () => {
  const h = new Harness([setup(A)]);
  h.step(FIRST, { [A]: [145, 170] });
  assert.equal(h.rec.signals.length, 0);
});

test("scenario 3 later candle open == R2, close 170 (> R3) → scenario 3, target R5", () => {
  const h = withZoneFrom(145); // zone NONE: scenario 3 does not need a zone
  h.step(nth(1), { [A]: [P.R2, 170, { low: 143 }] });
  const s = h.rec.signals[0];
  assert.deepEqual(brief(s), { symbol: A, scenario: 3, first_candle: false, action: "TAKEN", reason: null });
  assert.equal(s?.target, 206.67);
  assert.equal(s?.stop_loss, 143);
  near(h.day.openPosition?.target ?? 0, 620 / 3, "R5 at full precision");
});

test("scenario 3 later candle open == R3 exactly, close 180 → scenario 3", () => {
  const h = withZoneFrom(145);
  h.step(nth(1), { [A]: [P.R3, 180] });
  assert.equal(h.rec.signals[0]?.scenario, 3);
});

test("scenario 3 later candle open 143.3 (below R2) or 167 (above R3), close 180 → no signal", () => {
  for (const open of [143.3, 167]) {
    const h = withZoneFrom(145);
    h.step(nth(1), { [A]: [open, 180] });
    assert.equal(h.rec.signals.length, 0, `open ${open}`);
  }
});

test("scenario 3 later candle open 150 close == R3 exactly → no signal (close must be above R3)", () => {
  const h = withZoneFrom(145);
  h.step(nth(1), { [A]: [150, P.R3] });
  assert.equal(h.rec.signals.length, 0);
});

test("target-above rule zone Z1 later open 150 close 170: scenario 1 target R3 166.67 not above → falls through to scenario 3 (R5)", () => {
  const h = withZoneFrom(100);
  h.step(nth(1), { [A]: [150, 170] });
  assert.equal(h.rec.signals.length, 1);
  assert.equal(h.rec.signals[0]?.scenario, 3);
  assert.equal(h.rec.signals[0]?.target, 206.67);
  assert.equal(h.rec.entries[0]?.scenario, 3);
});

test("target-above rule first candle open 100 close 170 (only scenario 1 matches, R3 below close) → no entry", () => {
  const h = new Harness([setup(A)]);
  h.step(FIRST, { [A]: [100, 170] });
  assert.equal(h.rec.entries.length, 0);
  assert.equal(h.day.openPosition, null);
  for (const s of h.rec.signals) {
    assert.equal(s.action, "SKIPPED");
    assert.equal(s.reason, "TARGET_NOT_ABOVE_ENTRY");
  }
});

test("target-above rule first candle open 100 close == R3 exactly (target equal, not above) → no entry", () => {
  const h = new Harness([setup(A)]);
  h.step(FIRST, { [A]: [100, P.R3] });
  assert.equal(h.rec.entries.length, 0);
  assert.ok(h.rec.signals.every((s) => s.action === "SKIPPED"));
});

test("target-above rule scenario 3 open 150 close 207 (above R5 206.67) → no entry", () => {
  const h = withZoneFrom(145);
  h.step(nth(1), { [A]: [150, 207] });
  assert.equal(h.rec.entries.length, 0);
  assert.ok(h.rec.signals.every((s) => s.action === "SKIPPED" && s.reason === "TARGET_NOT_ABOVE_ENTRY"));
});

test("red candle in zone Z1 closing above R1 (140→130) → no signal", () => {
  const h = withZoneFrom(100);
  h.step(nth(1), { [A]: [140, 130] });
  assert.equal(h.rec.signals.length, 0);
});

test("doji in zone Z1 at 130 with a zero threshold (prior sizes all 0) → no signal (not green)", () => {
  const h = withZoneFrom(100, { priorSizes: Array.from({ length: 20 }, () => 0) });
  h.step(nth(1), { [A]: [130, 130] });
  assert.equal(h.rec.signals.length, 0);
  h.step(nth(2), { [A]: [130, 131] }); // control: a green candle at threshold 0 does signal
  assert.equal(h.rec.signals.length, 1);
});

test("doji first candle at 130 with zero threshold → no signal", () => {
  const h = new Harness([setup(A, { priorSizes: Array.from({ length: 20 }, () => 0) })]);
  h.step(FIRST, { [A]: [130, 130] });
  assert.equal(h.rec.signals.length, 0);
});

// ---------------------------------------------------------------- section 6: exits

test("exit STOP_LOSS close == stop 95 → exit at 95, -35 points, -700 Rs, charges 50.90, net -750.90", () => {
  const h = enteredOnFirst();
  h.step(nth(1), { [A]: [125, 95] });
  assert.equal(h.rec.exits.length, 1);
  const t = h.rec.exits[0];
  assert.ok(t);
  assert.equal(t.exit_reason, "STOP_LOSS");
  assert.equal(t.exit_price, 95);
  assert.equal(t.exit_time, "2025-09-05T09:21:00+05:30");
  assert.equal(t.entry_time, "2025-09-05T09:18:00+05:30");
  assert.equal(t.candles_held, 1);
  assert.equal(t.pnl_points, -35);
  assert.equal(t.pnl_rupees, -700);
  // buy 2600, sell 1900, turnover 4500, each part rounded to paise, then summed:
  // 40 + 1.90 (STT) + 1.46 (1.4625) + 0.00 (0.0045) + 7.46 (0.18 × 41.467) + 0.08 (0.078) = 50.90
  assert.equal(t.charges, 50.9);
  assert.equal(t.net_pnl_rupees, -750.9);
  assert.equal(t.date, DATE);
  assert.equal(h.day.openPosition, null);
  assert.deepEqual(h.day.risk, {
    tradesToday: 1,
    stopLossesToday: 1,
    realisedPnl: -700,
    entriesEnabled: true,
  });
});

test("exit close 95.01 just above the stop → position stays open", () => {
  const h = enteredOnFirst();
  h.step(nth(1), { [A]: [125, 95.01] });
  assert.equal(h.rec.exits.length, 0);
  assert.equal(h.day.openPosition?.candles_held, 1);
});

test("exit STOP_LOSS on the 10th held candle of a first-candle entry → STOP_LOSS, not TIMEOUT", () => {
  const h = enteredOnFirst();
  for (let i = 1; i <= 9; i++) h.step(nth(i), { [A]: [120, 120] });
  h.step(nth(10), { [A]: [120, 90] });
  assert.equal(h.rec.exits[0]?.exit_reason, "STOP_LOSS");
  assert.equal(h.rec.exits[0]?.candles_held, 10);
});

test("exit STOP_LOSS on the candle closing at 15:15 → STOP_LOSS, not EOD", () => {
  const h = enteredOnFirst();
  h.step(hm(15, 12), { [A]: [120, 90] });
  assert.equal(h.rec.exits[0]?.exit_reason, "STOP_LOSS");
  assert.equal(h.rec.exits[0]?.exit_time, "2025-09-05T15:15:00+05:30");
});

test("exit STOP_LOSS when the daily loss limit (100) is also breached → STOP_LOSS", () => {
  const h = enteredOnFirst({ maxDailyLoss: 100 });
  h.step(nth(1), { [A]: [120, 90] }); // -800 <= -100, and 90 <= 95
  assert.equal(h.rec.exits[0]?.exit_reason, "STOP_LOSS");
});

test("exit TARGET close 170 >= R3 → exit at 170, +40 points, 800 Rs, charges 52.99, net 747.01", () => {
  const h = enteredOnFirst();
  h.step(nth(1), { [A]: [180, 170] });
  const t = h.rec.exits[0];
  assert.ok(t);
  assert.equal(t.exit_reason, "TARGET");
  assert.equal(t.exit_price, 170);
  assert.equal(t.pnl_points, 40);
  assert.equal(t.pnl_rupees, 800);
  // buy 2600, sell 3400, turnover 6000: 40 + 3.4 + 1.95 + 0.006 + 0.18*41.956 + 0.078 = 52.986
  assert.equal(t.charges, 52.99);
  assert.equal(t.net_pnl_rupees, 747.01);
  assert.equal(t.target, 166.67);
});

test("exit TARGET close == R3 at full precision → TARGET", () => {
  const h = enteredOnFirst();
  h.step(nth(1), { [A]: [180, P.R3] });
  assert.equal(h.rec.exits[0]?.exit_reason, "TARGET");
});

test("exit TARGET compares with R3 at full precision: 166.668 ≥ 166.6667 → TARGET; 166.666 → stays open", () => {
  const hit = enteredOnFirst();
  hit.step(nth(1), { [A]: [180, 166.668] }); // rounded 166.67 would not be reached
  assert.equal(hit.rec.exits[0]?.exit_reason, "TARGET");
  const miss = enteredOnFirst();
  miss.step(nth(1), { [A]: [180, 166.666] });
  assert.equal(miss.rec.exits.length, 0);
});

test("exit TARGET on the 10th held candle → TARGET, not TIMEOUT", () => {
  const h = enteredOnFirst();
  for (let i = 1; i <= 9; i++) h.step(nth(i), { [A]: [120, 120] });
  h.step(nth(10), { [A]: [180, 170] });
  assert.equal(h.rec.exits[0]?.exit_reason, "TARGET");
});

test("exit TARGET on the candle closing at 15:15 → TARGET, not EOD", () => {
  const h = enteredLater();
  h.step(hm(15, 12), { [A]: [180, 170] });
  assert.equal(h.rec.exits[0]?.exit_reason, "TARGET");
});

test("exit TIMEOUT first-candle entry: open after 9 held candles, closed on the 10th at 09:48", () => {
  const h = enteredOnFirst();
  for (let i = 1; i <= 9; i++) h.step(nth(i), { [A]: [120, 120] });
  assert.equal(h.rec.exits.length, 0);
  assert.equal(h.day.openPosition?.candles_held, 9);
  h.step(nth(10), { [A]: [120, 121] });
  const t = h.rec.exits[0];
  assert.equal(t?.exit_reason, "TIMEOUT");
  assert.equal(t?.candles_held, 10);
  assert.equal(t?.exit_price, 121);
  assert.equal(t?.exit_time, "2025-09-05T09:48:00+05:30");
  assert.equal(t?.pnl_points, -9);
});

test("exit TIMEOUT applies to a first-candle scenario 2 entry after 10 candles", () => {
  const h = new Harness([setup(A)]);
  h.step(FIRST, { [A]: [110, 150, { low: 105 }] });
  for (let i = 1; i <= 10; i++) h.step(nth(i), { [A]: [140, 140] });
  assert.equal(h.rec.exits[0]?.exit_reason, "TIMEOUT");
  assert.equal(h.rec.exits[0]?.candles_held, 10);
});

test("exit TIMEOUT before EOD: 10th held candle is the one closing at 15:15 → TIMEOUT", () => {
  const h = enteredOnFirst();
  for (let i = 1; i <= 9; i++) h.step(nth(i), { [A]: [120, 120] });
  h.step(hm(15, 12), { [A]: [120, 120] });
  assert.equal(h.rec.exits[0]?.exit_reason, "TIMEOUT");
});

test("exit no TIMEOUT for a later-candle entry: still open after 12 candles; finish() → EOD at the last close", () => {
  const h = enteredLater(); // entered at 09:21 close
  for (let i = 2; i <= 13; i++) h.step(nth(i), { [A]: [125, 125] });
  assert.equal(h.rec.exits.length, 0);
  assert.equal(h.day.openPosition?.candles_held, 12);
  h.day.finish();
  const t = h.rec.exits[0];
  assert.equal(t?.exit_reason, "EOD");
  assert.equal(t?.exit_price, 125);
  assert.equal(t?.exit_time, "2025-09-05T09:57:00+05:30"); // nth(13) = 09:54, closes 09:57
  assert.equal(t?.candles_held, 12);
  assert.equal(t?.pnl_points, -5);
  assert.equal(h.day.openPosition, null);
});

test("exit EOD: candle closing 15:12 keeps the position, candle starting 15:12 (closing 15:15) closes it", () => {
  const h = enteredLater();
  h.step(hm(15, 9), { [A]: [125, 125] });
  assert.equal(h.rec.exits.length, 0);
  h.step(hm(15, 12), { [A]: [125, 126] });
  const t = h.rec.exits[0];
  assert.equal(t?.exit_reason, "EOD");
  assert.equal(t?.exit_price, 126);
  assert.equal(t?.exit_time, "2025-09-05T15:15:00+05:30");
});

test("exit EOD before MAX_DAILY_LOSS on the 15:15 close", () => {
  const h = enteredLater({ maxDailyLoss: 100 });
  h.step(hm(15, 12), { [A]: [125, 120] }); // -200 <= -100 but EOD comes first; 120 > stop 118
  assert.equal(h.rec.exits[0]?.exit_reason, "EOD");
});

test("exit MAX_DAILY_LOSS limit 500: close 106 (-480) stays, close 105 (-500) exits", () => {
  const h = enteredOnFirst({ maxDailyLoss: 500 });
  h.step(nth(1), { [A]: [110, 106] });
  assert.equal(h.rec.exits.length, 0);
  h.step(nth(2), { [A]: [106, 105] });
  const t = h.rec.exits[0];
  assert.equal(t?.exit_reason, "MAX_DAILY_LOSS");
  assert.equal(t?.exit_price, 105);
  assert.equal(t?.pnl_rupees, -500);
});

test("exit MAX_DAILY_LOSS counts realised P&L: -700 realised + open -280 stays, + open -300 = -1000 exits (limit 1000)", () => {
  const h = enteredOnFirst({ maxDailyLoss: 1000 });
  h.step(nth(1), { [A]: [125, 95] }); // STOP_LOSS -700
  h.step(nth(2), { [A]: [120, 150, { low: 118 }] }); // Z1 later, re-entry at 150
  assert.equal(h.rec.entries.length, 2);
  assert.equal(h.rec.entries[1]?.re_entry, true);
  h.step(nth(3), { [A]: [150, 136] }); // -14*20 = -280 → -980
  assert.equal(h.rec.exits.length, 1);
  h.step(nth(4), { [A]: [136, 135] }); // -15*20 = -300 → -1000
  const t = h.rec.exits[1];
  assert.equal(t?.exit_reason, "MAX_DAILY_LOSS");
  assert.equal(t?.exit_price, 135);
  assert.equal(t?.trade_id, "20250905_002");
  assert.equal(h.day.risk.realisedPnl, -1000);
});

test("candles_held counts only the held contract's candles (3 of A among 5 closes)", () => {
  const h = new Harness([setup(A), setup(B)]);
  h.step(FIRST, { [A]: [100, 130, { low: 95 }], [B]: [100, 100] });
  h.step(nth(1), { [A]: [125, 125], [B]: [100, 101] });
  h.step(nth(2), { [B]: [101, 101] });
  h.step(nth(3), { [A]: [125, 125], [B]: [101, 100] });
  h.step(nth(4), { [B]: [100, 100] });
  h.step(nth(5), { [A]: [125, 125] });
  assert.equal(h.day.openPosition?.candles_held, 3);
});

test("finish() without an open position → no exit", () => {
  const h = enteredOnFirst();
  h.step(nth(1), { [A]: [180, 170] });
  h.day.finish();
  assert.equal(h.rec.exits.length, 1);
});

test("finish() right after a first-candle entry → EOD at the entry candle's close 130, 0 points", () => {
  const h = enteredOnFirst();
  h.day.finish();
  const t = h.rec.exits[0];
  assert.equal(t?.exit_reason, "EOD");
  assert.equal(t?.exit_price, 130);
  assert.equal(t?.exit_time, "2025-09-05T09:18:00+05:30");
  assert.equal(t?.pnl_points, 0);
  assert.equal(t?.candles_held, 0);
});

test("forceExit PANIC at 120 at 10:00 → trade closed with reason PANIC", () => {
  const h = enteredOnFirst();
  h.day.forceExit("PANIC", 120, hm(10, 0));
  const t = h.rec.exits[0];
  assert.equal(t?.exit_reason, "PANIC");
  assert.equal(t?.exit_price, 120);
  assert.equal(t?.exit_time, "2025-09-05T10:00:00+05:30");
  assert.equal(t?.pnl_rupees, -200);
  assert.equal(h.day.openPosition, null);
});

// ---------------------------------------------------------------- section 5: entry conditions

test("one position at a time: A held, B and A signal at 09:21 → both SKIPPED POSITION_OPEN", () => {
  const h = new Harness([setup(A), setup(B)]);
  h.step(FIRST, { [A]: [100, 130, { low: 95 }], [B]: [100, 100] });
  h.step(nth(1), { [B]: [120, 130], [A]: [131, 140] }); // A: Z1, close > R1, held, not exiting
  const at = h.signalsAt(nth(2));
  assert.equal(at.length, 2);
  for (const s of at) {
    assert.equal(s.action, "SKIPPED");
    assert.equal(s.reason, "POSITION_OPEN");
    assert.equal(s.trade_id, null);
  }
  assert.equal(h.rec.entries.length, 1);
  assert.equal(h.day.risk.tradesToday, 1);
});

test("a close that exits opens none: A exits TARGET (its candle also a scenario-3 signal) and B signals → EXITED_THIS_CLOSE; B enters next close", () => {
  const h = new Harness([setup(A), setup(B)]);
  h.step(FIRST, { [A]: [100, 130, { low: 95 }], [B]: [100, 100] });
  // B fed before A: the exit must still block B's entry at this close.
  h.step(nth(1), { [B]: [120, 130], [A]: [150, 170] });
  assert.equal(h.rec.exits[0]?.exit_reason, "TARGET");
  const at = h.signalsAt(nth(2));
  assert.deepEqual(at.map((s) => [s.symbol, s.scenario, s.action, s.reason]).sort(), [
    [A, 3, "SKIPPED", "EXITED_THIS_CLOSE"],
    [B, 1, "SKIPPED", "EXITED_THIS_CLOSE"],
  ]);
  assert.equal(h.rec.entries.length, 1);
  assert.equal(h.day.openPosition, null);
  h.step(nth(2), { [B]: [130, 140] });
  assert.equal(h.rec.entries.length, 2);
  assert.equal(h.rec.entries[1]?.symbol, B);
  assert.equal(h.rec.entries[1]?.trade_id, "20250905_002");
  assert.equal(h.rec.entries[1]?.re_entry, false); // no stop loss before it
});

test("EOD cutoff: candle starting 15:09 (close 15:12) enters", () => {
  const h = withZoneFrom(100);
  h.step(hm(15, 9), { [A]: [120, 130] });
  assert.equal(h.rec.signals[0]?.action, "TAKEN");
  assert.equal(h.rec.entries[0]?.entry_time, "2025-09-05T15:12:00+05:30");
});

test("EOD cutoff: candle starting 15:12 (close 15:15) → SKIPPED AFTER_EOD_CUTOFF", () => {
  const h = withZoneFrom(100);
  h.step(hm(15, 12), { [A]: [120, 130] });
  assert.equal(h.rec.entries.length, 0);
  assert.equal(h.rec.signals[0]?.time, "2025-09-05T15:15:00+05:30");
  assert.equal(h.rec.signals[0]?.action, "SKIPPED");
  assert.equal(h.rec.signals[0]?.reason, "AFTER_EOD_CUTOFF");
});

test("setEntriesEnabled(false) → signal SKIPPED ENTRIES_DISABLED; re-enabled → next signal TAKEN", () => {
  const h = new Harness([setup(A)]);
  h.day.setEntriesEnabled(false, "kill switch");
  assert.equal(h.day.risk.entriesEnabled, false);
  h.step(FIRST, { [A]: [100, 130] });
  assert.equal(h.rec.entries.length, 0);
  assert.equal(h.rec.signals[0]?.reason, "ENTRIES_DISABLED");
  assert.equal(h.rec.signals[0]?.detail, "kill switch");
  h.day.setEntriesEnabled(true);
  assert.equal(h.day.risk.entriesEnabled, true);
  h.step(nth(1), { [A]: [120, 135] });
  assert.equal(h.rec.signals[1]?.action, "TAKEN");
  assert.equal(h.rec.entries.length, 1);
});

test("max_trades_per_day 3: three TARGET trades _001.._003, the 4th signal → SKIPPED MAX_TRADES", () => {
  const h = enteredOnFirst();
  h.step(nth(1), { [A]: [180, 170] }); // TARGET
  h.step(nth(2), { [A]: [120, 130] }); // trade 2
  h.step(nth(3), { [A]: [180, 170] }); // TARGET
  h.step(nth(4), { [A]: [120, 130] }); // trade 3
  h.step(nth(5), { [A]: [180, 170] }); // TARGET
  // window before 09:33: [1×14, 30, 5.56, 8.33, 5.56, 8.33, 5.56] → threshold 5.56 <= 8.33
  h.step(nth(6), { [A]: [120, 130] });
  assert.deepEqual(
    h.rec.exits.map((t) => [t.trade_id, t.exit_reason, t.pnl_rupees]),
    [
      ["20250905_001", "TARGET", 800],
      ["20250905_002", "TARGET", 800],
      ["20250905_003", "TARGET", 800],
    ],
  );
  const last = h.signalsAt(nth(7));
  assert.equal(last.length, 1);
  assert.equal(last[0]?.action, "SKIPPED");
  assert.equal(last[0]?.reason, "MAX_TRADES");
  assert.equal(h.day.risk.tradesToday, 3);
  assert.equal(h.day.openPosition, null);
});

test("stop losses: 1st STOP_LOSS → re-entry allowed (re_entry true); 2nd STOP_LOSS → SKIPPED MAX_STOP_LOSSES", () => {
  const h = enteredOnFirst();
  assert.equal(h.rec.entries[0]?.re_entry, false);
  h.step(nth(1), { [A]: [120, 95] }); // STOP_LOSS #1, -700
  h.step(nth(2), { [A]: [120, 130, { low: 118 }] }); // re-entry
  assert.equal(h.rec.entries.length, 2);
  assert.equal(h.rec.entries[1]?.re_entry, true);
  h.step(nth(3), { [A]: [125, 118] }); // STOP_LOSS #2, -240
  assert.deepEqual(
    h.rec.exits.map((t) => [t.exit_reason, t.pnl_rupees]),
    [
      ["STOP_LOSS", -700],
      ["STOP_LOSS", -240],
    ],
  );
  h.step(nth(4), { [A]: [120, 130] });
  const s = h.signalsAt(nth(5))[0];
  assert.equal(s?.action, "SKIPPED");
  assert.equal(s?.reason, "MAX_STOP_LOSSES");
  assert.deepEqual(h.day.risk, {
    tradesToday: 2,
    stopLossesToday: 2,
    realisedPnl: -940,
    entriesEnabled: true,
  });
});

test("daily loss gate: realised -700 == -max_daily_loss (700) → SKIPPED MAX_DAILY_LOSS", () => {
  const h = enteredOnFirst({ maxDailyLoss: 700 });
  h.step(nth(1), { [A]: [120, 95] }); // STOP_LOSS -700
  h.step(nth(2), { [A]: [120, 130] });
  const s = h.signalsAt(nth(3))[0];
  assert.equal(s?.action, "SKIPPED");
  assert.equal(s?.reason, "MAX_DAILY_LOSS");
  assert.equal(h.rec.entries.length, 1);
});

test("daily loss gate uses gross P&L: realised gross -700 (net -750.90) with limit 701 → entry allowed", () => {
  const h = enteredOnFirst({ maxDailyLoss: 701 });
  h.step(nth(1), { [A]: [120, 95] });
  assert.equal(h.rec.exits[0]?.net_pnl_rupees, -750.9);
  h.step(nth(2), { [A]: [120, 130] });
  assert.equal(h.rec.entries.length, 2);
});

// ---------------------------------------------------------------- section 5: ranking

test("ranking sizes 30/35/37.5 at the same close → largest (37.5) TAKEN, the others SKIPPED OUTRANKED", () => {
  const h = new Harness([setup(A), setup(B), setup(C)]);
  h.step(FIRST, { [A]: [100, 130], [B]: [100, 135], [C]: [96, 132] });
  assert.equal(h.rec.entries.length, 1);
  assert.equal(h.rec.entries[0]?.symbol, C);
  const bySym = new Map(h.rec.signals.map((s) => [s.symbol, s]));
  assert.equal(h.rec.signals.length, 3);
  assert.deepEqual(
    [A, B, C].map((x) => {
      const s = bySym.get(x);
      return [s?.size, s?.action, s?.reason, s?.trade_id];
    }),
    [
      [30, "SKIPPED", "OUTRANKED", null],
      [35, "SKIPPED", "OUTRANKED", null],
      [37.5, "TAKEN", null, "20250905_001"],
    ],
  );
});

test("ranking equal sizes 50% (scenario 1 'ZZ' vs scenario 2 'AA') → lower scenario wins over symbol order", () => {
  // ZZ: 100 → 150 = 50%, scenario 1; AA: 110 → 165 = 55/110 = 50%, scenario 2
  const h = new Harness([setup("AA"), setup("ZZ")]);
  h.step(FIRST, { AA: [110, 165], ZZ: [100, 150] });
  assert.equal(h.rec.entries[0]?.symbol, "ZZ");
  assert.equal(h.rec.entries[0]?.scenario, 1);
  const aa = h.rec.signals.find((s) => s.symbol === "AA");
  assert.equal(aa?.scenario, 2);
  assert.equal(aa?.reason, "OUTRANKED");
});

test("ranking equal size and scenario → the tradingsymbol that sorts first (…79900CE before …80000CE)", () => {
  const hi = "SENSEX2591180000CE";
  const lo = "SENSEX2591179900CE";
  const h = new Harness([setup(hi, { strike: 80000 }), setup(lo, { strike: 79900 })]);
  h.step(FIRST, { [hi]: [100, 130], [lo]: [100, 130] });
  assert.equal(h.rec.entries[0]?.symbol, lo);
  assert.equal(h.rec.entries[0]?.strike, 79900);
  assert.equal(h.rec.signals.find((s) => s.symbol === hi)?.reason, "OUTRANKED");
});

test("ranking a larger candle whose only match has its target below the close does not outrank a valid signal", () => {
  // A: 100 → 170, size 70, scenario 1 target R3 166.67 not above 170, no other scenario
  // B: 100 → 130, size 30, scenario 1
  const h = new Harness([setup(A), setup(B)]);
  h.step(FIRST, { [A]: [100, 170], [B]: [100, 130] });
  assert.equal(h.rec.entries.length, 1);
  assert.equal(h.rec.entries[0]?.symbol, B);
  const a = h.rec.signals.find((s) => s.symbol === A);
  if (a) {
    assert.equal(a.action, "SKIPPED");
    assert.equal(a.reason, "TARGET_NOT_ABOVE_ENTRY");
  }
});

// ---------------------------------------------------------------- section 7: money

test("money scenario 3 buy 100 sell 110 qty 20 (pivots of H=60 L=40 C=58) → 10 points, 200 Rs, charges 51.08, net 148.92", () => {
  // H=60, L=40, C=58: PP=52.667, R1=65.33, R2=72.67, R3=85.33, R4=92.67, R5=105.33
  // a=12.67, b=7.33 → |a-b| = 5.33 → BULLISH
  const hlc = { high: 60, low: 40, close: 58 };
  const p = classicPivots(hlc);
  near(p.R2, 218 / 3, "R2");
  near(p.R3, 256 / 3, "R3");
  near(p.R5, 316 / 3, "R5");
  assert.equal(structureOf(p, 5), "BULLISH");
  const h = new Harness([setup(A, { hlc })]);
  h.step(nth(1), { [A]: [80, 100, { low: 79 }] }); // 72.67 <= 80 <= 85.33, 100 > R3: scenario 3
  assert.equal(h.rec.entries[0]?.scenario, 3);
  assert.equal(h.rec.entries[0]?.target, 105.33);
  h.step(nth(2), { [A]: [112, 110] }); // 110 >= R5
  const t = h.rec.exits[0];
  assert.ok(t);
  assert.equal(t.exit_reason, "TARGET");
  assert.equal(t.pnl_points, 10);
  assert.equal(t.pnl_rupees, 200);
  // brokerage 40, STT 2.2, exchange 1.365, SEBI 0.0042, GST 0.18*41.3692 = 7.446456, stamp 0.06 → 51.075656
  assert.equal(t.charges, 51.08);
  assert.equal(t.net_pnl_rupees, 148.92);
  assert.equal(t.entry_time, "2025-09-05T09:21:00+05:30");
  assert.equal(t.exit_time, "2025-09-05T09:24:00+05:30");
});

test("money quantity 40 (2 lots × 20): buy 100 sell 110 → 400 Rs gross, charges 54.95, net 345.05", () => {
  const hlc = { high: 60, low: 40, close: 58 };
  const h = new Harness([setup(A, { hlc, quantity: 40 })]);
  h.step(nth(1), { [A]: [80, 100] });
  h.step(nth(2), { [A]: [112, 110] });
  const t = h.rec.exits[0];
  assert.equal(t?.quantity, 40);
  assert.equal(t?.pnl_rupees, 400);
  // turnover 8400: 40 + 4.4 + 2.73 + 0.0084 + 0.18*42.7384 + 0.12 = 54.951
  assert.equal(t?.charges, 54.95);
  assert.equal(t?.net_pnl_rupees, 345.05);
});

test("money configured charge rates: brokerage 0 and all rates 0 → charges 0, net = gross", () => {
  const zero = {
    brokeragePerOrder: 0,
    sttSellPct: 0,
    exchangePct: 0,
    sebiPerCrore: 0,
    gstPct: 0,
    stampBuyPct: 0,
  };
  const h = enteredOnFirst({ charges: zero });
  h.step(nth(1), { [A]: [180, 170] });
  assert.equal(h.rec.exits[0]?.charges, 0);
  assert.equal(h.rec.exits[0]?.net_pnl_rupees, 800);
});

// ---------------------------------------------------------------- API

test("indexOf unknown symbol → -1; onCandle with a bad index → RangeError", () => {
  const day = new StrategyDay(params(), DATE, [setup(A)], new Recorder());
  assert.equal(day.indexOf(A), 0);
  assert.equal(day.indexOf("NOPE"), -1);
  assert.throws(() => day.onCandle(5, bar(FIRST, 100, 130)), RangeError);
});

test("needsCandles → true only for a bullish contract with pivots (bearish, neutral, no pivots, unknown index: false)", () => {
  const day = new StrategyDay(
    params(),
    DATE,
    [
      setup(A),
      setup(B, { structure: "BEARISH" }),
      setup(C, { structure: "NEUTRAL" }),
      setup(D, { hlc: null }),
    ],
    new Recorder(),
  );
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((i) => day.needsCandles(i)),
    [true, false, false, false, false],
  );
});

test("ONES fixture → 20 sizes of 1 (threshold 1)", () => {
  assert.equal(ONES.length, 20);
  assert.ok(ONES.every((x) => x === 1));
});

// ---------------------------------------------------------------- live only: a failed entry

test("cancelEntry of the open trade (its order never filled) → no position, no exit, the attempt still counted", () => {
  const h = enteredOnFirst();
  const id = h.rec.entries[0]?.trade_id as string;
  assert.equal(h.day.cancelEntry("20250905_999"), false);
  assert.equal(h.day.cancelEntry(id), true);
  assert.equal(h.day.openPosition, null);
  assert.equal(h.day.risk.tradesToday, 1);
  // The candle that would have stopped the position out exits nothing.
  h.step(nth(1), { [A]: [125, 95] });
  assert.equal(h.rec.exits.length, 0);
  h.day.finish();
  assert.equal(h.rec.exits.length, 0);
  assert.equal(h.day.cancelEntry(id), false);
});

test("setFilledQuantity 10 of a 20 entry (partial fill kept) → the exit's P&L and charges use 10", () => {
  const h = enteredOnFirst();
  const id = h.rec.entries[0]?.trade_id as string;
  assert.equal(h.day.setFilledQuantity("20250905_999", 10), false);
  assert.equal(h.day.setFilledQuantity(id, 10), true);
  h.step(nth(1), { [A]: [125, 95] });
  const t = h.rec.exits[0];
  assert.equal(t?.quantity, 10);
  assert.equal(t?.pnl_points, -35);
  assert.equal(t?.pnl_rupees, -350);
  assert.equal(h.day.risk.realisedPnl, -350);
});

// ---------------------------------------------------------------- live only: the truth from fills

test("forceExit STOP_FILLED at the stop's fill 93 → trade closed STOP_FILLED at 93, counted as a stop loss", () => {
  const h = enteredOnFirst();
  h.day.forceExit("STOP_FILLED", 93, hm(9, 20));
  const t = h.rec.exits[0];
  assert.equal(t?.exit_reason, "STOP_FILLED");
  assert.equal(t?.exit_price, 93);
  assert.equal(t?.pnl_rupees, -740);
  assert.equal(h.day.openPosition, null);
  assert.equal(h.day.risk.stopLossesToday, 1);
  // The candle that would have been its own stop exits nothing more.
  h.step(nth(1), { [A]: [125, 95] });
  assert.equal(h.rec.exits.length, 1);
});

test("setRealisedPnl of a stopped trade (model -700, fills -1000, limit 1000) → the re-entry SKIPPED MAX_DAILY_LOSS", () => {
  const h = enteredOnFirst({ maxDailyLoss: 1000 });
  h.step(nth(1), { [A]: [125, 95] }); // STOP_LOSS -700 at the model price
  const id = h.rec.exits[0]?.trade_id as string;
  assert.equal(h.day.setRealisedPnl("20250905_999", -1000), false);
  assert.equal(h.day.setRealisedPnl(id, -1000), true);
  assert.equal(h.day.risk.realisedPnl, -1000);
  h.step(nth(2), { [A]: [120, 150, { low: 118 }] }); // the re-entry of the -700 test above
  assert.equal(h.rec.entries.length, 1);
  assert.equal(h.rec.signals.at(-1)?.reason, "MAX_DAILY_LOSS");
});

test("setFilledQuantity with the fill price 140 (model 130), limit 500: close 115 → MAX_DAILY_LOSS (-500 from the fill), model P&L kept", () => {
  const h = enteredOnFirst({ maxDailyLoss: 500 });
  const id = h.rec.entries[0]?.trade_id as string;
  assert.equal(h.day.setFilledQuantity(id, 20, 140), true);
  h.step(nth(1), { [A]: [120, 115] }); // the model's -300 would stay open
  const t = h.rec.exits[0];
  assert.equal(t?.exit_reason, "MAX_DAILY_LOSS");
  assert.equal(t?.entry_price, 130);
  assert.equal(t?.pnl_rupees, -300);
});
