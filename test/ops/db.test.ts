import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type BetterSqlite3 from "better-sqlite3";
import { Store } from "../../src/adapters/sqlite/store.js";
import { backupDatabase } from "../../src/ops/db/backup.js";
import { csvField, toCsv } from "../../src/ops/db/csv.js";
import { exportTable } from "../../src/ops/db/export.js";
import { DbReadError } from "../../src/ops/db/open-readonly.js";
import { ManualClock } from "../../src/ports/clock.js";
import { REPO_ROOT } from "../support/paths.js";
import { runCli } from "../support/run-cli.js";

const Database = createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
const tmp = mkdtempSync(join(tmpdir(), "pivot-db-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const dbPath = join(tmp, "data", "trading.db");
const T = Date.parse("2025-09-05T04:00:00Z");

before(() => {
  const store = Store.open(dbPath, { clock: new ManualClock(T) });
  const insertSignal = store.db.prepare(
    `INSERT INTO signals (date, time, symbol, scenario, first_candle, open, high, low, close, size, threshold,
       entry_price, stop_loss, target, action, reason, detail, trade_id, recorded_at_ms)
     VALUES (?, ?, ?, 1, 0, 100, 110, 99, 108, 0.08, 0.05, 108, 99, 130, ?, ?, ?, NULL, ?)`,
  );
  insertSignal.run(
    "2025-09-04",
    "2025-09-04T09:30:00+05:30",
    "SENSEX2591180500CE",
    "TAKEN",
    null,
    "plain",
    T,
  );
  insertSignal.run(
    "2025-09-05",
    "2025-09-05T10:00:00+05:30",
    "SENSEX2591180600CE",
    "SKIPPED",
    "MAX_TRADES",
    'limit "3", reached,\nsecond line',
    T,
  );
  insertSignal.run(
    "2025-09-08",
    "2025-09-08T09:18:00+05:30",
    "SENSEX2591180700PE",
    "TAKEN",
    null,
    " padded ",
    T,
  );
  const insertOrder = store.db.prepare(
    `INSERT INTO orders (tag, purpose, exchange, tradingsymbol, side, order_type, product, quantity, status,
       created_at_ms, updated_at_ms) VALUES (?, 'ENTRY', 'BFO', 'SENSEX2591180500CE', 'BUY', 'LIMIT', 'MIS', 20, 'NEW', ?, ?)`,
  );
  // 23:50 IST on the 4th is still the 4th in IST (18:20 UTC), 00:10 IST on the 5th is the 5th.
  insertOrder.run("E20250904001", Date.parse("2025-09-04T18:20:00Z"), T);
  insertOrder.run("E20250905001", Date.parse("2025-09-04T18:40:00Z"), T);
  store.close();
});

test("csvField → quotes commas, quotes, line breaks and edge spaces; null is empty", () => {
  assert.equal(csvField("plain"), "plain");
  assert.equal(csvField('say "hi", twice'), '"say ""hi"", twice"');
  assert.equal(csvField("a\nb"), '"a\nb"');
  assert.equal(csvField(" x"), '" x"');
  assert.equal(csvField(null), "");
  assert.equal(csvField(245.5), "245.5");
  assert.equal(toCsv(["a", "b"], [{ a: 1, b: null }]), "a,b\r\n1,\r\n");
});

test("exportTable signals as CSV → a header, properly quoted rows, in date order, within --from/--to", () => {
  const all = exportTable({ database: dbPath, table: "signals", format: "csv" });
  assert.equal(all.rows, 3);
  const header = all.text.split("\r\n")[0] ?? "";
  assert.match(header, /^id,date,time,symbol,scenario,/);
  assert.ok(all.text.includes('"limit ""3"", reached,\nsecond line"'), all.text);
  assert.ok(all.text.includes('," padded ",'));
  const ranged = exportTable({
    database: dbPath,
    table: "signals",
    format: "json",
    from: "2025-09-05",
    to: "2025-09-05",
  });
  const rows = JSON.parse(ranged.text) as Array<{ symbol: string; detail: string; reason: string | null }>;
  assert.deepEqual(
    rows.map((r) => r.symbol),
    ["SENSEX2591180600CE"],
  );
  assert.equal(rows[0]?.detail, 'limit "3", reached,\nsecond line');
});

test("exportTable orders → dated by their IST creation day", () => {
  const r = exportTable({ database: dbPath, table: "orders", format: "json", from: "2025-09-05" });
  assert.deepEqual(
    (JSON.parse(r.text) as Array<{ tag: string }>).map((o) => o.tag),
    ["E20250905001"],
  );
});

test("exportTable of a missing database or a reversed range → DbReadError naming it", () => {
  assert.throws(
    () => exportTable({ database: join(tmp, "none.db"), table: "trades", format: "csv" }),
    (e: Error) => e instanceof DbReadError && /no database at .*none\.db/.test(e.message),
  );
  assert.throws(
    () =>
      exportTable({ database: dbPath, table: "trades", format: "csv", from: "2025-09-06", to: "2025-09-05" }),
    /after --to/,
  );
});

test("backupDatabase while another process writes → a consistent copy that passes the integrity check", async () => {
  const live = join(tmp, "live.db");
  Store.open(live, { clock: new ManualClock(T) }).close();
  const seed = new Database(live);
  seed.pragma("journal_mode = WAL");
  seed.exec("CREATE TABLE load (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)");
  const fill = seed.prepare("INSERT INTO load (payload) VALUES (randomblob(4096))");
  seed.transaction(() => {
    for (let i = 0; i < 3000; i++) fill.run(); // ~12 MB: the backup takes many steps
  })();
  seed.close();

  // The writer: another process committing small transactions as fast as it can.
  const writer = spawn(
    process.execPath,
    [
      "-e",
      `const db = new (require("better-sqlite3"))(${JSON.stringify(live)});
       db.pragma("busy_timeout = 5000");
       const ins = db.prepare("INSERT INTO load (payload) VALUES (randomblob(512))");
       let n = 0;
       const tick = () => { for (let i = 0; i < 20; i++) ins.run(); n += 20; if (n === 20) process.stdout.write("writing\\n"); setImmediate(tick); };
       tick();`,
    ],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] },
  );
  try {
    await new Promise((resolve, reject) => {
      writer.stdout?.once("data", resolve);
      writer.once("exit", (c) => reject(new Error(`writer exited ${c}`)));
    });
    const count = () => {
      const db = new Database(live, { readonly: true });
      try {
        return Number(db.prepare("SELECT count(*) FROM load").pluck().get());
      } finally {
        db.close();
      }
    };
    const before = count();
    const out = join(tmp, "backup.db");
    const r = await backupDatabase({ source: live, out });
    const afterCount = count();
    assert.ok(afterCount > before, "the writer kept writing during the backup");
    const copied = r.tables.load ?? 0;
    assert.ok(copied >= before && copied <= afterCount, `${before} <= ${copied} <= ${afterCount}`);
    assert.ok("trades" in r.tables && "orders" in r.tables);
    assert.deepEqual(
      readdirSync(tmp).filter((n) => n.includes("partial")),
      [],
    );
  } finally {
    writer.kill("SIGKILL");
  }
});

test("backupDatabase onto an existing file → refused without force, replaced with it", async () => {
  const out = join(tmp, "exists.db");
  writeFileSync(out, "precious");
  await assert.rejects(
    backupDatabase({ source: dbPath, out }),
    /exists: choose another --out, or add --force/,
  );
  assert.equal(readFileSync(out, "utf8"), "precious");
  const r = await backupDatabase({ source: dbPath, out, force: true });
  assert.equal(r.tables.signals, 3);
});

test("pivot db backup / export → files written, errors clear, nothing overwritten", () => {
  const config = join(tmp, "config.json");
  writeFileSync(config, JSON.stringify({ data: { database_path: dbPath } }));
  const out = join(tmp, "cli-backup.db");
  const b = runCli(["db", "backup", "--out", out, "--config", config]);
  assert.equal(b.status, 0, b.stderr);
  assert.match(b.stdout, /written to .*cli-backup\.db .*integrity ok; .*signals 3/);
  const again = runCli(["db", "backup", "--out", out, "--config", config]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /^pivot: .*exists: choose another --out, or add --force\n$/);

  const csv = runCli(["db", "export", "--table", "signals", "--config", config, "--from", "2025-09-08"]);
  assert.equal(csv.status, 0, csv.stderr);
  assert.equal(csv.stdout.split("\r\n").length, 3); // header, one row, the final empty piece
  const file = join(tmp, "signals.json");
  const json = runCli([
    "db",
    "export",
    "--table",
    "signals",
    "--format",
    "json",
    "--out",
    file,
    "--config",
    config,
  ]);
  assert.equal(json.status, 0, json.stderr);
  assert.equal((JSON.parse(readFileSync(file, "utf8")) as unknown[]).length, 3);
  const bad = runCli(["db", "export", "--table", "secrets", "--config", config]);
  assert.equal(bad.status, 1);
  assert.match(
    bad.stderr,
    /--table: expected one of trades, signals, orders, daily_summary, found "secrets"/,
  );
  const badDate = runCli(["db", "export", "--table", "trades", "--from", "5/9/2025", "--config", config]);
  assert.match(badDate.stderr, /--from: expected a date YYYY-MM-DD/);
});
