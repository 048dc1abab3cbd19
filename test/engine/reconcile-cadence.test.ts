import assert from "node:assert/strict";
import { test } from "node:test";
import type { Store } from "../../src/adapters/sqlite/store.js";
import { ReconcileCadence } from "../../src/engine/reconcile-cadence.js";

function harness(open: { positions: number; orders: number }) {
  let reconciles = 0;
  const store = {
    positions: { open: () => new Array(open.positions).fill({}) },
    orders: { live: () => new Array(open.orders).fill({}) },
  } as unknown as Pick<Store, "positions" | "orders">;
  const cadence = new ReconcileCadence({ store, everyMs: 30_000, reconcile: () => reconciles++ });
  return { cadence, open, count: () => reconciles };
}

test("ReconcileCadence with nothing open at the broker → no reconciliation", () => {
  const h = harness({ positions: 0, orders: 0 });
  h.cadence.whenDue(0);
  h.cadence.whenDue(60_000);
  assert.equal(h.count(), 0);
});

test("ReconcileCadence with a position open → once at the first poll, then once every 30 s", () => {
  const h = harness({ positions: 1, orders: 0 });
  for (let t = 0; t <= 60_000; t += 1_000) h.cadence.whenDue(t);
  assert.equal(h.count(), 3); // at 0, 30 s and 60 s
});

test("ReconcileCadence with only a live order → reconciles too", () => {
  const h = harness({ positions: 0, orders: 1 });
  h.cadence.whenDue(5_000);
  assert.equal(h.count(), 1);
});
