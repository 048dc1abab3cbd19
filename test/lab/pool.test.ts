import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadCandleDirectory } from "../../src/backtest/candle-directory.js";
import { runBacktest } from "../../src/backtest/run-backtest.js";
import { writeSampleData } from "../../src/backtest/sample-data.js";
import { defaultConfig } from "../../src/config/load.js";
import { TradingCalendar } from "../../src/domain/calendar.js";
import { packCandles, unpackCandles } from "../../src/lab/packed-candles.js";
import { LabPool } from "../../src/lab/pool.js";
import { applySettings } from "../../src/lab/space.js";

const tmp = mkdtempSync(join(tmpdir(), "pivot-pool-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
writeSampleData({ outDir: tmp, days: 12, seed: 5 });
const data = loadCandleDirectory(tmp, () => {});
const config = defaultConfig();

test("unpackCandles of a pack → a data set that backtests exactly like the parsed one", () => {
  const calendar = new TradingCalendar();
  const original = runBacktest({ config, data, calendar, warn: () => {} });
  const unpacked = runBacktest({ config, data: unpackCandles(packCandles(data)), calendar, warn: () => {} });
  assert.deepEqual(unpacked, original);
  assert.ok(original.summary.candles > 0);
});

test("LabPool.run stopped after the first result → returns what is done and says it stopped", async () => {
  const pool = new LabPool(packCandles(data), config, 1);
  try {
    const tasks = [60, 65, 70, 75, 80, 85].map((p) => ({ settings: { candle_size_percentile: p } }));
    const controller = new AbortController();
    const batch = await pool.run(tasks, controller.signal, (done) => {
      if (done === 1) controller.abort();
    });
    assert.equal(batch.stopped, true);
    assert.ok(batch.completed >= 1 && batch.completed < tasks.length, `completed ${batch.completed}`);
    assert.equal(batch.evaluations.filter((e) => e !== undefined).length, batch.completed);
    const first = batch.evaluations[0];
    const expected = runBacktest({
      config: applySettings(config, { candle_size_percentile: 60 }),
      data,
      calendar: new TradingCalendar(),
      warn: () => {},
    }).summary;
    assert.deepEqual(first?.metrics, expected);
  } finally {
    await pool.close();
  }
});
