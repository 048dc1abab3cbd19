/**
 * The entry-latency benchmark's market: the backtest (the strategy the service runs) must find
 * about 59 entries on each bench day once the daily trade limit is lifted, and none on the
 * previous days, with the 22 contracts of an ATM ± 5 universe.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { writeSignalMarket } from "../../bench/signal-market.js";
import { loadCandleDirectory } from "../../src/backtest/candle-directory.js";
import { runBacktest } from "../../src/backtest/run-backtest.js";
import { defaultConfig } from "../../src/config/load.js";
import { TradingCalendar } from "../../src/domain/calendar.js";

const root = mkdtempSync(join(tmpdir(), "pivot-signal-market-"));
after(() => rmSync(root, { recursive: true, force: true }));

test("the signal market → 59 scenario-1 entries a bench day, each exiting at its target, none on the previous days", () => {
  const market = writeSignalMarket(join(root, "m"), 2);
  assert.deepEqual(market.benchDays, ["2025-01-07", "2025-01-09"]);
  assert.equal(market.contracts, 22);
  // 4 days × (22 contracts + the index)
  assert.equal(readdirSync(market.dir).length, 4 * 23);
  const base = defaultConfig();
  const data = loadCandleDirectory(market.dir, () => {});
  const { trades } = runBacktest({
    config: { ...base, risk_management: { ...base.risk_management, max_trades_per_day: 1000 } },
    data,
    calendar: new TradingCalendar(),
    from: "2025-01-06",
    to: "2025-01-09",
    warn: () => {},
  });
  for (const day of market.benchDays) {
    const ofDay = trades.filter((t) => t.date === day);
    assert.equal(ofDay.length, 59, day);
    assert.ok(ofDay.every((t) => t.scenario === 1 && t.exit_reason === "TARGET"));
  }
  assert.equal(trades.length, 2 * 59, "no trade on the previous days");
});

test("with the default daily limit → 3 trades a bench day (the benchmark lifts it)", () => {
  const market = writeSignalMarket(join(root, "d"), 1);
  const { trades } = runBacktest({
    config: defaultConfig(),
    data: loadCandleDirectory(market.dir, () => {}),
    calendar: new TradingCalendar(),
    from: "2025-01-06",
    to: "2025-01-07",
    warn: () => {},
  });
  assert.equal(trades.length, 3);
});
