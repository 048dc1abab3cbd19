import assert from "node:assert/strict";
import { test } from "node:test";
import { memoryStore, REQUEST, update } from "./fixtures.js";

const KITE_ID = "250904000000123";

test("orders insertNew → NEW with the request's fields, found by tag and local id", () => {
  const { store } = memoryStore();
  const order = store.orders.insertNew(REQUEST, { purpose: "ENTRY", tradeId: "20250904_001" });
  assert.equal(order.status, "NEW");
  assert.equal(order.kiteOrderId, null);
  assert.equal(order.quantity, 20);
  assert.equal(order.marketProtection, -1);
  assert.deepEqual(store.orders.byTag(REQUEST.tag), order);
  assert.deepEqual(store.orders.byLocalId(order.localId), order);
  assert.deepEqual(store.orders.byTrade("20250904_001"), [order]);
  assert.deepEqual(store.orders.live(), [order]);
});

test("orders insertNew with a used tag → refused (a tag is never reused)", () => {
  const { store } = memoryStore();
  store.orders.insertNew(REQUEST, { purpose: "ENTRY" });
  assert.throws(() => store.orders.insertNew(REQUEST, { purpose: "EXIT" }), /UNIQUE/);
});

test("recordOrderUpdate of the same fill by socket then postback → one change, one event, two arrivals", () => {
  const { store, clock } = memoryStore();
  const order = store.orders.insertNew(REQUEST, { purpose: "ENTRY" });
  store.linkKiteOrderId(order.localId, KITE_ID);
  const fill = { status: "COMPLETE" as const, filledQuantity: 20, pendingQuantity: 0, averagePrice: 121.4 };
  const first = store.recordOrderUpdate(update({ ...fill, source: "socket" }));
  clock.advance(300);
  const second = store.recordOrderUpdate(update({ ...fill, source: "postback", raw: "{postback}" }));
  assert.equal(first.changed, true);
  assert.equal(first.isNewEvent, true);
  assert.equal(second.changed, false);
  assert.equal(second.isNewEvent, false);
  assert.equal(second.order?.status, "COMPLETE");
  assert.equal(second.order?.averagePrice, 121.4);
  const events = store.orderEvents.byKiteOrderId(KITE_ID);
  assert.equal(events.length, 1);
  assert.deepEqual(
    store.orderEvents.arrivalsOf(events[0]?.id ?? -1).map((a) => a.source),
    ["socket", "postback"],
  );
});

test("recordOrderUpdate of OPEN after COMPLETE → status stays COMPLETE", () => {
  const { store } = memoryStore();
  const order = store.orders.insertNew(REQUEST, { purpose: "ENTRY" });
  store.linkKiteOrderId(order.localId, KITE_ID);
  store.recordOrderUpdate(
    update({ status: "COMPLETE", filledQuantity: 20, pendingQuantity: 0, averagePrice: 121.4 }),
  );
  const late = store.recordOrderUpdate(update({ status: "OPEN", source: "poll" }));
  assert.equal(late.changed, false);
  assert.equal(late.isNewEvent, true);
  const stored = store.orders.byLocalId(order.localId);
  assert.equal(stored?.status, "COMPLETE");
  assert.equal(stored?.filledQuantity, 20);
  assert.deepEqual(store.orders.live(), []);
});

test("recordOrderUpdate of a smaller fill after a larger one → the larger fill is kept", () => {
  const { store } = memoryStore();
  const order = store.orders.insertNew(REQUEST, { purpose: "ENTRY" });
  store.linkKiteOrderId(order.localId, KITE_ID);
  store.recordOrderUpdate(update({ filledQuantity: 15, pendingQuantity: 5, averagePrice: 121 }));
  assert.equal(
    store.recordOrderUpdate(update({ filledQuantity: 10, pendingQuantity: 10, averagePrice: 120.9 })).changed,
    false,
  );
  assert.equal(store.orders.byLocalId(order.localId)?.filledQuantity, 15);
});

test("recordOrderUpdate of a modification (same status, new trigger) → applied; an older one is not", () => {
  const { store } = memoryStore();
  const sl = store.orders.insertNew(
    { ...REQUEST, side: "SELL", type: "SL-M", triggerPrice: 98.4, tag: "S20250904001" },
    { purpose: "STOP_LOSS" },
  );
  const base = {
    tag: "S20250904001",
    side: "SELL" as const,
    type: "SL-M" as const,
    status: "TRIGGER PENDING" as const,
  };
  store.recordOrderUpdate(
    update({ ...base, orderId: "SL1", triggerPrice: 98.4, orderTimestamp: "2025-09-04 09:18:05" }),
  );
  const moved = store.recordOrderUpdate(
    update({ ...base, orderId: "SL1", triggerPrice: 110, orderTimestamp: "2025-09-04 09:30:00" }),
  );
  assert.equal(moved.changed, true);
  const stale = store.recordOrderUpdate(
    update({
      ...base,
      orderId: "SL1",
      triggerPrice: 98.4,
      orderTimestamp: "2025-09-04 09:18:05",
      source: "postback",
    }),
  );
  assert.equal(stale.changed, false);
  assert.equal(store.orders.byLocalId(sl.localId)?.triggerPrice, 110);
});

test("recordOrderUpdate before the placement's answer → matched by tag, kite id linked", () => {
  const { store } = memoryStore();
  const order = store.orders.insertNew(REQUEST, { purpose: "ENTRY" });
  const r = store.recordOrderUpdate(update({ status: "OPEN" }));
  assert.equal(r.changed, true);
  assert.equal(r.order?.kiteOrderId, KITE_ID);
  assert.equal(store.orders.byKiteId(KITE_ID)?.localId, order.localId);
  assert.equal(store.linkKiteOrderId(order.localId, KITE_ID), false);
  assert.equal(store.orders.byLocalId(order.localId)?.status, "OPEN");
});

test("linkKiteOrderId after an untagged update arrived → the stored update is applied", () => {
  const { store } = memoryStore();
  const order = store.orders.insertNew(REQUEST, { purpose: "ENTRY" });
  const early = store.recordOrderUpdate(
    update({ tag: null, status: "COMPLETE", filledQuantity: 20, pendingQuantity: 0, averagePrice: 121.5 }),
  );
  assert.equal(early.order, null);
  assert.equal(store.linkKiteOrderId(order.localId, KITE_ID), true);
  const stored = store.orders.byLocalId(order.localId);
  assert.equal(stored?.status, "COMPLETE");
  assert.equal(stored?.averagePrice, 121.5);
});

test("orders markFailed then an update from Kite → the update wins (the order did reach Kite)", () => {
  const { store } = memoryStore();
  const order = store.orders.insertNew(REQUEST, { purpose: "ENTRY" });
  assert.equal(store.orders.markFailed(order.localId, "timeout"), true);
  assert.equal(store.orders.byLocalId(order.localId)?.status, "FAILED");
  assert.equal(store.recordOrderUpdate(update({ status: "OPEN" })).changed, true);
  assert.equal(store.orders.byLocalId(order.localId)?.status, "OPEN");
});

test("orderEvents repeated poll of a known update → no new arrival row; a new poll update → one", () => {
  const { store } = memoryStore();
  assert.equal(store.orderEvents.insertIfNew(update({ source: "poll" })), true);
  assert.equal(store.orderEvents.insertIfNew(update({ source: "poll" })), false);
  const [event] = store.orderEvents.byKiteOrderId(KITE_ID);
  assert.equal(store.orderEvents.arrivalsOf(event?.id ?? -1).length, 1);
});

test("recordOrderUpdate of OPEN arriving after CANCELLED (both unfilled) → stays CANCELLED", () => {
  const { store } = memoryStore();
  const order = store.orders.insertNew(REQUEST, { purpose: "ENTRY" });
  store.recordOrderUpdate(update({ status: "CANCELLED", pendingQuantity: 0, source: "postback" }));
  assert.equal(store.recordOrderUpdate(update({ status: "OPEN", source: "socket" })).changed, false);
  assert.equal(store.orders.byLocalId(order.localId)?.status, "CANCELLED");
});
