import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultConfig, parseConfig } from "../../src/config/load.js";
import { DEFAULT_EXECUTION_CONFIG, executionConfigFrom } from "../../src/engine/execution-config.js";

test("executionConfigFrom the default config → the order manager's defaults", () => {
  assert.deepEqual(executionConfigFrom(defaultConfig()), DEFAULT_EXECUTION_CONFIG);
});

test("executionConfigFrom a config with MARKET entries and a 3-minute timeout → those settings", () => {
  const r = parseConfig({
    execution: { entry_order: "MARKET", market_protection: 3, entry_timeout_seconds: 180, product: "NRML" },
    risk_management: { disaster_stop_pct: 15, flatten_unexplained: false },
  });
  assert.ok(r.ok);
  const e = executionConfigFrom(r.config);
  assert.equal(e.entryOrder, "MARKET");
  assert.equal(e.marketProtection, 3);
  assert.equal(e.entryTimeoutMs, 180_000);
  assert.equal(e.product, "NRML");
  assert.equal(e.disasterStopPct, 15);
  assert.equal(e.flattenUnexplained, false);
});

test("execution settings out of range → config errors naming the keys", () => {
  const r = parseConfig({ execution: { entry_order: "STOP", entry_timeout_seconds: 0 } });
  assert.ok(!r.ok);
  assert.equal(r.errors.length, 2);
  assert.match(r.errors.join("\n"), /execution\.entry_order/);
  assert.match(r.errors.join("\n"), /execution\.entry_timeout_seconds: expected a number >= 1, found 0/);
});
