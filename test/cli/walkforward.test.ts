import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { writeSampleData } from "../../src/backtest/sample-data.js";
import { walkForwardWindows } from "../../src/lab/walkforward.js";
import { runCli } from "../support/run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "pivot-walkforward-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
const market = join(tmp, "market");
writeSampleData({ outDir: market, days: 36, seed: 4 });
const space = join(tmp, "space.json");
writeFileSync(space, JSON.stringify({ candle_size_percentile: [65, 80], max_re_entries: [0, 1] }));
const ARGS = [
  "walkforward",
  "--data",
  market,
  "--space",
  space,
  "--train-days",
  "15",
  "--test-days",
  "7",
  "--json",
];

test("walkForwardWindows rolling and anchored → train then test windows stepping by the test length", () => {
  const days = ["d1", "d2", "d3", "d4", "d5", "d6", "d7"];
  assert.deepEqual(
    walkForwardWindows(days, 3, 2, false).map((w) => [
      w.train.from,
      w.train.to,
      w.test.from,
      w.test.to,
      w.test.days,
    ]),
    [
      ["d1", "d3", "d4", "d5", 2],
      ["d3", "d5", "d6", "d7", 2],
    ],
  );
  assert.deepEqual(
    walkForwardWindows(days, 3, 3, true).map((w) => [
      w.train.from,
      w.train.to,
      w.train.days,
      w.test.from,
      w.test.to,
    ]),
    [
      ["d1", "d3", 3, "d4", "d6"],
      ["d1", "d6", 6, "d7", "d7"],
    ],
  );
});

test("pivot walkforward --json → windows with settings and both figures, stitched trades, efficiency", () => {
  const r = runCli(ARGS, { cwd: tmp });
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.equal(json.windows.length, 3); // 36 days: tests of 7, 7 and the last 7
  const w = json.windows[0];
  for (const k of ["window", "train", "test", "settings", "config", "in_sample", "out_of_sample"])
    assert.ok(k in w, k);
  assert.equal(w.train.days, 15);
  assert.equal(w.test.days, 7);
  assert.ok(w.train.to < w.test.from);
  assert.equal(json.windows[1].test.from > w.test.to, true);
  const stitched = json.windows.reduce(
    (n: number, x: { out_of_sample: { trades: number } }) => n + x.out_of_sample.trades,
    0,
  );
  assert.equal(json.out_of_sample.trades.length, stitched);
  assert.equal(json.out_of_sample.summary.total_trades, stitched);
  assert.equal(json.out_of_sample.summary.days, 21);
  assert.ok(json.efficiency === null || typeof json.efficiency === "number");
  assert.equal(runCli(ARGS, { cwd: tmp }).stdout, r.stdout, "deterministic");
});

test("pivot walkforward's window → pivot backtest --config with its settings over its test days gives its trades", () => {
  const json = JSON.parse(runCli(ARGS, { cwd: tmp }).stdout);
  const w = json.windows[1];
  const file = join(tmp, "window.json");
  writeFileSync(file, JSON.stringify(w.config));
  const b = runCli(
    ["backtest", "--data", market, "--config", file, "--from", w.test.from, "--to", w.test.to, "--json"],
    {
      cwd: tmp,
    },
  );
  assert.equal(b.status, 0, b.stderr);
  const backtest = JSON.parse(b.stdout);
  assert.deepEqual(backtest.summary, w.out_of_sample.metrics);
  const ids = new Set(backtest.trades.map((t: { trade_id: string }) => t.trade_id));
  assert.deepEqual(
    json.out_of_sample.trades.filter((t: { date: string }) => t.date >= w.test.from && t.date <= w.test.to),
    backtest.trades,
  );
  assert.equal(ids.size, backtest.trades.length);
});

test("pivot walkforward with too few days or no window length → clear errors", () => {
  const few = runCli([...ARGS.slice(0, 5), "--train-days", "40", "--test-days", "5"], { cwd: tmp });
  assert.equal(few.status, 1);
  assert.match(few.stderr, /too few for a 40-day training window/);
  const missing = runCli(ARGS.slice(0, 5).concat("--test-days", "5"), { cwd: tmp });
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /--train-days/);
  const zero = runCli([...ARGS.slice(0, 5), "--train-days", "0", "--test-days", "5"], { cwd: tmp });
  assert.match(zero.stderr, /--train-days: expected a whole number from 1/);
});
