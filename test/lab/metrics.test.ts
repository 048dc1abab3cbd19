import assert from "node:assert/strict";
import { test } from "node:test";
import { isoIst } from "../../src/domain/ist.js";
import { type MetricsDay, maxDrawdownOf, performanceMetrics } from "../../src/lab/metrics.js";
import type { ExitReason, Scenario, Trade } from "../../src/strategy/types.js";

const PIVOTS = { PP: 100, R1: 110, R2: 120, R3: 130, R4: 140, R5: 150, S1: 90, S2: 80, S3: 70 };

function trade(date: string, net: number, scenario: Scenario, reason: ExitReason, held: number): Trade {
  return {
    trade_id: `${date}-${net}`,
    date,
    symbol: "SENSEX2590481000CE",
    strike: 81000,
    option_type: "CE",
    scenario,
    first_candle_entry: false,
    structure: "BULLISH",
    re_entry: false,
    entry_time: isoIst(date, 600),
    entry_price: 100,
    stop_loss: 90,
    target: 130,
    quantity: 20,
    candles_held: held,
    pivots: PIVOTS,
    exit_time: isoIst(date, 630),
    exit_price: 100 + net / 20,
    exit_reason: reason,
    pnl_points: net / 20,
    pnl_rupees: net,
    charges: 0,
    net_pnl_rupees: net,
  };
}

const day = (date: string, net: number, expiry: string | null = "2025-09-04"): MetricsDay => ({
  date,
  net_pnl: net,
  closes: 100,
  expiry,
});

// Mon 1 Sep .. Fri 5 Sep 2025; Wednesday has no trade. Daily net: 1000, -600, 0, 300, 500.
const TRADES = [
  trade("2025-09-01", 1000, 1, "TARGET", 5),
  trade("2025-09-02", -400, 2, "STOP_LOSS", 3),
  trade("2025-09-02", -200, 2, "STOP_LOSS", 2),
  trade("2025-09-04", 300, 3, "EOD", 10),
  trade("2025-09-05", 500, 1, "TARGET", 4),
];
const DAYS = [
  day("2025-09-01", 1000),
  day("2025-09-02", -600),
  day("2025-09-03", 0),
  day("2025-09-04", 300),
  day("2025-09-05", 500, "2025-09-11"),
];

test("performanceMetrics over a hand-worked week → the ratios worked by hand", () => {
  const m = performanceMetrics(TRADES, DAYS);
  // mean 240; sd(n-1) = √(1,412,000 / 4) = 594.138; 240 / 594.138 × √252 = 6.4125
  assert.equal(m.sharpe, 6.4125);
  // downside √(360,000 / 5) = 268.328; 240 / 268.328 × √252 = 14.1986
  assert.equal(m.sortino, 14.1986);
  // cumulative 1000, 600, 400, 700, 1200: drawdown 600; calmar 240 × 252 / 600
  assert.equal(m.max_drawdown, 600);
  assert.equal(m.calmar, 100.8);
});

test("performanceMetrics over a hand-worked week → trade figures, drawdown days and exposure", () => {
  const m = performanceMetrics(TRADES, DAYS);
  assert.equal(m.profit_factor, 3); // 1800 / 600
  assert.equal(m.expectancy, 240);
  assert.equal(m.avg_win, 600);
  assert.equal(m.avg_loss, -300);
  assert.equal(m.largest_win, 1000);
  assert.equal(m.largest_loss, -400);
  assert.equal(m.max_consecutive_losses, 2);
  assert.equal(m.max_drawdown_days, 4); // peak on Monday, first day above it Friday
  assert.equal(m.exposure, 0.048); // 24 held closes of 500
});

test("performanceMetrics over a hand-worked week → breakdowns by scenario, exit, weekday, days to expiry", () => {
  const m = performanceMetrics(TRADES, DAYS);
  assert.deepEqual(m.by_scenario, {
    "1": { trades: 2, wins: 2, win_rate: 100, net_pnl: 1500 },
    "2": { trades: 2, wins: 0, win_rate: 0, net_pnl: -600 },
    "3": { trades: 1, wins: 1, win_rate: 100, net_pnl: 300 },
  });
  assert.deepEqual(m.by_exit_reason, {
    EOD: { trades: 1, wins: 1, win_rate: 100, net_pnl: 300 },
    STOP_LOSS: { trades: 2, wins: 0, win_rate: 0, net_pnl: -600 },
    TARGET: { trades: 2, wins: 2, win_rate: 100, net_pnl: 1500 },
  });
  assert.deepEqual(Object.keys(m.by_weekday), ["Monday", "Tuesday", "Thursday", "Friday"]);
  assert.deepEqual(m.by_weekday.Tuesday, { trades: 2, wins: 0, win_rate: 0, net_pnl: -600 });
  assert.deepEqual(Object.keys(m.by_days_to_expiry), ["0", "2", "3", "6"]);
  assert.deepEqual(m.by_days_to_expiry["2"], { trades: 2, wins: 0, win_rate: 0, net_pnl: -600 });
});

test("performanceMetrics without trades → nulls where a denominator is 0, zeros elsewhere", () => {
  const m = performanceMetrics([], [day("2025-09-01", 0), day("2025-09-02", 0)]);
  assert.equal(m.sharpe, null);
  assert.equal(m.sortino, null);
  assert.equal(m.calmar, null);
  assert.equal(m.profit_factor, null);
  assert.equal(m.expectancy, null);
  assert.equal(m.largest_loss, null);
  assert.equal(m.max_drawdown, 0);
  assert.equal(m.max_drawdown_days, 0);
  assert.equal(m.exposure, 0);
  assert.deepEqual(m.by_scenario, {});
});

test("performanceMetrics with a drawdown never recovered → its days run to the last day", () => {
  const trades = [trade("2025-09-02", 500, 1, "TARGET", 1), trade("2025-09-03", -800, 1, "STOP_LOSS", 1)];
  const days = [day("2025-09-01", 0), day("2025-09-02", 500), day("2025-09-03", -800), day("2025-09-04", 0)];
  const m = performanceMetrics(trades, days);
  assert.equal(m.max_drawdown, 800);
  assert.equal(m.max_drawdown_days, 2); // from Tuesday's peak to Thursday, the last day
  assert.equal(m.profit_factor, 0.625);
  // daily 0, 500, -800, 0: mean -75, downside √(640,000 / 4) = 400; -75 / 400 × √252
  assert.equal(m.sortino, -2.9765);
});

test("performanceMetrics when the first trade loses → the drawdown's peak is the run's start", () => {
  const trades = [trade("2025-09-01", -300, 1, "STOP_LOSS", 1), trade("2025-09-03", 400, 1, "TARGET", 1)];
  const days = [day("2025-09-01", -300), day("2025-09-02", 0), day("2025-09-03", 400)];
  const m = performanceMetrics(trades, days);
  assert.equal(m.max_drawdown, 300);
  assert.equal(m.max_drawdown_days, 2);
});

test("maxDrawdownOf → the largest fall of the running sum from its peak", () => {
  assert.equal(maxDrawdownOf([100, -50, 80, -200, 10]), 200);
  assert.equal(maxDrawdownOf([-100, 50]), 100);
  assert.equal(maxDrawdownOf([10, 20]), 0);
});
