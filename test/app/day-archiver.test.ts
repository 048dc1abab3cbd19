/** The service's archiver: one archive per day at a time, and the catch-up of a day missed by a restart. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { isDayArchived } from "../../src/app/day-archive.js";
import { archiveMissedDay, dayArchiver } from "../../src/app/day-archiver.js";
import { TradingCalendar } from "../../src/domain/calendar.js";
import type { IsoDate } from "../../src/domain/ist.js";
import { istEpochMs, parseHhmm } from "../../src/domain/ist.js";
import type { DayArchiver } from "../../src/ports/archive.js";
import { ManualClock } from "../../src/ports/clock.js";
import { HandTimers } from "../support/hand-timers.js";
import { configIn, DAY, master, scriptedKite } from "./archive-fixtures.js";

/** A service started at `hhmm` IST of `date`, with the real archiver over a scripted Kite. */
function startedAt(hhmm: string, date: IsoDate = DAY, config = configIn()) {
  const clock = new ManualClock(istEpochMs(date, parseHhmm(hhmm)));
  const timers = new HandTimers(clock);
  const { kite, requests } = scriptedKite();
  const notes: string[] = [];
  const notify = (level: string, message: string) => void notes.push(`${level}: ${message}`);
  const archiver = dayArchiver({ kite, config, notify, log: () => {} }) as DayArchiver;
  let mastersLoaded = 0;
  const catchUp = () =>
    archiveMissedDay({
      archiver,
      config,
      calendar: new TradingCalendar(config.market.holidays),
      clock,
      setTimer: timers.setTimer,
      loadMaster: async () => {
        mastersLoaded++;
        return master;
      },
      notify,
    });
  return { clock, timers, requests, notes, config, catchUp, archiver, masters: () => mastersLoaded };
}

test("archiveMissedDay started after the summary on a trading day not archived → archives it; started again → asks Kite nothing", async () => {
  const s = startedAt("18:40");
  const first = s.catchUp();
  assert.equal(s.timers.fireDue(), 1, "due at once");
  await first.done;
  assert.ok(isDayArchived(s.config.data.archive_dir, DAY));
  assert.ok(s.requests.length > 0);
  assert.match(s.notes.join("\n"), /^info: /m);

  const fetched = s.requests.length;
  const again = s.catchUp();
  assert.equal(s.timers.fireDue(), 0, "a day archived arms nothing");
  await again.done;
  assert.equal(s.requests.length, fetched);
  assert.equal(s.masters(), 1);
});

test("archiveMissedDay started before the summary → archives at the summary time (15:35), not before", async () => {
  const s = startedAt("15:20");
  const run = s.catchUp();
  assert.equal(s.timers.fireDue(), 0);
  s.clock.set(istEpochMs(DAY, parseHhmm("15:34")));
  assert.equal(s.timers.fireDue(), 0);
  assert.equal(s.requests.length, 0);
  s.clock.set(istEpochMs(DAY, parseHhmm("15:35")));
  assert.equal(s.timers.fireDue(), 1);
  await run.done;
  assert.ok(isDayArchived(s.config.data.archive_dir, DAY));
});

test("archiveMissedDay on a weekend → nothing armed, nothing fetched; cancelled before its time → never runs", async () => {
  const weekend = startedAt("18:00", "2025-09-06");
  const r = weekend.catchUp();
  assert.equal(weekend.timers.fireDue(), 0);
  await r.done;
  assert.equal(weekend.requests.length, 0);

  const s = startedAt("10:00");
  const run = s.catchUp();
  run.cancel();
  await run.done;
  s.clock.set(istEpochMs(DAY, parseHhmm("16:00")));
  assert.equal(s.timers.fireDue(), 0);
  assert.equal(s.requests.length, 0);
});

test("dayArchiver asked for a day while its archive runs → joins that run: each file is fetched once", async () => {
  const s = startedAt("15:35");
  await Promise.all([s.archiver(DAY, master, () => false), s.archiver(DAY, master, () => false)]);
  const files = s.requests.map((r) => `${r.token} ${r.interval}`);
  assert.equal(new Set(files).size, files.length);
  assert.equal(s.notes.filter((n) => n.startsWith("info: ")).length, 1);
});
