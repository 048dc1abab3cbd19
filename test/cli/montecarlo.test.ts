import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { writeSampleData } from "../../src/backtest/sample-data.js";
import { runCli } from "../support/run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "pivot-montecarlo-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
const market = join(tmp, "market");
writeSampleData({ outDir: market, days: 40, seed: 2 });
const backtest = runCli(["backtest", "--data", market, "--json"], { cwd: tmp });
const tradesFile = join(tmp, "backtest.json");
writeFileSync(tradesFile, backtest.stdout);

test("pivot montecarlo --json → percentiles of final P&L, drawdown and streak, and the ruin probability", () => {
  assert.equal(backtest.status, 0, backtest.stderr);
  const summary = JSON.parse(backtest.stdout).summary;
  assert.ok(summary.total_trades >= 3, "the sample backtest trades");
  const r = runCli(["montecarlo", "--trades", tradesFile, "--runs", "2000", "--ruin", "5000", "--json"], {
    cwd: tmp,
  });
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(json), [
    "method",
    "runs",
    "seed",
    "trades",
    "final_net_pnl",
    "max_drawdown",
    "longest_losing_streak",
    "ruin",
    "ruin_probability",
  ]);
  assert.equal(json.trades, summary.total_trades);
  assert.equal(json.final_net_pnl.p50, summary.net_pnl); // a shuffle keeps the sum
  assert.ok(json.max_drawdown.p5 <= json.max_drawdown.p50 && json.max_drawdown.p50 <= json.max_drawdown.p95);
  assert.ok(json.ruin_probability >= 0 && json.ruin_probability <= 1);
});

test("pivot montecarlo twice with one seed → the same output; another seed → other figures", () => {
  const args = [
    "montecarlo",
    "--trades",
    tradesFile,
    "--method",
    "bootstrap",
    "--runs",
    "3000",
    "--seed",
    "4",
    "--json",
  ];
  const a = runCli(args, { cwd: tmp });
  assert.equal(a.stdout, runCli(args, { cwd: tmp }).stdout);
  const other = runCli([...args.slice(0, -3), "--seed", "5", "--json"], { cwd: tmp });
  assert.notDeepEqual(JSON.parse(other.stdout).final_net_pnl, JSON.parse(a.stdout).final_net_pnl);
});

test("pivot montecarlo --report → histograms in a self-contained page", () => {
  const report = join(tmp, "mc.html");
  const r = runCli(["montecarlo", "--trades", tradesFile, "--runs", "500", "--report", report], { cwd: tmp });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /final net P&L/);
  const html = readFileSync(report, "utf8");
  assert.equal((html.match(/<svg/g) ?? []).length, 3);
  assert.doesNotMatch(html, /<script|https?:\/\//);
});

test("pivot montecarlo with bad input → clear errors, no stack trace", () => {
  const missing = runCli(["montecarlo", "--trades", join(tmp, "none.json")], { cwd: tmp });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /none\.json: cannot be read \(ENOENT\)/);
  const other = join(tmp, "other.json");
  writeFileSync(other, JSON.stringify({ results: [] }));
  assert.match(
    runCli(["montecarlo", "--trades", other], { cwd: tmp }).stderr,
    /expected the output of pivot backtest --json/,
  );
  const empty = join(tmp, "empty.json");
  writeFileSync(empty, JSON.stringify({ trades: [] }));
  assert.match(runCli(["montecarlo", "--trades", empty], { cwd: tmp }).stderr, /holds no trade to resample/);
  assert.match(
    runCli(["montecarlo", "--trades", tradesFile, "--method", "jackknife"], { cwd: tmp }).stderr,
    /--method: expected shuffle or bootstrap/,
  );
  const ruin = runCli(["montecarlo", "--trades", tradesFile, "--ruin", "-5"], { cwd: tmp });
  assert.match(ruin.stderr, /--ruin: expected rupees above 0/);
  assert.doesNotMatch(ruin.stderr, /\n\s+at .+:\d+:\d+/);
});
