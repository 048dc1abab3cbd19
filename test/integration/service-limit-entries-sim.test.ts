/**
 * The configuration's default execution on the real day 2025-09-05: entries as LIMIT orders at
 * the last price plus 0.5 %, cancelled when unfilled after 30 s. With the close processed
 * within milliseconds of the tick that closes the candle, the limit is placed while the price
 * is still the close's, and both of the backtest's trades are filled.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { defaultConfig } from "../../src/config/load.js";
import { executionConfigFrom } from "../../src/engine/execution-config.js";
import { backtestTrades, DATE, ServiceDay, strategyKey } from "./service-harness.js";

const root = mkdtempSync(join(tmpdir(), "pivot-limit-entries-"));
after(() => rmSync(root, { recursive: true, force: true }));

test("default execution (LIMIT at LTP + 0.5 %, 30 s) → both trades of the backtest filled, entries as limits", async () => {
  const defaults = executionConfigFrom(defaultConfig());
  assert.equal(defaults.entryOrder, "LIMIT");
  const day = await ServiceDay.start({
    root,
    name: "limit",
    execution: { entryOrder: defaults.entryOrder, entryTimeoutMs: defaults.entryTimeoutMs },
  });
  try {
    await day.runTo("end");
    assert.deepEqual(
      day.store.trades.byDate(DATE).map(strategyKey as never),
      backtestTrades(1).map(strategyKey),
    );
    const entries = day.simOrders().filter((o) => String(o.tag).startsWith("E"));
    assert.deepEqual(
      entries.map((o) => [o.order_type, o.status]),
      [
        ["LIMIT", "COMPLETE"],
        ["LIMIT", "COMPLETE"],
      ],
    );
    day.assertInvariants();
  } finally {
    await day.stop();
  }
});
