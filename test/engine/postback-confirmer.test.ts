import assert from "node:assert/strict";
import { after, test } from "node:test";
import { PostbackBodiesRepository } from "../../src/adapters/sqlite/postback-bodies-repo.js";
import { Store } from "../../src/adapters/sqlite/store.js";
import {
  COALESCE_MS,
  MAX_ORDERS_WAITING,
  PostbackConfirmer,
  READS_PER_CLAIM,
  READS_PER_SECOND,
} from "../../src/engine/postback-confirmer.js";
import type { BrokerResult, OrderUpdate } from "../../src/ports/broker.js";
import { ManualClock } from "../../src/ports/clock.js";
import { manualSchedule } from "../support/manual-schedule.js";

const T0 = Date.parse("2025-09-05T04:00:00Z");
const ORDER = "250905000000777";

/** An order state as the broker reports it (fields overridable). */
function state(fields: Partial<OrderUpdate> = {}): OrderUpdate {
  return {
    orderId: ORDER,
    tag: "E20250905001",
    tradingsymbol: "SENSEX2591180500CE",
    side: "BUY",
    type: "LIMIT",
    status: "OPEN",
    statusMessage: null,
    quantity: 20,
    filledQuantity: 0,
    pendingQuantity: 20,
    averagePrice: 0,
    price: 100.5,
    triggerPrice: 0,
    orderTimestamp: "2025-09-05 09:30:01",
    source: "poll",
    raw: "{}",
    ...fields,
  };
}

const COMPLETE = state({ status: "COMPLETE", filledQuantity: 20, pendingQuantity: 0, averagePrice: 100.2 });

/** A confirmer over an in-memory store, a scripted order history, and what it told. */
function setUp(history: (orderId: string, read: number) => BrokerResult<OrderUpdate[]>) {
  const clock = new ManualClock(T0);
  const store = Store.open(":memory:", { clock });
  after(() => store.close());
  const bodies = new PostbackBodiesRepository(store.db, clock);
  const time = manualSchedule();
  const reads: Array<{ orderId: string; at: number }> = [];
  const applied: OrderUpdate[] = [];
  const alerts: string[] = [];
  let overflows = 0;
  const confirmer = new PostbackConfirmer({
    history: {
      orderHistory: async (orderId) => {
        reads.push({ orderId, at: time.now() });
        return history(orderId, reads.filter((r) => r.orderId === orderId).length);
      },
    },
    claims: bodies,
    orders: { onOrderUpdate: (u) => void applied.push(u) },
    onUnconfirmed: (claim, reason) => alerts.push(`${claim.orderId} ${claim.status}: ${reason}`),
    onOverflow: () => overflows++,
    now: time.now,
    schedule: time.schedule,
  });
  let bodiesMade = 0;
  /** Stores a postback's claim as the sink does, and tells the confirmer. */
  const claim = (fields: Partial<OrderUpdate>, raw = JSON.stringify({ ...fields, n: ++bodiesMade })) => {
    const u = { ...state(fields), source: "postback" as const, raw };
    const [r] = bodies.recordArrivals([u]);
    if (r?.isNewBody) confirmer.enqueue(u.orderId);
    return r;
  };
  return { store, bodies, time, reads, applied, alerts, confirmer, claim, overflows: () => overflows };
}

test("PostbackConfirmer: a claim the order history shows → CONFIRMED, the broker's state applied once, as a postback", async () => {
  const t = setUp(() => ({ ok: true, value: [state(), COMPLETE] }));
  const raw = '{"order_id":"250905000000777","status":"COMPLETE"}';
  t.claim({ status: "COMPLETE", filledQuantity: 20, pendingQuantity: 0, averagePrice: 100.2 }, raw);
  assert.equal(t.reads.length, 0, "not on the request path");
  await t.time.advance(COALESCE_MS);
  assert.equal(t.reads.length, 1);
  assert.deepEqual(
    t.applied.map((u) => [u.orderId, u.status, u.filledQuantity, u.averagePrice, u.source, u.raw]),
    [[ORDER, "COMPLETE", 20, 100.2, "postback", raw]],
  );
  assert.equal(t.bodies.byOrder(ORDER)[0]?.verdict, "CONFIRMED");
  await t.time.advance(10_000);
  assert.equal(t.reads.length, 1, "nothing more to ask");
  assert.deepEqual(t.alerts, []);
});

test("PostbackConfirmer: a doctored claim (a fill the order never had) → read 3 times, UNCONFIRMED, alerted, never applied", async () => {
  // The order is open and unfilled at the broker; the replayed body claims it filled at 50.
  const t = setUp(() => ({ ok: true, value: [state()] }));
  t.claim({ status: "COMPLETE", filledQuantity: 20, pendingQuantity: 0, averagePrice: 50 });
  await t.time.advance(10_000);
  assert.equal(t.reads.length, READS_PER_CLAIM);
  assert.ok(t.reads[2] && t.reads[1] && t.reads[2].at - t.reads[1].at >= 1_000, "reads a second apart");
  assert.deepEqual(t.applied, []);
  const [stored] = t.bodies.byOrder(ORDER);
  assert.equal(stored?.verdict, "UNCONFIRMED");
  assert.match(
    String(stored?.verdictReason),
    /never showed COMPLETE with 20 of 20 filled at 50 \(latest: OPEN/,
  );
  assert.equal(t.alerts.length, 1);
  assert.match(t.alerts[0] ?? "", /^250905000000777 COMPLETE: the order history never showed/);
});

test("PostbackConfirmer: a true status with a doctored average price → UNCONFIRMED, not applied", async () => {
  const t = setUp(() => ({ ok: true, value: [state(), COMPLETE] }));
  t.claim({ status: "COMPLETE", filledQuantity: 20, pendingQuantity: 0, averagePrice: 1.05 });
  await t.time.advance(10_000);
  assert.deepEqual(t.applied, []);
  assert.equal(t.bodies.byOrder(ORDER)[0]?.verdict, "UNCONFIRMED");
});

test("PostbackConfirmer: the history trailing the postback by a moment → confirmed at a later read", async () => {
  const t = setUp((_id, read) => ({ ok: true, value: read < 2 ? [state()] : [state(), COMPLETE] }));
  t.claim({ status: "COMPLETE", filledQuantity: 20, pendingQuantity: 0, averagePrice: 100.2 });
  await t.time.advance(10_000);
  assert.equal(t.reads.length, 2);
  assert.equal(t.applied.length, 1);
  assert.equal(t.bodies.byOrder(ORDER)[0]?.verdict, "CONFIRMED");
  assert.deepEqual(t.alerts, []);
});

test("PostbackConfirmer: an order history that cannot be read → UNCONFIRMED with the reason, never applied", async () => {
  const t = setUp(() => ({ ok: false, error: { kind: "network", message: "ETIMEDOUT" } }));
  t.claim({ status: "COMPLETE", filledQuantity: 20, pendingQuantity: 0, averagePrice: 100.2 });
  await t.time.advance(10_000);
  assert.equal(t.reads.length, READS_PER_CLAIM);
  assert.deepEqual(t.applied, []);
  assert.match(t.alerts[0] ?? "", /could not be read: ETIMEDOUT/);
});

test("PostbackConfirmer: a burst of claims of one order → one read confirms them all, in their order", async () => {
  const partial = state({ filledQuantity: 10, pendingQuantity: 10, averagePrice: 100.1 });
  const t = setUp(() => ({ ok: true, value: [state(), partial, COMPLETE] }));
  t.claim({ status: "OPEN" });
  t.claim({ status: "OPEN", filledQuantity: 10, pendingQuantity: 10, averagePrice: 100.1 });
  t.claim({ status: "COMPLETE", filledQuantity: 20, pendingQuantity: 0, averagePrice: 100.2 });
  await t.time.advance(5_000);
  assert.equal(t.reads.length, 1);
  assert.deepEqual(
    t.applied.map((u) => u.filledQuantity),
    [0, 10, 20],
  );
});

test(`PostbackConfirmer: claims of 12 orders at once → read one by one, at most ${READS_PER_SECOND} reads a second`, async () => {
  const t = setUp((orderId) => ({ ok: true, value: [state({ orderId })] }));
  for (let i = 0; i < 12; i++) t.claim({ orderId: `ORD${i}` });
  await t.time.advance(60_000);
  assert.equal(t.reads.length, 12);
  assert.equal(t.applied.length, 12);
  for (let i = READS_PER_SECOND; i < t.reads.length; i++) {
    const span = (t.reads[i]?.at ?? 0) - (t.reads[i - READS_PER_SECOND]?.at ?? 0);
    assert.ok(span >= 1_000 - 1, `reads ${i - READS_PER_SECOND}..${i} within ${span} ms`);
  }
});

test("PostbackConfirmer: claims left waiting by a restart → asked about again at start (resume)", async () => {
  const first = setUp(() => ({ ok: true, value: [COMPLETE] }));
  first.claim({ status: "COMPLETE", filledQuantity: 20, pendingQuantity: 0, averagePrice: 100.2 });
  await first.confirmer.stop(); // the service stops before the read
  await first.time.advance(10_000);
  assert.equal(first.reads.length, 0);
  assert.equal(first.bodies.byOrder(ORDER)[0]?.verdict, "PENDING");

  const applied: OrderUpdate[] = [];
  const time = manualSchedule();
  const again = new PostbackConfirmer({
    history: { orderHistory: async () => ({ ok: true, value: [COMPLETE] }) },
    claims: first.bodies,
    orders: { onOrderUpdate: (u) => void applied.push(u) },
    onUnconfirmed: () => {},
    now: time.now,
    schedule: time.schedule,
  });
  again.resume();
  await time.advance(5_000);
  assert.equal(applied.length, 1);
  assert.equal(first.bodies.byOrder(ORDER)[0]?.verdict, "CONFIRMED");
});

test("PostbackConfirmer: more orders waiting than the queue holds → the rest wait in the database, none lost, told once", async () => {
  const t = setUp((orderId) => ({ ok: true, value: [state({ orderId })] }));
  const orders = MAX_ORDERS_WAITING + 20;
  for (let i = 0; i < orders; i++) t.claim({ orderId: `ORD${i}` });
  assert.equal(t.confirmer.backlog, MAX_ORDERS_WAITING);
  assert.equal(t.overflows(), 1);
  await t.time.advance(((orders + 10) * 1000) / READS_PER_SECOND);
  assert.equal(t.applied.length, orders);
  assert.equal(t.confirmer.backlog, 0);
});
