import assert from "node:assert/strict";
import { chmodSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  DatabaseOpenError,
  DatabaseVersionError,
  openDatabase,
  schemaVersionOf,
} from "../../../src/adapters/sqlite/database.js";
import { MIGRATIONS, SCHEMA_VERSION } from "../../../src/adapters/sqlite/migrations.js";
import { Store } from "../../../src/adapters/sqlite/store.js";
import { ManualClock } from "../../../src/ports/clock.js";
import { REQUEST, T0, tempDir } from "./fixtures.js";

const clock = new ManualClock(T0);

const TABLES = [
  "audit_log",
  "control_state",
  "daily_summary",
  "notification_outbox",
  "order_event_arrivals",
  "order_events",
  "orders",
  "paper_fills",
  "paper_orders",
  "positions",
  "postback_bodies",
  "recorded_candles",
  "signals",
  "trades",
  "universe_contracts",
  "universe_days",
];

test("openDatabase on a new file → folder created, every table, user_version = schema version", () => {
  const path = join(tempDir(), "nested", "deeper", "trading.db");
  const { db, migrated } = openDatabase(path, { clock });
  try {
    assert.ok(existsSync(path));
    assert.deepEqual(
      migrated,
      MIGRATIONS.map((m) => m.version),
    );
    assert.equal(schemaVersionOf(db), SCHEMA_VERSION);
    const tables = (
      db
        .prepare(
          "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .all() as {
        name: string;
      }[]
    ).map((r) => r.name);
    assert.deepEqual(tables, TABLES);
  } finally {
    db.close();
  }
});

test("openDatabase on an up-to-date file → runs no migration, keeps the data", () => {
  const path = join(tempDir(), "trading.db");
  const first = Store.open(path, { clock });
  first.audit.record("cli", "test");
  first.close();
  const { db, migrated } = openDatabase(path, { clock });
  try {
    assert.deepEqual(migrated, []);
    assert.equal((db.prepare("SELECT count(*) AS n FROM audit_log").get() as { n: number }).n, 1);
  } finally {
    db.close();
  }
});

test("openDatabase with a later migration → applies only the new one", () => {
  const path = join(tempDir(), "trading.db");
  openDatabase(path, { clock }).db.close();
  const extra = SCHEMA_VERSION + 1;
  const next = [
    ...MIGRATIONS,
    { version: extra, name: "extra", sql: "CREATE TABLE extra (x INTEGER) STRICT;" },
  ];
  const { db, migrated } = openDatabase(path, { clock, migrations: next });
  try {
    assert.deepEqual(migrated, [extra]);
    assert.equal(schemaVersionOf(db), extra);
  } finally {
    db.close();
  }
});

test("openDatabase with a failing migration → nothing of it applied, version unchanged", () => {
  const path = join(tempDir(), "trading.db");
  openDatabase(path, { clock }).db.close();
  const broken = [
    ...MIGRATIONS,
    {
      version: SCHEMA_VERSION + 1,
      name: "bad",
      sql: "CREATE TABLE half (x INTEGER); SELECT * FROM nowhere;",
    },
  ];
  assert.throws(() => openDatabase(path, { clock, migrations: broken }), DatabaseOpenError);
  const { db } = openDatabase(path, { clock });
  try {
    assert.equal(schemaVersionOf(db), SCHEMA_VERSION);
    assert.equal(db.prepare("SELECT name FROM sqlite_schema WHERE name = 'half'").get(), undefined);
  } finally {
    db.close();
  }
});

test("openDatabase on a file of a newer schema → DatabaseVersionError naming both versions, file untouched", () => {
  const path = join(tempDir(), "trading.db");
  const { db } = openDatabase(path, { clock });
  db.pragma(`user_version = ${SCHEMA_VERSION + 4}`);
  db.close();
  assert.throws(
    () => openDatabase(path, { clock }),
    (e: unknown) =>
      e instanceof DatabaseVersionError &&
      e.fileVersion === SCHEMA_VERSION + 4 &&
      e.knownVersion === SCHEMA_VERSION &&
      e.message.startsWith(
        `${path} was written by a newer version (schema ${SCHEMA_VERSION + 4}, this version knows ${SCHEMA_VERSION})`,
      ),
  );
});

test("openDatabase under a path whose folder cannot be created → DatabaseOpenError naming the path", () => {
  const dir = tempDir();
  const file = join(dir, "not-a-folder");
  writeFileSync(file, "x");
  const path = join(file, "trading.db");
  assert.throws(
    () => openDatabase(path, { clock }),
    (e: unknown) => e instanceof DatabaseOpenError && e.message.includes(path) && e.path === path,
  );
});

test("openDatabase in a read-only folder → DatabaseOpenError saying not writable", {
  skip: process.getuid?.() === 0 ? "root can write anywhere" : false,
}, () => {
  const dir = tempDir();
  chmodSync(dir, 0o500);
  try {
    assert.throws(() => openDatabase(join(dir, "trading.db"), { clock }), /not writable/);
  } finally {
    chmodSync(dir, 0o700);
  }
});

test("openDatabase with create false and no file → DatabaseOpenError 'no database at', no file made", () => {
  const path = join(tempDir(), "missing.db");
  assert.throws(() => openDatabase(path, { clock, create: false }), new RegExp(`no database at ${path}`));
  assert.equal(existsSync(path), false);
});

test("openDatabase on a file → WAL journal, NORMAL sync, foreign keys on, busy timeout set", () => {
  const { db } = openDatabase(join(tempDir(), "trading.db"), { clock });
  try {
    assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
    assert.equal(db.pragma("synchronous", { simple: true }), 1);
    assert.equal(db.pragma("foreign_keys", { simple: true }), 1);
    assert.equal(db.pragma("busy_timeout", { simple: true }), 5000);
  } finally {
    db.close();
  }
});

test("foreign keys → a position naming an unknown order is refused", () => {
  const store = Store.open(":memory:", { clock });
  try {
    const position = {
      tradeId: "20250904_001",
      date: "2025-09-04",
      symbol: "X",
      state: "OPENING" as const,
      quantity: 0,
      averagePrice: 0,
      stopLoss: 1,
      target: 2,
      candlesHeld: 0,
      entryOrderId: 999,
      exitOrderId: null,
    };
    assert.throws(() => store.positions.upsert(position), /FOREIGN KEY/);
    const order = store.orders.insertNew(REQUEST, { purpose: "ENTRY" });
    assert.equal(store.positions.upsert({ ...position, entryOrderId: order.localId }), true);
  } finally {
    store.close();
  }
});

test("CHECK constraints → an unknown order side or a non-boolean flag is refused", () => {
  const store = Store.open(":memory:", { clock });
  try {
    assert.throws(
      () => store.orders.insertNew({ ...REQUEST, side: "HOLD" as "BUY" }, { purpose: "ENTRY" }),
      /CHECK constraint/,
    );
    assert.throws(
      () => store.db.prepare("INSERT INTO control_state VALUES ('bogus', '1', 'x', 0)").run(),
      /CHECK constraint/,
    );
    assert.throws(
      () =>
        store.db
          .prepare("INSERT INTO recorded_candles VALUES ('2025-09-04', 'X', 555, 'a', 1, 1, 1, 0)")
          .run(),
      /cannot store TEXT value in REAL column/,
    );
  } finally {
    store.close();
  }
});
