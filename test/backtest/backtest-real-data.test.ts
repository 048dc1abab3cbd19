import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { loadCandleDirectory } from "../../src/backtest/candle-directory.js";
import { runBacktest } from "../../src/backtest/run-backtest.js";
import { defaultConfig } from "../../src/config/load.js";
import { TradingCalendar } from "../../src/domain/calendar.js";
import { InstrumentMaster, parseInstrumentMaster } from "../../src/domain/instruments.js";
import { REAL_BFO_MASTER, REAL_CANDLES_DIR } from "../support/paths.js";

const warnings: string[] = [];
const data = loadCandleDirectory(REAL_CANDLES_DIR, (w) => warnings.push(w));
const calendar = new TradingCalendar();
const run = (extra: Partial<Parameters<typeof runBacktest>[0]> = {}) =>
  runBacktest({ config: defaultConfig(), data, calendar, warn: () => {}, ...extra });

test("real data directory → every file loads, the days are split by timestamp", () => {
  assert.equal(data.files, readdirSync(REAL_CANDLES_DIR).filter((n) => n.endsWith(".csv")).length);
  assert.deepEqual([...data.byDay.keys()].sort(), ["2025-09-01", "2025-09-02", "2025-09-04", "2025-09-05"]);
  // SENSEX2591180500CE_2025-09-02.csv holds 1 and 2 September, 125 candles each.
  assert.equal(data.byDay.get("2025-09-01")?.get("SENSEX2591180500CE")?.length, 125);
  assert.equal(data.byDay.get("2025-09-02")?.get("SENSEX2591180500CE")?.length, 125);
  assert.equal(data.byDay.get("2025-09-05")?.get("SENSEX2591181100PE")?.length, 125);
  assert.equal(data.byDay.get("2025-09-02")?.get("SENSEX")?.length, 125);
  assert.deepEqual(warnings, []);
});

test("backtest over all the real data → runs every day and reports its universe", () => {
  const r = run();
  assert.deepEqual(
    r.days.map((d) => [d.date, d.universe_source, d.atm, d.contracts]),
    [
      ["2025-09-01", "ATM_WINDOW", 79800, 0], // the index opened at 79828.99; 80500 is outside 79300-80300
      ["2025-09-02", "ATM_WINDOW", 80500, 2], // 80520.09 → ATM 80500; the data has only 80500 CE/PE
      ["2025-09-04", "ALL_CONTRACTS", null, 20], // no index candles: every contract of the day
      ["2025-09-05", "ALL_CONTRACTS", null, 20],
    ],
  );
  // 2025-09-04's previous trading day (09-03) is not in the data: no pivots, no trades.
  assert.equal(r.days[2]?.contracts_with_pivots, 0);
  assert.equal(r.days[3]?.contracts_with_pivots, 20);
  assert.equal(r.summary.total_trades, r.trades.length);
  assert.equal(r.summary.candles, 125 * 2 + 125 * 20 + 125 * 20);
  for (const t of r.trades) {
    assert.match(t.trade_id, /^\d{8}_\d{3}$/);
    assert.ok(t.exit_time > t.entry_time, `${t.trade_id} exits after it enters`);
    assert.equal(t.quantity, 20);
  }
});

test("backtest on 2025-09-02 → the hand-checked scenario 2 trade of SENSEX2591180500CE", () => {
  const r = run({ from: "2025-09-02", to: "2025-09-02" });
  const t = r.trades[0];
  assert.ok(t);
  // Pivots from 2025-09-01: H 598.95, L 486.25, C 595.45 → PP 560.2167, R1 634.1833,
  // R2 672.9167, R3 746.8833, R4 785.6167, S1 521.4833 (a = 73.97 > b = 38.73: BULLISH).
  assert.deepEqual(
    { PP: t.pivots.PP, R1: t.pivots.R1, R2: t.pivots.R2, R3: t.pivots.R3, R4: t.pivots.R4, S1: t.pivots.S1 },
    { PP: 560.22, R1: 634.18, R2: 672.92, R3: 746.88, R4: 785.62, S1: 521.48 },
  );
  // The 09:51 candle (open 664.6, low 664.6, close 695.3) closes between R2 and R3 in zone Z2.
  assert.equal(t.trade_id, "20250902_001");
  assert.equal(t.scenario, 2);
  assert.equal(t.first_candle_entry, false);
  assert.equal(t.entry_time, "2025-09-02T09:54:00+05:30");
  assert.equal(t.entry_price, 695.3);
  assert.equal(t.stop_loss, 664.6);
  assert.equal(t.target, 785.62);
  assert.equal(t.exit_reason, "STOP_LOSS");
  assert.ok(t.exit_price <= t.stop_loss);
  assert.equal(t.pnl_points, Math.round((t.exit_price - 695.3) * 100) / 100);
  assert.equal(t.pnl_rupees, Math.round(t.pnl_points * 20 * 100) / 100);
});

test("backtest with the instrument master → lot sizes from the master, same trades", () => {
  const master = new InstrumentMaster(parseInstrumentMaster(readFileSync(REAL_BFO_MASTER, "utf8")));
  const withMaster = run({ master });
  const without = run();
  assert.deepEqual(
    withMaster.trades.map((t) => [t.trade_id, t.quantity]),
    without.trades.map((t) => [t.trade_id, 20]),
  );
});

test("backtest of the same data twice → identical results (deterministic)", () => {
  assert.deepEqual(run(), run());
});
