import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { Store } from "../../../src/adapters/sqlite/store.js";
import {
  startWalCheckpointer,
  startWalCheckpointerWhenBusy,
} from "../../../src/adapters/sqlite/wal-checkpointer.js";
import { ManualClock } from "../../../src/ports/clock.js";
import { T0, tempDir, update } from "./fixtures.js";

const autocheckpoint = (store: Store) => Number(store.db.pragma("wal_autocheckpoint", { simple: true }));

test("startWalCheckpointer → the main connection stops checkpointing, the worker copies committed pages into the file; stop → back to automatic", async () => {
  const path = join(tempDir(), "trading.db");
  const store = Store.open(path, { clock: new ManualClock(T0) });
  try {
    const checkpoints: Array<{ walFrames: number; checkpointed: number }> = [];
    let copied: () => void = () => {};
    const someCopied = new Promise<void>((resolve) => {
      copied = resolve;
    });
    const checkpointer = startWalCheckpointer(store.db, path, {
      intervalMs: 5,
      onCheckpoint: (r) => {
        checkpoints.push(r);
        if (r.checkpointed > 0) copied();
      },
      onError: (e) => assert.fail(e),
    });
    assert.equal(autocheckpoint(store), 0);
    for (let i = 0; i < 50; i++)
      store.recordOrderUpdates([update({ orderId: `25090400000${1000 + i}`, raw: "x".repeat(2000) })]);
    await someCopied;
    await checkpointer.stop();
    assert.equal(autocheckpoint(store), 1000);
    assert.ok(checkpoints.some((c) => c.walFrames > 0 && c.checkpointed > 0));
    // Nothing was lost on the way: every update is there, through the main connection.
    const rows = store.db.prepare("SELECT COUNT(*) AS n FROM order_events").get() as { n: number };
    assert.equal(rows.n, 50);
  } finally {
    store.close();
  }
});

test("startWalCheckpointer whose worker cannot open the file → the error reported once, automatic checkpoints back on", async () => {
  const path = join(tempDir(), "trading.db");
  const store = Store.open(path, { clock: new ManualClock(T0) });
  try {
    const errors: string[] = [];
    let reported: () => void = () => {};
    const failed = new Promise<void>((resolve) => {
      reported = resolve;
    });
    const checkpointer = startWalCheckpointer(store.db, join(tempDir(), "missing.db"), {
      onError: (e) => {
        errors.push(e.message);
        reported();
      },
    });
    await failed;
    await checkpointer.stop();
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? "", /missing\.db|does not exist|unable to open/i);
    assert.equal(autocheckpoint(store), 1000);
  } finally {
    store.close();
  }
});

test("startWalCheckpointerWhenBusy → no thread while the WAL is small; started once it passes the threshold", async () => {
  const path = join(tempDir(), "trading.db");
  const store = Store.open(path, { clock: new ManualClock(T0) });
  let wal = 1_000;
  const checkpointer = startWalCheckpointerWhenBusy(store.db, path, {
    thresholdBytes: 1_000_000,
    everyMs: 5,
    walSize: () => wal,
    onError: (e) => assert.fail(e),
  });
  try {
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(checkpointer.started, false);
    assert.equal(autocheckpoint(store), 1000, "SQLite's own checkpoints meanwhile");
    wal = 2_000_000;
    for (let i = 0; i < 100 && !checkpointer.started; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(checkpointer.started, true);
    assert.equal(autocheckpoint(store), 0, "the thread checkpoints now");
  } finally {
    await checkpointer.stop();
    assert.equal(autocheckpoint(store), 1000);
    store.close();
  }
});
