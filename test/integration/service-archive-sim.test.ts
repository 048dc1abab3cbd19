/** The service's after-close archive, in-process against the simulator (2025-09-05). */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { archivedDayCount } from "../../src/app/day-archive.js";
import { loadCandleDirectory } from "../../src/backtest/candle-directory.js";
import { DATE, dataCandles, ServiceDay, viewOf } from "./service-harness.js";

const root = mkdtempSync(join(tmpdir(), "pivot-service-archive-"));
after(() => rmSync(root, { recursive: true, force: true }));

test("the service after the day's summary → the day archived (index and chain, 1- and 3-minute), counted in /status, told", async () => {
  const archive = join(root, "archive");
  const day = await ServiceDay.start({ root, name: "archive", archiveDir: archive });
  try {
    await day.runTo("15:00");
    assert.equal(viewOf(day).status().archiveDays, 0);
    await day.runTo("end");
    await day.service.idle();
    assert.equal(viewOf(day).status().archiveDays, 1);
    const notes = day.notes.join("\n");
    assert.match(notes, /2025-09-05 summary:/);
    assert.match(
      notes,
      /info: 2025-09-05 archived in .*: \d+ file\(s\) written; strikes \d+-\d+, expiry 2025-09-11/,
    );
    // The archive comes after the summary.
    assert.ok(notes.indexOf("archived in") > notes.indexOf("2025-09-05 summary:"));
    assert.equal(archivedDayCount(archive), 1);
    const three = loadCandleDirectory(join(archive, "candles-3minute"), () => {});
    // The index of the whole session, and each contract the simulator replays, as it replayed them.
    assert.equal(three.byDay.get(DATE)?.get("SENSEX")?.length, 125);
    const replayed = readdirSync(join(archive, "candles-1minute")).filter((n) => /\d{5}(CE|PE)_/.test(n));
    assert.equal(replayed.length, 20, replayed.join(", "));
    for (const name of replayed) {
      const symbol = name.replace(`_${DATE}.csv`, "");
      assert.deepEqual(three.byDay.get(DATE)?.get(symbol)?.toCandles(), dataCandles(symbol), symbol);
    }
    assert.deepEqual(day.thrown, []);
  } finally {
    await day.stop();
  }
});

test("the service's archive failing (the archive folder is a file) → a warning, nothing thrown", async () => {
  const blocked = join(root, "blocked");
  writeFileSync(blocked, "not a folder");
  const day = await ServiceDay.start({ root, name: "archive-fails", archiveDir: blocked });
  try {
    await day.runTo("end");
    await day.service.idle();
    const notes = day.notes.join("\n");
    assert.match(
      notes,
      /warning: 2025-09-05: the day's archive is incomplete: archiving 2025-09-05 in .*blocked failed: ENOTDIR/,
    );
    assert.deepEqual(day.thrown, []);
  } finally {
    await day.stop();
  }
});
