/** `pivot backtest` with `trading.instrument: "NIFTY"`: lots of 65, NSE's charges, a report titled NIFTY. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { loadCandleDirectory } from "../../src/backtest/candle-directory.js";
import { writeReportFile } from "../../src/backtest/report-file.js";
import { runBacktest } from "../../src/backtest/run-backtest.js";
import { writeSampleData } from "../../src/backtest/sample-data.js";
import { parseConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { tradingCalendarOf } from "../../src/config/underlying.js";
import { roundTripCharges } from "../../src/domain/charges.js";

let dir: string;
let config: Config;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "nifty-backtest-"));
  writeSampleData({
    outDir: join(dir, "market"),
    days: 6,
    seed: 7,
    startDate: "2025-09-01",
    underlying: "NIFTY",
  });
  const parsed = parseConfig({ trading: { instrument: "NIFTY" } });
  assert.ok(parsed.ok);
  config = parsed.config;
});
after(() => rmSync(dir, { recursive: true, force: true }));

function backtest() {
  return runBacktest({
    config,
    data: loadCandleDirectory(join(dir, "market"), () => {}),
    calendar: tradingCalendarOf(config),
    warn: () => {},
  });
}

test("a NIFTY backtest of its sample market → NIFTY trades of one lot of 65, charged at NSE's 0.03503 %", () => {
  const { trades } = backtest();
  assert.ok(trades.length >= 2, `${trades.length} trades`);
  for (const t of trades) {
    assert.match(t.symbol, /^NIFTY\d/);
    assert.equal(t.strike % 50, 0);
    assert.equal(t.quantity, 65);
    assert.ok(t.exit_price !== null, t.trade_id);
    const expected = roundTripCharges(t.entry_price, t.exit_price, 65, {
      brokeragePerOrder: 20,
      sttSellPct: 0.1,
      exchangePct: 0.03503,
      sebiPerCrore: 10,
      gstPct: 18,
      stampBuyPct: 0.003,
    });
    assert.equal(t.charges, expected.total, t.trade_id);
  }
});

test("the HTML report of a NIFTY backtest → titled with NIFTY", () => {
  const path = join(dir, "report.html");
  writeReportFile(
    path,
    backtest(),
    loadCandleDirectory(join(dir, "market"), () => {}),
    config,
  );
  assert.match(readFileSync(path, "utf8"), /<title>Pivot breakout backtest · NIFTY<\/title>/);
});
