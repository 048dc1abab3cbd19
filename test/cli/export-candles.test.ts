import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { SCHEMA_VERSION } from "../../src/adapters/sqlite/migrations.js";
import { Store } from "../../src/adapters/sqlite/store.js";
import { loadCandleDirectory } from "../../src/backtest/candle-directory.js";
import { exportCandlesCommand } from "../../src/cli/commands/export-candles.js";
import { UserError } from "../../src/cli/user-error.js";
import type { Candle } from "../../src/domain/candle.js";
import { ManualClock } from "../../src/ports/clock.js";
import { runCli } from "../support/run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "pivot-export-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
const clock = new ManualClock(Date.UTC(2025, 8, 4, 12));
let n = 0;

const candle = (start: number, open: number, close: number): Candle => ({
  start,
  open,
  high: Math.max(open, close) + 1.25,
  low: Math.min(open, close) - 0.5,
  close,
  volume: 1500 + start,
});
const DAY: Record<string, Candle[]> = {
  SENSEX2590481000CE: [candle(555, 120.5, 131.35), candle(558, 131.35, 129.05), candle(561, 129.05, 140.1)],
  SENSEX2590481000PE: [candle(555, 98.2, 90.15), candle(558, 90.15, 91)],
};

/** A working folder with a config naming a database holding DAY's candles (and one candle of another day). */
function setup(): { dir: string; config: string; db: string } {
  const dir = join(tmp, `case-${++n}`);
  mkdirSync(dir);
  const db = join(dir, "state", "trading.db");
  const config = join(dir, "config.json");
  writeFileSync(config, JSON.stringify({ data: { database_path: db } }));
  const store = Store.open(db, { clock });
  for (const [symbol, candles] of Object.entries(DAY))
    store.candles.appendMany("2025-09-04", symbol, candles);
  store.candles.append("2025-09-05", "SENSEX2590481000CE", candle(555, 1, 2));
  store.close();
  return { dir, config, db };
}

const quiet = { out: () => {}, clock, env: {} };

test("export-candles of a recorded day → one file per symbol that loadCandleDirectory reads back identically", async () => {
  const { dir, config } = setup();
  const out = join(dir, "export", "day");
  const lines: string[] = [];
  const r = await exportCandlesCommand(
    { date: "2025-09-04", out, config },
    { ...quiet, out: (t) => lines.push(t) },
  );
  assert.equal(r.candles, 5);
  assert.deepEqual(readdirSync(out).sort(), [
    "SENSEX2590481000CE_2025-09-04.csv",
    "SENSEX2590481000PE_2025-09-04.csv",
  ]);
  assert.match(lines.join(""), /2 file\(s\), 5 candle\(s\) of 2025-09-04 written to /);
  const text = readFileSync(join(out, "SENSEX2590481000CE_2025-09-04.csv"), "utf8");
  assert.equal(text.split("\n")[0], "timestamp,open,high,low,close,volume");
  assert.equal(text.split("\n")[1], "2025-09-04 09:15:00+05:30,120.5,132.6,120,131.35,2055");
  const data = loadCandleDirectory(out, (m) => assert.fail(m));
  assert.deepEqual([...(data.byDay.get("2025-09-04")?.keys() ?? [])].sort(), Object.keys(DAY));
  for (const [symbol, candles] of Object.entries(DAY)) {
    assert.deepEqual(data.byDay.get("2025-09-04")?.get(symbol)?.toCandles(), candles);
  }
});

test("export-candles into a folder holding one of the files → UserError, nothing overwritten or added", async () => {
  const { dir, config } = setup();
  const out = join(dir, "out");
  mkdirSync(out);
  const existing = join(out, "SENSEX2590481000PE_2025-09-04.csv");
  writeFileSync(existing, "mine");
  await assert.rejects(
    exportCandlesCommand({ date: "2025-09-04", out, config }, quiet),
    (e: unknown) =>
      e instanceof UserError && e.message.includes(`not overwriting 1 existing file(s): ${existing}`),
  );
  assert.equal(readFileSync(existing, "utf8"), "mine");
  assert.deepEqual(readdirSync(out), ["SENSEX2590481000PE_2025-09-04.csv"]);
});

test("export-candles of a day without recorded candles → UserError listing the recorded days, no folder made", async () => {
  const { dir, config, db } = setup();
  const out = join(dir, "none");
  await assert.rejects(
    exportCandlesCommand({ date: "2025-09-08", out, config }, quiet),
    (e: unknown) =>
      e instanceof UserError &&
      e.message === `${db} holds no recorded candles for 2025-09-08 (recorded days: 2025-09-04, 2025-09-05)`,
  );
  assert.throws(() => readdirSync(out), /ENOENT/);
});

test("export-candles with no database file → UserError 'no database at', no file created", async () => {
  const dir = join(tmp, "empty");
  mkdirSync(dir);
  const db = join(dir, "trading.db");
  const config = join(dir, "config.json");
  writeFileSync(config, JSON.stringify({ data: { database_path: db } }));
  await assert.rejects(
    exportCandlesCommand({ date: "2025-09-04", out: join(dir, "out"), config }, quiet),
    (e: unknown) => e instanceof UserError && e.message === `no database at ${db}`,
  );
  assert.deepEqual(readdirSync(dir), ["config.json"]);
});

test("pivot export-candles (the built command) → writes the files and says how many", () => {
  const { dir } = setup();
  // The default configuration: data/trading.db under the working folder.
  const cwd = join(dir, "work");
  const store = Store.open(join(cwd, "data", "trading.db"), { clock });
  store.candles.appendMany("2025-09-04", "SENSEX", [candle(555, 80000, 80100.5)]);
  store.close();
  const r = runCli(["export-candles", "--date", "2025-09-04", "--out", "x"], { cwd });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "1 file(s), 1 candle(s) of 2025-09-04 written to x\n");
  assert.deepEqual(readdirSync(join(cwd, "x")), ["SENSEX_2025-09-04.csv"]);
  const again = runCli(["export-candles", "--date", "2025-09-04", "--out", "x"], { cwd });
  assert.equal(again.status, 1);
  assert.match(again.stderr, /^pivot: not overwriting 1 existing file\(s\): x\/SENSEX_2025-09-04\.csv/);
});

test("pivot export-candles with a bad date or no --out → clear error, no stack trace, non-zero exit", () => {
  const bad = runCli(["export-candles", "--date", "2025-02-30", "--out", "x"], { cwd: tmp });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--date: expected a date YYYY-MM-DD, found "2025-02-30"/);
  const missing = runCli(["export-candles", "--date", "2025-09-04"], { cwd: tmp });
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /required option '--out <dir>' not specified/);
  for (const r of [bad, missing]) assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/);
});

test("pivot export-candles on a database of a newer schema → the version message, exit 1", () => {
  const cwd = join(tmp, "newer");
  const store = Store.open(join(cwd, "data", "trading.db"), { clock });
  store.db.pragma("user_version = 99");
  store.close();
  const r = runCli(["export-candles", "--date", "2025-09-04", "--out", "x"], { cwd });
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    new RegExp(
      `^pivot: data/trading\\.db was written by a newer version \\(schema 99, this version knows ${SCHEMA_VERSION}\\)`,
    ),
  );
});
