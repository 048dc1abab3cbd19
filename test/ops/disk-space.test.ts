import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type DiskReading,
  DiskSpaceWatcher,
  describeDisk,
  diskLevel,
  readDisk,
  type StatFs,
} from "../../src/ops/disk-space.js";
import { ManualClock } from "../../src/ports/clock.js";
import { HandTimers } from "../support/hand-timers.js";

const GB = 1024 ** 3;
/** A disk of `totalGb` with `freeGb` free, in 4 KB blocks. */
const disk = (totalGb: number, freeGb: number) => ({
  bsize: 4096,
  blocks: (totalGb * GB) / 4096,
  bavail: (freeGb * GB) / 4096,
});

test("diskLevel → ok, warning under 15 % or 1 GB, critical when nearly full", async () => {
  const level = async (total: number, free: number) =>
    diskLevel(await readDisk("/x", async () => disk(total, free)));
  assert.equal(await level(100, 50), "ok");
  assert.equal(await level(100, 14), "warning"); // 14 %
  assert.equal(await level(5, 0.9), "warning"); // 18 % but under 1 GB
  assert.equal(await level(100, 2), "critical"); // 2 %
  assert.equal(await level(7.6, 0.1), "critical"); // 100 MB
  assert.equal(describeDisk(await readDisk("/x", async () => disk(8, 2))), "2.0 GB free of 8.0 GB (25 %)");
});

test("DiskSpaceWatcher → one warning per crossing, one recovery, however often it checks", async () => {
  let free = 50;
  const statfs: StatFs = async () => disk(100, free);
  const low: Array<[number, string]> = [];
  const recovered: DiskReading[] = [];
  const w = new DiskSpaceWatcher({
    paths: ["/data"],
    statfs,
    onLow: (r, level) => low.push([Math.round(r.freePct), level]),
    onRecovered: (r) => recovered.push(r),
  });
  assert.equal(await w.check(), "ok");
  free = 10;
  await w.check();
  await w.check();
  assert.deepEqual(low, [[10, "warning"]]);
  free = 1;
  await w.check();
  await w.check();
  assert.deepEqual(low, [
    [10, "warning"],
    [1, "critical"],
  ]);
  free = 40;
  await w.check();
  assert.equal(recovered.length, 1);
  free = 12;
  await w.check();
  assert.deepEqual(low.at(-1), [12, "warning"]);
});

test("DiskSpaceWatcher.start → checks on the injected timer until stopped", async () => {
  const clock = new ManualClock(0);
  const timers = new HandTimers(clock);
  let reads = 0;
  const w = new DiskSpaceWatcher({
    paths: ["/data"],
    statfs: async () => {
      reads++;
      return disk(100, 50);
    },
    onLow: () => {},
  });
  const stop = w.start(timers.setTimer, 60_000);
  await new Promise((r) => setImmediate(r));
  assert.equal(reads, 1);
  clock.advance(60_000);
  timers.fireDue();
  await new Promise((r) => setImmediate(r));
  assert.equal(reads, 2);
  stop();
  clock.advance(600_000);
  assert.equal(timers.fireDue(), 0);
});

test("DiskSpaceWatcher with an unreadable folder → reported once, the others still checked", async () => {
  const errors: string[] = [];
  const w = new DiskSpaceWatcher({
    paths: ["/gone", "/data"],
    statfs: async (p) => {
      if (p === "/gone") throw Object.assign(new Error("x"), { code: "ENOENT" });
      return disk(100, 5);
    },
    onLow: () => {},
    onError: (p, m) => errors.push(`${p} ${m}`),
  });
  assert.equal(await w.check(), "warning");
  await w.check();
  assert.deepEqual(errors, ["/gone ENOENT"]);
});
