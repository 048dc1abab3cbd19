import assert from "node:assert/strict";
import { test } from "node:test";
import { monteCarlo, quantile } from "../../src/lab/montecarlo.js";

test("quantile of 1..5 → interpolated between order statistics", () => {
  const sorted = Float64Array.from([1, 2, 3, 4, 5]);
  assert.equal(quantile(sorted, 0.05), 1.2); // (5 - 1) × 0.05 = 0.2 of the way from 1 to 2
  assert.equal(quantile(sorted, 0.5), 3);
  assert.equal(quantile(sorted, 0.95), 4.8);
});

test("monteCarlo shuffle → final P&L always the trades' sum; drawdown and streak within their bounds", () => {
  const nets = [300, -100, -100, -100, 500];
  const { outcome, runs } = monteCarlo(nets, { runs: 2000, seed: 1, method: "shuffle", ruin: 300 });
  assert.deepEqual(outcome.final_net_pnl, { p5: 500, p50: 500, p95: 500 });
  // Every order loses at most the three 100s in a row: drawdown 0..300, streak 1..3.
  assert.ok(runs.maxDrawdown.every((d) => d >= 100 && d <= 300));
  assert.ok(runs.losingStreak.every((s) => s >= 1 && s <= 3));
  // Ruin (300) needs the three losses together: as one block with 300 and 500, 3! = 6 of the
  // 5! / 3! = 20 distinct orders, 0.3.
  assert.ok(Math.abs((outcome.ruin_probability as number) - 0.3) < 0.04, String(outcome.ruin_probability));
});

test("monteCarlo with one seed twice → identical; another seed → different runs", () => {
  const nets = [1200, -400, -300, 800, -900, 150, -50, 700];
  const a = monteCarlo(nets, { runs: 500, seed: 9, method: "bootstrap", ruin: null });
  const b = monteCarlo(nets, { runs: 500, seed: 9, method: "bootstrap", ruin: null });
  const c = monteCarlo(nets, { runs: 500, seed: 10, method: "bootstrap", ruin: null });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.runs.finalNet, c.runs.finalNet);
  assert.equal(a.outcome.ruin_probability, null);
});

test("monteCarlo bootstrap of one trade value → every run the same figures", () => {
  const { outcome } = monteCarlo([-100, -100], { runs: 100, seed: 3, method: "bootstrap", ruin: 200 });
  assert.deepEqual(outcome.final_net_pnl, { p5: -200, p50: -200, p95: -200 });
  assert.deepEqual(outcome.longest_losing_streak, { p5: 2, p50: 2, p95: 2 });
  assert.equal(outcome.ruin_probability, 1);
});
