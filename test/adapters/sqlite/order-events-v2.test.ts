import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { openDatabase, schemaVersionOf } from "../../../src/adapters/sqlite/database.js";
import { MIGRATIONS } from "../../../src/adapters/sqlite/migrations.js";
import { Store } from "../../../src/adapters/sqlite/store.js";
import { ManualClock } from "../../../src/ports/clock.js";
import { memoryStore, REQUEST, T0, tempDir, update } from "./fixtures.js";

const KITE_ID = "250904000000123";
const columnsOf = (store: Store, table: string) =>
  (store.db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as { name: string }[]).map(
    (c) => c.name,
  );

test("a v1 database → upgraded to v2: order_events loses raw, its events keep their raw through the arrivals", () => {
  const path = join(tempDir(), "trading.db");
  const clock = new ManualClock(T0);
  const v1 = MIGRATIONS.filter((m) => m.version === 1);
  const old = openDatabase(path, { clock, migrations: v1 });
  assert.equal(schemaVersionOf(old.db), 1);
  // What a v1 build wrote: the raw text in both tables.
  old.db
    .prepare(
      `INSERT INTO order_events (kite_order_id, tag, status, filled_quantity, pending_quantity, quantity, price,
         trigger_price, average_price, status_message, order_timestamp, source, raw, received_at_ms)
       VALUES (?, 'E20250904001', 'COMPLETE', 20, 0, 20, 121.5, 0, 121.4, NULL, '2025-09-04 09:18:01', 'socket', ?, ?)`,
    )
    .run(KITE_ID, '{"first":1}', T0);
  old.db
    .prepare("INSERT INTO order_event_arrivals (event_id, source, raw, received_at_ms) VALUES (1, ?, ?, ?)")
    .run("socket", '{"first":1}', T0);
  old.db
    .prepare("INSERT INTO order_event_arrivals (event_id, source, raw, received_at_ms) VALUES (1, ?, ?, ?)")
    .run("postback", '{"second":2}', T0 + 5);
  old.db.close();

  const store = Store.open(path, { clock });
  try {
    assert.ok(schemaVersionOf(store.db) >= 2, "migrated past v2");
    assert.equal(columnsOf(store, "order_events").includes("raw"), false);
    assert.equal(columnsOf(store, "order_event_arrivals").includes("raw"), true);
    const [event] = store.orderEvents.byKiteOrderId(KITE_ID);
    assert.equal(event?.raw, '{"first":1}');
    assert.equal(event?.status, "COMPLETE");
    assert.equal(event?.averagePrice, 121.4);
    assert.deepEqual(
      store.orderEvents.arrivalsOf(event?.id ?? -1).map((a) => a.source),
      ["socket", "postback"],
    );
    // New updates still record and are found with their raw.
    const order = store.orders.insertNew(REQUEST, { purpose: "ENTRY" });
    store.linkKiteOrderId(order.localId, KITE_ID);
    const r = store.recordOrderUpdate(update({ status: "OPEN", raw: '{"open":1}', source: "postback" }));
    assert.equal(r.isNewEvent, true);
    assert.equal(store.orderEvents.byKiteOrderId(KITE_ID)[1]?.raw, '{"open":1}');
  } finally {
    store.close();
  }
});

test("recordOrderUpdate of a new update → the raw text stored once, in its arrival", () => {
  const { store } = memoryStore();
  store.recordOrderUpdate(update({ status: "OPEN", raw: '{"unique-raw":1}', source: "postback" }));
  const copies = store.db
    .prepare("SELECT COUNT(*) AS n FROM order_event_arrivals WHERE raw = ?")
    .get('{"unique-raw":1}') as { n: number };
  assert.equal(copies.n, 1);
  assert.equal(store.orderEvents.byKiteOrderId(KITE_ID)[0]?.raw, '{"unique-raw":1}');
});

test("recordOrderUpdates of several updates → one transaction, each result in order, all or none", () => {
  const { store } = memoryStore();
  const order = store.orders.insertNew(REQUEST, { purpose: "ENTRY" });
  store.linkKiteOrderId(order.localId, KITE_ID);
  const open = update({ status: "OPEN", source: "postback" });
  const fill = update({ status: "COMPLETE", filledQuantity: 20, pendingQuantity: 0, averagePrice: 121.4 });
  const again = update({ status: "COMPLETE", filledQuantity: 20, pendingQuantity: 0, averagePrice: 121.4 });
  const results = store.recordOrderUpdates([open, fill, again]);
  assert.deepEqual(
    results.map((r) => [r.isNewEvent, r.changed]),
    [
      [true, true],
      [true, true],
      [false, false],
    ],
  );
  assert.equal(store.orders.byLocalId(order.localId)?.status, "COMPLETE");
  // A CHECK violation in the middle of a batch → nothing of it is kept.
  const before = store.orderEvents.byKiteOrderId(KITE_ID).length;
  const bad = update({ status: "OPEN", filledQuantity: -1, price: 130 });
  const fine = update({ status: "OPEN", price: 131 });
  assert.throws(() => store.recordOrderUpdates([fine, bad]), /CHECK/);
  assert.equal(store.orderEvents.byKiteOrderId(KITE_ID).length, before);
});

test("recordOrderUpdate of an update object recorded by recordOrderUpdates → its result, once, nothing written again", () => {
  const { store } = memoryStore();
  const order = store.orders.insertNew(REQUEST, { purpose: "ENTRY" });
  store.linkKiteOrderId(order.localId, KITE_ID);
  const fill = update({ status: "COMPLETE", filledQuantity: 20, pendingQuantity: 0, source: "postback" });
  const [batched] = store.recordOrderUpdates([fill]);
  const handedOver = store.recordOrderUpdate(fill);
  assert.deepEqual(handedOver, batched);
  assert.equal(handedOver.changed, true);
  const [event] = store.orderEvents.byKiteOrderId(KITE_ID);
  assert.equal(store.orderEvents.arrivalsOf(event?.id ?? -1).length, 1);
  // Only once: the same object again is a real (duplicate) arrival.
  const later = store.recordOrderUpdate(fill);
  assert.equal(later.isNewEvent, false);
  assert.equal(later.changed, false);
  assert.equal(store.orderEvents.arrivalsOf(event?.id ?? -1).length, 2);
});
