/**
 * `pivot rehearse` with `trading.instrument: "NIFTY"` of a synthetic NIFTY day: the simulator
 * lists the index on NSE and the options on NFO only, so a service that makes the backtest's
 * trades has found NSE:NIFTY 50, read the NFO master and placed its orders on NFO (an order on
 * BFO would be refused as not listed). 8 Sep 2025 of the seed-7 sample: two trades of
 * NIFTY2590924950CE (the Tuesday 9 Sep expiry, 50-point strikes), both stopped out.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { writeSampleData } from "../../src/backtest/sample-data.js";
import { assertAgreesWithBacktest, runRehearse } from "../support/rehearsal.js";

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "rehearse-nifty-"));
  writeSampleData({
    outDir: join(dir, "market"),
    days: 6,
    seed: 7,
    startDate: "2025-09-01",
    underlying: "NIFTY",
  });
  writeFileSync(join(dir, "config.json"), JSON.stringify({ trading: { instrument: "NIFTY" } }));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("pivot rehearse of a NIFTY sample day with a NIFTY config → agrees with the backtest's two trades and exits 0", () => {
  const r = runRehearse(join(dir, "market"), "2025-09-08", 1000, ["--config", join(dir, "config.json")]);
  assertAgreesWithBacktest(r, [
    {
      symbol: "NIFTY2590924950CE",
      scenario: 2,
      entry: "09:24",
      entryPrice: "207.05",
      exit: "09:33",
      exitPrice: "156.15",
      reason: "STOP_LOSS",
    },
    {
      symbol: "NIFTY2590924950CE",
      scenario: 2,
      entry: "12:39",
      entryPrice: "211.10",
      exit: "13:45",
      exitPrice: "189.65",
      reason: "STOP_LOSS",
    },
  ]);
});
