import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { writeSampleData } from "../../src/backtest/sample-data.js";
import { CLI } from "../support/paths.js";
import { runCli } from "../support/run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "pivot-optimize-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
const market = join(tmp, "market");
writeSampleData({ outDir: market, days: 30, seed: 3 });
const baseConfig = { trading: { lots: 2 }, risk_management: { max_daily_loss: 20_000 } };
writeFileSync(join(tmp, "config.json"), JSON.stringify(baseConfig));

function space(name: string, value: unknown): string {
  const path = join(tmp, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

const SPACE = space("space.json", {
  candle_size_percentile: { min: 65, max: 85, step: 10 },
  "trading.max_re_entries": [0, 1],
});

test("pivot optimize --json → every set ranked by the objective, with settings and every metric", () => {
  const r = runCli(
    ["optimize", "--data", market, "--space", SPACE, "--objective", "sharpe", "--json", "--workers", "2"],
    {
      cwd: tmp,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.equal(json.method, "grid");
  assert.equal(json.total, 6);
  assert.equal(json.evaluated, 6);
  assert.equal(json.stopped, false);
  assert.deepEqual(json.space, { candle_size_percentile: [65, 75, 85], max_re_entries: [0, 1] });
  assert.equal(json.results.length, 6);
  const first = json.results[0];
  for (const k of ["rank", "settings", "config", "objective", "eligible", "metrics"])
    assert.ok(k in first, k);
  for (const k of [
    "net_pnl",
    "sharpe",
    "sortino",
    "calmar",
    "profit_factor",
    "max_drawdown_days",
    "exposure",
    "by_weekday",
  ])
    assert.ok(k in first.metrics, `metrics has ${k}`);
  assert.deepEqual(
    json.results.map((x: { rank: number }) => x.rank),
    [1, 2, 3, 4, 5, 6],
  );
  const values = json.results
    .filter((x: { objective: number | null }) => x.objective !== null)
    .map((x: { objective: number }) => x.objective);
  assert.deepEqual(
    values,
    [...values].sort((a: number, b: number) => b - a),
  );
});

test("pivot optimize's best settings in the config → pivot backtest --config gives the same trades and metrics", () => {
  const r = runCli(["optimize", "--data", market, "--space", SPACE, "--json"], { cwd: tmp });
  assert.equal(r.status, 0, r.stderr);
  for (const result of JSON.parse(r.stdout).results.slice(0, 2)) {
    const merged = {
      trading: { ...baseConfig.trading, ...result.config.trading },
      risk_management: { ...baseConfig.risk_management, ...result.config.risk_management },
    };
    const file = join(tmp, `repro-${result.rank}.json`);
    writeFileSync(file, JSON.stringify(merged));
    const b = runCli(["backtest", "--data", market, "--config", file, "--json"], { cwd: tmp });
    assert.equal(b.status, 0, b.stderr);
    const backtest = JSON.parse(b.stdout);
    assert.deepEqual(backtest.summary, result.metrics);
    assert.equal(backtest.trades.length, result.metrics.total_trades);
  }
});

test("pivot optimize --method random twice with one seed → the same sets and results", () => {
  const wide = space("wide.json", {
    candle_size_percentile: { min: 50, max: 95, step: 1 },
    max_re_entries: [0, 1, 2],
  });
  const args = [
    "optimize",
    "--data",
    market,
    "--space",
    wide,
    "--method",
    "random",
    "--samples",
    "5",
    "--seed",
    "7",
    "--json",
  ];
  const a = runCli(args, { cwd: tmp });
  const b = runCli([...args, "--workers", "1"], { cwd: tmp });
  assert.equal(a.status, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
  assert.equal(JSON.parse(a.stdout).total, 5);
  const other = runCli([...args.slice(0, -3), "--seed", "8", "--json"], { cwd: tmp });
  assert.notDeepEqual(
    JSON.parse(other.stdout).results.map((x: { settings: unknown }) => x.settings),
    JSON.parse(a.stdout).results.map((x: { settings: unknown }) => x.settings),
  );
});

test("pivot optimize --min-trades above every set → all ranked last, marked not eligible", () => {
  const r = runCli(["optimize", "--data", market, "--space", SPACE, "--min-trades", "100000", "--json"], {
    cwd: tmp,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(JSON.parse(r.stdout).results.every((x: { eligible: boolean }) => !x.eligible));
});

test("pivot optimize with unknown names and refused values → every problem listed before anything runs", () => {
  const bad = space("bad.json", {
    candle_size_percentil: [70],
    lot_size: [10],
    max_re_entries: [-1, 1],
    strike_range: [450],
  });
  const r = runCli(["optimize", "--data", join(tmp, "no-such-dir"), "--space", bad], { cwd: tmp });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /4 problem\(s\)/);
  assert.match(
    r.stderr,
    /candle_size_percentil: not a setting the optimiser can vary; did you mean "candle_size_percentile"\?/,
  );
  assert.match(r.stderr, /lot_size: a fact of the exchange/);
  assert.match(r.stderr, /max_re_entries = -1: trading\.max_re_entries: expected a number >= 0/);
  assert.match(r.stderr, /strike_range = 450: .*multiple of trading\.strike_interval/);
  assert.doesNotMatch(r.stderr, /no-such-dir/); // the space is checked before the data is read
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/);
});

test("pivot optimize with a bad objective, method or space file → clear errors", () => {
  const objective = runCli(["optimize", "--data", market, "--space", SPACE, "--objective", "luck"], {
    cwd: tmp,
  });
  assert.equal(objective.status, 1);
  assert.match(
    objective.stderr,
    /--objective: expected one of net_pnl, sharpe, sortino, calmar, profit_factor/,
  );
  const method = runCli(["optimize", "--data", market, "--space", SPACE, "--method", "genetic"], {
    cwd: tmp,
  });
  assert.match(method.stderr, /--method: expected grid or random/);
  const notJson = join(tmp, "broken.json");
  writeFileSync(notJson, "{ nope");
  const broken = runCli(["optimize", "--data", market, "--space", notJson], { cwd: tmp });
  assert.match(broken.stderr, /broken\.json: not valid JSON/);
  const range = space("range.json", { candle_size_percentile: { min: 80, max: 70, step: 5 } });
  assert.match(
    runCli(["optimize", "--data", market, "--space", range], { cwd: tmp }).stderr,
    /expected min <= max/,
  );
});

test("pivot optimize --report → heatmap over two settings and the top equity curves", () => {
  const report = join(tmp, "optimize.html");
  const r = runCli(["optimize", "--data", market, "--space", SPACE, "--report", report], { cwd: tmp });
  assert.equal(r.status, 0, r.stderr);
  const html = readFileSync(report, "utf8");
  assert.match(html, /net_pnl by candle_size_percentile and max_re_entries/);
  assert.equal((html.match(/<td class="heat"/g) ?? []).length, 6);
  assert.equal((html.match(/<polyline/g) ?? []).length, 5);
  assert.doesNotMatch(html, /<script|https?:\/\//);
  assert.match(r.stdout, /Best settings/);
});

test("pivot optimize interrupted by Ctrl-C → prints the ranking of the sets done so far, exit 130", async () => {
  const wide = space("long.json", {
    candle_size_percentile: { min: 50, max: 95, step: 0.05 },
    max_re_entries: [0, 1, 2],
  });
  const child = spawn(
    process.execPath,
    [CLI, "optimize", "--data", market, "--space", wide, "--json", "--workers", "1"],
    {
      cwd: tmp,
    },
  );
  let stdout = "";
  let stderr = "";
  let interrupted = false;
  child.stdout.on("data", (b) => {
    stdout += b;
  });
  child.stderr.on("data", (b) => {
    stderr += b;
    if (!interrupted && /Ctrl-C stops/.test(stderr)) {
      interrupted = true; // once: a second Ctrl-C quits at once, without the results
      setTimeout(() => child.kill("SIGINT"), 300);
    }
  });
  const code = await new Promise((resolve) => child.on("close", resolve));
  assert.equal(code, 130, stderr);
  const json = JSON.parse(stdout);
  assert.equal(json.stopped, true);
  assert.ok(json.evaluated < json.total);
  assert.equal(json.results.length, json.evaluated);
  assert.match(stderr, /stopped by Ctrl-C after \d+ of 2703 set\(s\)/);
});
