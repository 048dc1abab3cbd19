import assert from "node:assert/strict";
import { test } from "node:test";
import { progressLine } from "../../src/cli/progress-eta.js";
import { defaultConfig } from "../../src/config/load.js";
import { gridSets, parseSpace, randomSets, SpaceError, settingsAsConfig } from "../../src/lab/space.js";

const base = defaultConfig();

test("parseSpace with lists and ranges → values in order, ranges on the step without float noise", () => {
  const dims = parseSpace(
    {
      structure_neutral_band: { min: 0.1, max: 0.4, step: 0.1 },
      "risk_management.max_trades_per_day": [2, 3, 2],
    },
    base,
  );
  assert.deepEqual(dims, [
    { name: "structure_neutral_band", section: "trading", values: [0.1, 0.2, 0.3, 0.4] },
    { name: "max_trades_per_day", section: "risk_management", values: [2, 3] },
  ]);
});

test("parseSpace with a setting under the wrong section → says where it lives", () => {
  assert.throws(
    () => parseSpace({ "risk_management.lots": [1] }, base),
    (e: Error) => e instanceof SpaceError && /it is in trading/.test(e.message),
  );
});

test("gridSets → every combination, the last setting varying fastest", () => {
  const dims = parseSpace({ max_re_entries: [0, 1], max_trades_per_day: [2, 3] }, base);
  assert.deepEqual(gridSets(dims), [
    { max_re_entries: 0, max_trades_per_day: 2 },
    { max_re_entries: 0, max_trades_per_day: 3 },
    { max_re_entries: 1, max_trades_per_day: 2 },
    { max_re_entries: 1, max_trades_per_day: 3 },
  ]);
});

test("randomSets → distinct sets, the same for a seed, all of the grid when asked for more", () => {
  const dims = parseSpace(
    { candle_size_percentile: { min: 50, max: 99, step: 1 }, max_re_entries: [0, 1, 2] },
    base,
  );
  const a = randomSets(dims, 20, 42);
  assert.equal(a.length, 20);
  assert.equal(new Set(a.map((s) => JSON.stringify(s))).size, 20);
  assert.deepEqual(randomSets(dims, 20, 42), a);
  assert.notDeepEqual(randomSets(dims, 20, 43), a);
  assert.equal(randomSets(dims, 1000, 1).length, 150);
});

test("settingsAsConfig → a config fragment by section", () => {
  assert.deepEqual(settingsAsConfig({ lots: 2, max_daily_loss: 9000 }), {
    trading: { lots: 2 },
    risk_management: { max_daily_loss: 9000 },
  });
});

test("progressLine halfway after 4 s → bar half full and 4 s left", () => {
  assert.equal(
    progressLine("optimize", 100, 200, 4000),
    `optimize [${"#".repeat(15)}${" ".repeat(15)}] 50% 100/200 ETA 4s`,
  );
  assert.match(progressLine("optimize", 0, 200, 0), /0% 0\/200 ETA -$/);
  assert.match(progressLine("optimize", 200, 200, 61_000), /100% 200\/200 took 1m01s$/);
});
