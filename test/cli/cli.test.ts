import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { REAL_CANDLES_DIR, REPO_ROOT } from "../support/paths.js";
import { runCli } from "../support/run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "pivot-cli-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const noStackTrace = (text: string) => assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+/);

test("pivot --help → lists the commands, exit 0", () => {
  const r = runCli(["--help"]);
  assert.equal(r.status, 0);
  for (const c of ["start", "backtest", "pivots", "sample-data"])
    assert.match(r.stdout, new RegExp(`\\b${c}\\b`));
});

test("pivot pivots --json → classic levels as PP, R1-R5, S1-S3 and the structure", () => {
  const r = runCli(["pivots", "--high", "120", "--low", "80", "--close", "110", "--json"], { cwd: tmp });
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.deepEqual(json, {
    PP: 103.33,
    R1: 126.67,
    R2: 143.33,
    R3: 166.67,
    R4: 183.33,
    R5: 206.67,
    S1: 86.67,
    S2: 63.33,
    S3: 46.67,
    structure: "BULLISH",
  });
});

test("pivot pivots --type all --open → every kind, and the opening zone", () => {
  const r = runCli(
    ["pivots", "--high", "120", "--low", "80", "--close", "110", "--open", "100", "--type", "all"],
    {
      cwd: tmp,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  for (const k of [
    "classic:",
    "fibonacci:",
    "camarilla:",
    "woodie:",
    "cpr:",
    "structure: BULLISH",
    "opening zone for open 100: Z1",
  ]) {
    assert.ok(r.stdout.includes(k), `${k} in output`);
  }
});

test("pivot pivots with a non-numeric high → clear error, no stack trace, non-zero exit", () => {
  const r = runCli(["pivots", "--high", "abc", "--low", "80", "--close", "110"], { cwd: tmp });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /--high: expected a number, found "abc"/);
  noStackTrace(r.stderr);
});

test("config with several mistakes → all reported at once with key paths and a suggestion", () => {
  const dir = join(tmp, "badconfig");
  mkdirSync(dir);
  writeFileSync(
    join(dir, "config.json"),
    JSON.stringify({
      trading: { candle_size_percentil: 80, lots: 0 },
      market: { start_time: "9am" },
      api_secret: 42,
    }),
  );
  const r = runCli(["backtest", "--data", REAL_CANDLES_DIR], { cwd: dir });
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    /trading\.candle_size_percentil: unknown key; did you mean "candle_size_percentile"\?/,
  );
  assert.match(r.stderr, /trading\.lots: expected a number >= 1, found 0/);
  assert.match(r.stderr, /market\.start_time: expected a time HH:MM.*found "9am"/);
  assert.match(r.stderr, /api_secret: expected string, found a number \(value hidden\)/);
  assert.doesNotMatch(r.stderr, /42/);
  noStackTrace(r.stderr);
});

test("config that is not JSON → says so with the file name", () => {
  const file = join(tmp, "broken.json");
  writeFileSync(file, "{ trading: ");
  const r = runCli(["backtest", "--data", REAL_CANDLES_DIR, "--config", file]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /broken\.json: not valid JSON/);
  noStackTrace(r.stderr);
});

test("config.example.json → is a valid configuration", () => {
  const r = runCli([
    "pivots",
    "--high",
    "2",
    "--low",
    "1",
    "--close",
    "1.5",
    "--config",
    join(REPO_ROOT, "config.example.json"),
  ]);
  assert.equal(r.status, 0, r.stderr);
});

test("backtest of a missing directory → clear error, exit 1", () => {
  const r = runCli(["backtest", "--data", join(tmp, "nope")], { cwd: tmp });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot read the data directory .*nope: ENOENT/);
  noStackTrace(r.stderr);
});

test("backtest of an empty directory → clear error, exit 1", () => {
  const dir = join(tmp, "empty");
  mkdirSync(dir);
  const r = runCli(["backtest", "--data", dir], { cwd: tmp });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /holds no \.csv candle files/);
});

test("backtest of a file without one usable row → names the file and the reasons", () => {
  const dir = join(tmp, "unusable");
  mkdirSync(dir);
  writeFileSync(
    join(dir, "X_2025-09-05.csv"),
    "timestamp,open,high,low,close,volume\n2025-09-05 09:15:00+05:30,a,b,c,d,0\n",
  );
  const r = runCli(["backtest", "--data", dir], { cwd: tmp });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /X_2025-09-05\.csv: no usable row \(1 non-numeric value\)/);
});

test("backtest with bad rows → one warning per file on stderr, valid JSON on stdout", () => {
  const dir = join(tmp, "badrows");
  mkdirSync(dir);
  const rows = [
    "timestamp,open,high,low,close,volume",
    "2025-09-05 09:15:00+05:30,100,110,90,105,20",
    "2025-09-05 09:18:00+05:30,105,100,110,104,20", // high below low
    "2025-09-05 09:18:00+05:30,105,106,101,104,20",
    "2025-09-05 09:18:00+05:30,104,107,100,103,20", // duplicate timestamp
    "2025-09-05 09:21:00+05:30,x,106,101,104,20", // non-numeric
  ];
  writeFileSync(join(dir, "SENSEX2591180500CE_2025-09-05.csv"), `${rows.join("\n")}\n`);
  const r = runCli(["backtest", "--data", dir, "--json"], { cwd: tmp });
  assert.equal(r.status, 0, r.stderr);
  // The file's bad rows, and the day's missing previous day (no pivots).
  const warnings = r.stderr.split("\n").filter((l) => l.startsWith("warning:"));
  assert.equal(warnings.length, 2);
  assert.match(warnings[1] as string, /^warning: 2025-09-05: the data has no candles of 2025-09-04/);
  assert.match(warnings[0] as string, /SENSEX2591180500CE_2025-09-05\.csv: skipped 3 of 5 row\(s\): /);
  for (const why of ["1 non-numeric value", "1 high below low", "1 duplicate timestamp"]) {
    assert.ok(warnings[0]?.includes(why), why);
  }
  const json = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(json), ["trades", "signals", "days", "summary", "warnings"]);
  assert.deepEqual(
    json.warnings,
    warnings.map((w) => w.slice("warning: ".length)),
  );
  assert.equal(json.summary.candles, 2);
});

test("backtest --json over the real data → exactly one JSON object with the documented fields", () => {
  const r = runCli(["backtest", "--data", REAL_CANDLES_DIR, "--json"], { cwd: tmp });
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(json), ["trades", "signals", "days", "summary", "warnings"]);
  const trade = json.trades[0];
  for (const k of [
    "trade_id",
    "date",
    "symbol",
    "strike",
    "option_type",
    "scenario",
    "first_candle_entry",
    "structure",
    "entry_time",
    "entry_price",
    "stop_loss",
    "target",
    "exit_time",
    "exit_price",
    "exit_reason",
    "candles_held",
    "quantity",
    "pnl_points",
    "pnl_rupees",
    "charges",
    "net_pnl_rupees",
  ]) {
    assert.ok(k in trade, `trade has ${k}`);
  }
  assert.match(trade.entry_time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\+05:30$/);
  for (const k of [
    "total_trades",
    "wins",
    "losses",
    "win_rate",
    "gross_pnl",
    "max_drawdown",
    "trades_by_scenario",
    "first_candle_entries",
    "intraday_entries",
    "stop_losses",
    "targets",
    "timeouts",
    "eod_exits",
    "charges",
    "net_pnl",
  ]) {
    assert.ok(k in json.summary, `summary has ${k}`);
  }
  assert.ok(json.signals.length >= json.trades.length);
  assert.ok(
    json.signals.every(
      (s: { action: string; reason: string | null }) => (s.action === "TAKEN") === (s.reason === null),
    ),
  );
});

test("backtest --from after --to → clear error", () => {
  const r = runCli(["backtest", "--data", REAL_CANDLES_DIR, "--from", "2025-09-05", "--to", "2025-09-01"], {
    cwd: tmp,
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--from 2025-09-05 is after --to 2025-09-01/);
});

test("backtest --from with a bad date → clear error", () => {
  const r = runCli(["backtest", "--data", REAL_CANDLES_DIR, "--from", "2025-02-30"], { cwd: tmp });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /--from: expected a date YYYY-MM-DD, found "2025-02-30"/);
});

test("sample-data then backtest --report → a trading sample market and an HTML report", () => {
  const dir = join(tmp, "sample");
  const made = runCli(["sample-data", "--out", dir, "--days", "15", "--seed", "7"], { cwd: tmp });
  assert.equal(made.status, 0, made.stderr);
  assert.match(made.stdout, /15 trading days/);
  const report = join(tmp, "report.html");
  const r = runCli(["backtest", "--data", dir, "--report", report], { cwd: tmp });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Summary 2025-01-01 to /);
  assert.ok(existsSync(report));
  assert.match(readFileSync(report, "utf8"), /<html/i);
});
