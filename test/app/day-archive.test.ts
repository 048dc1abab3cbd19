/** archiveDay and the service's archiver over a scripted Kite and the real instrument master. */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { archiveDay, archivedDayCount } from "../../src/app/day-archive.js";
import { dayArchiver } from "../../src/app/day-archiver.js";
import { configIn, DAY, INDEX_TOKEN, master, scriptedKite } from "./archive-fixtures.js";

test("archiveDay → strikes from the lower ATM of open and close − range to the higher + range, CE and PE of the nearest expiry", async () => {
  const config = configIn(200);
  const { kite, requests } = scriptedKite();
  const r = await archiveDay({ kite, master, config }, DAY);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.failure));
  assert.deepEqual(r.day.strikes, [80200, 81200]);
  assert.equal(r.day.expiry, "2025-09-11");
  const listed = [80200, 80300, 80400, 80500, 80600, 80700, 80800, 80900, 81000, 81100, 81200].flatMap((k) =>
    (["CE", "PE"] as const)
      .filter((t) => master.option("SENSEX", "2025-09-11", k, t))
      .map((t) => `SENSEX25911${k}${t}`),
  );
  assert.ok(listed.length > 0);
  assert.equal(r.day.missing.length, 22 - listed.length);
  const files = (minutes: number) =>
    readdirSync(join(config.data.archive_dir, `candles-${minutes}minute`)).sort();
  const expected = ["SENSEX", ...listed].map((s) => `${s}_${DAY}.csv`).sort();
  assert.deepEqual(files(1), expected);
  assert.deepEqual(files(3), expected);
  assert.equal(requests.length, 2 * expected.length);
  assert.equal(
    readFileSync(join(config.data.archive_dir, "candles-3minute", `SENSEX_${DAY}.csv`), "utf8"),
    "timestamp,open,high,low,close,volume\n2025-09-04 09:15:00+05:30,80420,80500,80420,80500,10\n2025-09-04 15:27:00+05:30,80900,80960,80900,80960,10\n",
  );
  assert.equal(archivedDayCount(config.data.archive_dir), 1);
});

test("archiveDay with a download failing → incomplete (no manifest); run again → only that file fetched, the day complete", async () => {
  const config = configIn(200);
  let failing = true;
  const victim = master.option("SENSEX", "2025-09-11", 80500, "CE")?.instrumentToken;
  assert.ok(victim);
  const first = scriptedKite((token, interval) =>
    failing && token === victim && interval === "3minute"
      ? { kind: "server", message: "Kite is down" }
      : null,
  );
  const r1 = await archiveDay({ kite: first.kite, master, config }, DAY);
  assert.ok(!r1.ok);
  assert.equal(r1.failure.kind, "partial");
  assert.match(
    r1.failure.message,
    /1 download\(s\) failed \(run again to complete the day\): SENSEX2591180500CE \(3minute\): Kite is down/,
  );
  assert.equal(archivedDayCount(config.data.archive_dir), 0);

  failing = false;
  const second = scriptedKite();
  const r2 = await archiveDay({ kite: second.kite, master, config }, DAY);
  assert.ok(r2.ok);
  assert.deepEqual(
    second.requests.filter((q) => q.token !== INDEX_TOKEN),
    [{ token: victim, interval: "3minute" }],
  );
  assert.deepEqual(r2.day.written, [
    join(config.data.archive_dir, "candles-3minute", `SENSEX2591180500CE_${DAY}.csv`),
  ]);
  assert.equal(archivedDayCount(config.data.archive_dir), 1);
});

test("archiveDay when Kite ends the session → a kite failure (session_expired) at once, the day incomplete", async () => {
  const config = configIn(200);
  const { kite, requests } = scriptedKite((token) =>
    token !== INDEX_TOKEN
      ? { kind: "session_expired", message: "Incorrect `api_key` or `access_token`." }
      : null,
  );
  const r = await archiveDay({ kite, master, config }, DAY);
  assert.ok(!r.ok);
  assert.equal(r.failure.kind, "kite");
  assert.equal(requests.length, 3, "stopped at the first contract");
  assert.equal(existsSync(join(config.data.archive_dir, "days")), false);
});

test("archiveDay told to stop → stopped, the day incomplete", async () => {
  const config = configIn(200);
  const { kite } = scriptedKite();
  let downloads = 0;
  const r = await archiveDay({ kite, master, config, shouldStop: () => ++downloads > 4 }, DAY);
  assert.ok(!r.ok);
  assert.equal(r.failure.kind, "stopped");
  assert.match(r.failure.message, /pivot archive --date 2025-09-04/);
  assert.equal(archivedDayCount(config.data.archive_dir), 0);
});

test("dayArchiver → undefined when archive.enabled is false; a failing archive → a warning, never a rejection", async () => {
  const off = configIn();
  assert.equal(
    dayArchiver({
      kite: scriptedKite().kite,
      config: { ...off, archive: { ...off.archive, enabled: false } },
      notify: () => {},
      log: () => {},
    }),
    undefined,
  );

  const config = configIn();
  const notes: string[] = [];
  const throwing = { historical: async () => Promise.reject(new Error("socket hang up")) } as never;
  const archiver = dayArchiver({
    kite: throwing,
    config,
    notify: (l, m) => notes.push(`${l}: ${m}`),
    log: () => {},
  });
  assert.ok(archiver);
  await archiver(DAY, master, () => false);
  assert.equal(notes.length, 1);
  assert.match(
    notes[0] as string,
    /^warning: 2025-09-04: the day's archive (is incomplete|failed): .*socket hang up/,
  );
});
