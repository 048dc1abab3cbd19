import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Store } from "../../src/adapters/sqlite/store.js";
import { backupDatabase } from "../../src/ops/db/backup.js";
import { createServiceLogger } from "../../src/ops/logging/logger.js";
import { ManualClock, systemClock } from "../../src/ports/clock.js";
import { HandTimers } from "../support/hand-timers.js";

const modeOf = (p: string) => statSync(p).mode & 0o777;

/** Runs `fn` under a permissive umask (000: the worst case; 022 is the usual default). */
async function withUmask<T>(mask: number, fn: () => Promise<T> | T): Promise<T> {
  const before = process.umask(mask);
  try {
    return await fn();
  } finally {
    process.umask(before);
  }
}

test("the database, its WAL and shared memory under umask 000 → 0600 files in a new 0700 folder", async () => {
  const root = mkdtempSync(join(tmpdir(), "modes-"));
  const path = join(root, "data", "trading.db");
  await withUmask(0o000, () => {
    const store = Store.open(path, { clock: systemClock });
    store.audit.record("test", "something written");
    for (const p of [path, `${path}-wal`, `${path}-shm`]) assert.equal(modeOf(p), 0o600, p);
    assert.equal(modeOf(join(root, "data")), 0o700);
    store.close();
  });
});

test("a database left readable by others (0644, and its WAL) → narrowed to 0600 when opened", async () => {
  const root = mkdtempSync(join(tmpdir(), "modes-"));
  const path = join(root, "trading.db");
  Store.open(path, { clock: systemClock }).close();
  writeFileSync(`${path}-wal`, "");
  for (const p of [path, `${path}-wal`]) chmodSync(p, 0o644);
  const store = Store.open(path, { clock: systemClock });
  for (const p of [path, `${path}-wal`]) assert.equal(modeOf(p), 0o600, p);
  store.close();
});

test("log files and their folder under umask 000 → 0600 files in a 0700 folder", async () => {
  const dir = join(mkdtempSync(join(tmpdir(), "modes-")), "logs");
  const clock = new ManualClock(Date.UTC(2025, 8, 4, 4, 0, 0));
  await withUmask(0o000, async () => {
    const log = await createServiceLogger({
      dir,
      retentionDays: 30,
      clock,
      console: { write: () => true },
      setTimer: new HandTimers(clock).setTimer,
    });
    log.logger.info("a line");
    await log.close();
  });
  assert.equal(modeOf(dir), 0o700);
  const files = readdirSync(dir).filter((f) => f.endsWith(".log") && f !== "current.log");
  assert.ok(files.length > 0);
  for (const f of files) assert.equal(modeOf(join(dir, f)), 0o600, f);
});

test("a backup under umask 000 → a 0600 file", async () => {
  const root = mkdtempSync(join(tmpdir(), "modes-"));
  const source = join(root, "trading.db");
  Store.open(source, { clock: systemClock }).close();
  const out = join(root, "backup.db");
  await withUmask(0o000, () => backupDatabase({ source, out }));
  assert.equal(modeOf(out), 0o600);
});
