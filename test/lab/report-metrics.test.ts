import assert from "node:assert/strict";
import { test } from "node:test";
import { performanceMetrics } from "../../src/lab/metrics.js";
import { metricsSection } from "../../src/lab/report-metrics.js";

test("metricsSection without trades → ratio cards show a dash and no breakdown table", () => {
  const html = metricsSection(performanceMetrics([], []));
  assert.match(html, /Sharpe<\/div><div class="value">–/);
  assert.doesNotMatch(html, /<table/);
});
