/**
 * `pivot rehearse` of 2025-09-05 (the real market data): the simulator replays the day, the
 * service trades it through the live code path, and the result agrees with the backtest's two
 * trades (SENSEX2591180300PE 10:15 → 11:33 and SENSEX2591180800PE 12:03 → 12:06, both stopped
 * out). Run faster than the default speed to keep the test under a minute.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { REAL_CANDLES_DIR } from "../support/paths.js";
import { assertAgreesWithBacktest, runRehearse } from "../support/rehearsal.js";
import { runCli } from "../support/run-cli.js";

test("pivot rehearse --date 2025-09-05 agrees with the backtest's two trades and exits 0", () => {
  const r = runRehearse(REAL_CANDLES_DIR, "2025-09-05", 600);
  // Side by side: each trade's service row and backtest row, entry and exit times, reasons.
  assertAgreesWithBacktest(r, [
    {
      symbol: "SENSEX2591180300PE",
      scenario: 1,
      entry: "10:15",
      entryPrice: "323.20",
      exit: "11:33",
      exitPrice: "242.45",
      reason: "STOP_LOSS",
    },
    {
      symbol: "SENSEX2591180800PE",
      scenario: 1,
      entry: "12:03",
      entryPrice: "558.85",
      exit: "12:06",
      exitPrice: "529.00",
      reason: "STOP_LOSS",
    },
  ]);
});

test("pivot rehearse refuses a day the data does not hold, before starting anything", () => {
  const r = runCli(["rehearse", "--data", REAL_CANDLES_DIR, "--date", "2024-01-01"]);
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    /--date 2024-01-01: not in .* \(it holds \d+ day\(s\): \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d\)/,
  );
  assert.equal(r.stdout, "");
});

test("pivot rehearse: a bad --speed or --date is a clear error", () => {
  const speed = runCli(["rehearse", "--data", REAL_CANDLES_DIR, "--date", "2025-09-05", "--speed", "fast"]);
  assert.notEqual(speed.status, 0);
  assert.match(speed.stderr, /--speed: expected a number, found "fast"/);
  const date = runCli(["rehearse", "--data", REAL_CANDLES_DIR, "--date", "5/9/2025"]);
  assert.notEqual(date.status, 0);
  assert.match(date.stderr, /--date: expected a date YYYY-MM-DD, found "5\/9\/2025"/);
});
