import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultConfig, parseConfig } from "../../src/config/load.js";

test("paper.slippage_ticks → 1 by default; whole ticks from 0 accepted; negative or fractional refused with the key path", () => {
  assert.equal(defaultConfig().paper.slippage_ticks, 1);
  const zero = parseConfig({ paper: { slippage_ticks: 0 } });
  assert.ok(zero.ok && zero.config.paper.slippage_ticks === 0);
  for (const bad of [-1, 0.5]) {
    const r = parseConfig({ paper: { slippage_ticks: bad } });
    assert.ok(!r.ok);
    assert.match(r.errors.join("\n"), /paper\.slippage_ticks/);
  }
});
