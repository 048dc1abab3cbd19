import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type BetterSqlite3 from "better-sqlite3";
import { type PostbackUpdate, verifyPostback } from "../../src/adapters/kite/postback-verify.js";
import { PaperBroker } from "../../src/adapters/paper/paper-broker.js";
import { Store } from "../../src/adapters/sqlite/store.js";
import { executionConfig } from "../../src/engine/execution-config.js";
import { OrderManager } from "../../src/engine/order-manager.js";
import { EnginePostbackSink, type PostbackRecorder } from "../../src/engine/postback-sink.js";
import type { OrderRequest, OrderUpdate } from "../../src/ports/broker.js";
import { ManualClock } from "../../src/ports/clock.js";
import type { PostbackAcceptance } from "../../src/web/contract.js";

const SECRET = "sink_test_secret";
const SYM = "SENSEX2591180500CE";
const KITE_ID = "250904000000777";
const T0 = Date.parse("2025-09-05T04:00:00Z");
const REQUEST: OrderRequest = {
  exchange: "BFO",
  tradingsymbol: SYM,
  side: "BUY",
  type: "LIMIT",
  quantity: 20,
  product: "MIS",
  price: 100.5,
  tag: "E20250905001",
};

/** A verified postback (through verifyPostback, as the route hands it over) and its raw body. */
function postback(fields: Record<string, unknown> = {}): { update: PostbackUpdate; raw: string } {
  const body: Record<string, unknown> = {
    user_id: "AB1234",
    unfilled_quantity: 0,
    order_id: KITE_ID,
    exchange_order_id: "1000000001482421",
    status: "COMPLETE",
    status_message: null,
    order_timestamp: "2025-09-05 09:30:01",
    exchange_timestamp: "2025-09-05 09:30:01",
    variety: "regular",
    exchange: "BFO",
    tradingsymbol: SYM,
    instrument_token: 12345,
    order_type: "LIMIT",
    transaction_type: "BUY",
    validity: "DAY",
    product: "MIS",
    quantity: 20,
    price: 100.5,
    trigger_price: 0,
    average_price: 100.2,
    filled_quantity: 20,
    pending_quantity: 0,
    cancelled_quantity: 0,
    tag: "E20250905001",
    ...fields,
  };
  body.checksum = createHash("sha256")
    .update(String(body.order_id) + String(body.order_timestamp) + SECRET)
    .digest("hex");
  const raw = JSON.stringify(body);
  const verified = verifyPostback(raw, SECRET);
  assert.ok(verified.ok, `the test's postback does not verify: ${raw}`);
  return { update: verified.update, raw };
}

/** A flush the test runs by hand: the group commit happens exactly when the test says. */
function manualDefer() {
  const queued: Array<() => void> = [];
  return {
    defer: (flush: () => void) => {
      queued.push(flush);
    },
    flush: () => {
      for (const f of queued.splice(0)) f();
    },
    get queued() {
      return queued.length;
    },
  };
}

/** The promise's state once every callback already due has run (microtasks and this turn's I/O). */
async function stateOf(p: Promise<unknown>): Promise<"pending" | "settled"> {
  let settled = false;
  p.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled ? "settled" : "pending";
}

/** An in-memory store with ENTRY order E20250905001 known as KITE_ID. */
function storeWithOrder() {
  const clock = new ManualClock(T0);
  const store = Store.open(":memory:", { clock });
  after(() => store.close());
  const order = store.orders.insertNew(REQUEST, { purpose: "ENTRY", tradeId: "20250905_001" });
  store.linkKiteOrderId(order.localId, KITE_ID);
  return { store, clock, order };
}

function sinkOver(recorder: PostbackRecorder) {
  const told: OrderUpdate[] = [];
  const d = manualDefer();
  const sink = new EnginePostbackSink({
    store: recorder,
    orders: { onOrderUpdate: (u) => void told.push(u) },
    defer: d.defer,
  });
  return { sink, told, d };
}

test("EnginePostbackSink: a new update of our order → applied; again → duplicate; each told to the order manager after its commit", async () => {
  const { store, order } = storeWithOrder();
  const { sink, told, d } = sinkOver(store);
  const fill = postback();
  const first = sink.accept(fill.update, fill.raw);
  assert.equal(await stateOf(first), "pending");
  assert.equal(told.length, 0);
  d.flush();
  assert.equal(await first, "applied");
  assert.equal(store.orders.byLocalId(order.localId)?.status, "COMPLETE");
  assert.equal(store.orders.byLocalId(order.localId)?.averagePrice, 100.2);
  const again = sink.accept(fill.update, fill.raw);
  d.flush();
  assert.equal(await again, "duplicate");
  assert.deepEqual(
    told.map((u) => [u.orderId, u.status, u.source]),
    [
      [KITE_ID, "COMPLETE", "postback"],
      [KITE_ID, "COMPLETE", "postback"],
    ],
  );
  const [event] = store.orderEvents.byKiteOrderId(KITE_ID);
  assert.equal(event?.raw, fill.raw);
  assert.equal(store.orderEvents.arrivalsOf(event?.id ?? -1).length, 2);
});

test("EnginePostbackSink: an update of an order not ours → ignored, still recorded (it may be ours before the placement's answer)", async () => {
  const { store } = storeWithOrder();
  const { sink, told, d } = sinkOver(store);
  const foreign = postback({ order_id: "250904000000999", tag: "HAND" });
  const p = sink.accept(foreign.update, foreign.raw);
  d.flush();
  assert.equal(await p, "ignored");
  assert.equal(store.orderEvents.byKiteOrderId("250904000000999").length, 1);
  // Told anyway: the order manager checks a sale by hand of a held symbol.
  assert.equal(told.length, 1);
});

test("EnginePostbackSink: an order type or side the engine cannot read → ignored at once, nothing recorded, nobody told", async () => {
  const { store } = storeWithOrder();
  const { sink, told, d } = sinkOver(store);
  const odd = postback({ order_id: "250904000000555", order_type: "BRACKET" });
  assert.equal(await sink.accept(odd.update, odd.raw), "ignored");
  assert.equal(d.queued, 0);
  assert.equal(store.orderEvents.byKiteOrderId("250904000000555").length, 0);
  assert.equal(told.length, 0);
});

test("EnginePostbackSink: a signed update with quantities or prices no order has → ignored at once, nothing recorded", async () => {
  const { store } = storeWithOrder();
  const { sink, told, d } = sinkOver(store);
  const nonsense: Record<string, unknown>[] = [
    { filled_quantity: -1 },
    { quantity: 20.5 },
    { status: "OPEN", filled_quantity: 0, pending_quantity: 1e308 },
    { filled_quantity: 2 ** 53 },
  ];
  for (const fields of nonsense) {
    const p = postback({ order_id: "250904000000556", ...fields });
    assert.equal(await sink.accept(p.update, p.raw), "ignored", JSON.stringify(fields));
  }
  assert.equal(d.queued, 0);
  assert.equal(store.orderEvents.byKiteOrderId("250904000000556").length, 0);
  assert.equal(told.length, 0);
});

test("EnginePostbackSink: the answer comes only once the update is committed (visible to another connection)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pivot-sink-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "trading.db");
  const store = Store.open(path, { clock: new ManualClock(T0) });
  after(() => store.close());
  const Database = createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
  const reader = new Database(path, { readonly: true });
  after(() => reader.close());
  const rows = () =>
    (
      reader.prepare("SELECT COUNT(*) AS n FROM order_events WHERE kite_order_id = ?").get(KITE_ID) as {
        n: number;
      }
    ).n;
  const { sink, d } = sinkOver(store);
  const fill = postback();
  let seenAtAnswer = -1;
  const answered = sink.accept(fill.update, fill.raw).then((outcome) => {
    seenAtAnswer = rows();
    return outcome;
  });
  assert.equal(await stateOf(answered), "pending");
  assert.equal(rows(), 0);
  d.flush();
  assert.equal(await answered, "ignored"); // no order of ours in this database
  assert.equal(seenAtAnswer, 1);
});

test("EnginePostbackSink: updates accepted in one turn → one transaction for all, no update lost, each answered", async () => {
  const { store } = storeWithOrder();
  const batches: number[] = [];
  const counting: PostbackRecorder = {
    recordOrderUpdates: (updates) => {
      batches.push(updates.length);
      return store.recordOrderUpdates(updates);
    },
  };
  const { sink, d } = sinkOver(counting);
  const updates = Array.from({ length: 50 }, (_, i) => postback({ order_id: `25090400000${1000 + i}` }));
  const answers = updates.map((p) => sink.accept(p.update, p.raw));
  assert.equal(sink.pending, 50);
  assert.equal(d.queued, 1);
  d.flush();
  assert.deepEqual(await Promise.all(answers), Array<PostbackAcceptance>(50).fill("ignored"));
  assert.deepEqual(batches, [50]);
  for (const p of updates)
    assert.equal(store.orderEvents.byKiteOrderId(p.update.order_id).length, 1, p.update.order_id);
  // The next turn is the next batch.
  const later = postback({ order_id: "250904000009999" });
  const answer = sink.accept(later.update, later.raw);
  d.flush();
  assert.equal(await answer, "ignored");
  assert.deepEqual(batches, [50, 1]);
});

test("EnginePostbackSink: a commit that fails → exactly its batch rejected, the next batch stored", async () => {
  const { store } = storeWithOrder();
  let failing = true;
  const flaky: PostbackRecorder = {
    recordOrderUpdates: (updates) => {
      if (failing) throw new Error("SQLITE_IOERR: disk I/O error");
      return store.recordOrderUpdates(updates);
    },
  };
  const { sink, told, d } = sinkOver(flaky);
  const lost = [1, 2, 3].map((i) => postback({ order_id: `25090400000200${i}` }));
  const lostAnswers = lost.map((p) =>
    sink.accept(p.update, p.raw).then(
      () => "stored",
      (e: Error) => e.message,
    ),
  );
  d.flush();
  assert.deepEqual(await Promise.all(lostAnswers), Array(3).fill("SQLITE_IOERR: disk I/O error"));
  assert.equal(told.length, 0);
  failing = false;
  const next = postback();
  const nextAnswer = sink.accept(next.update, next.raw);
  d.flush();
  assert.equal(await nextAnswer, "applied");
  assert.equal(told.length, 1);
  for (const p of lost) assert.equal(store.orderEvents.byKiteOrderId(p.update.order_id).length, 0);
});

test("EnginePostbackSink: one update the database refuses → only it rejected, the rest of its batch stored", async () => {
  const { store } = storeWithOrder();
  store.db.exec(`CREATE TRIGGER refuse_poison BEFORE INSERT ON order_events WHEN NEW.kite_order_id = 'POISON'
                 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;`);
  const { sink, told, d } = sinkOver(store);
  const good1 = postback({ order_id: "250904000003001" });
  const poison = postback({ order_id: "POISON" });
  const good2 = postback();
  const answers = [good1, poison, good2].map((p) =>
    sink.accept(p.update, p.raw).then(
      (o) => o,
      (e: Error) => `rejected: ${e.message}`,
    ),
  );
  d.flush();
  assert.deepEqual(await Promise.all(answers), ["ignored", "rejected: refused by the test", "applied"]);
  assert.equal(store.orderEvents.byKiteOrderId("250904000003001").length, 1);
  assert.equal(store.orderEvents.byKiteOrderId(KITE_ID).length, 1);
  assert.deepEqual(
    told.map((u) => u.orderId),
    ["250904000003001", KITE_ID],
  );
});

test("EnginePostbackSink: an order manager that throws → the update stays stored and applied, the error reported", async () => {
  const { store } = storeWithOrder();
  const d = manualDefer();
  const reported: string[] = [];
  const sink = new EnginePostbackSink({
    store,
    orders: {
      onOrderUpdate: () => {
        throw new Error("engine bug");
      },
    },
    defer: d.defer,
    onConsumerError: (e, u) => reported.push(`${u.orderId}: ${(e as Error).message}`),
  });
  const fill = postback();
  const answer = sink.accept(fill.update, fill.raw);
  d.flush();
  assert.equal(await answer, "applied");
  assert.deepEqual(reported, [`${KITE_ID}: engine bug`]);
});

test("EnginePostbackSink with the real OrderManager: an entry fill learned by postback → the stop placed once, the update recorded once", async () => {
  const clock = new ManualClock(T0);
  const store = Store.open(":memory:", { clock });
  after(() => store.close());
  const paper = new PaperBroker({ clock });
  let ltp = 100;
  const om = new OrderManager({
    broker: paper,
    store,
    clock,
    config: executionConfig({}),
    ltpOf: () => ltp,
  });
  let stops = 0;
  om.on("stop_placed", () => stops++);
  // Not subscribed to the paper broker's own updates: fills reach the engine by postback only.
  const d = manualDefer();
  const sink = new EnginePostbackSink({ store, orders: om, defer: d.defer });
  clock.advance(1000);
  paper.onTick(SYM, ltp);
  await om.enter({ tradeId: "20250905_001", symbol: SYM, quantity: 20, stopLoss: 90 });
  await om.idle();
  clock.advance(1000);
  ltp = 100;
  paper.onTick(SYM, ltp); // fills the entry at the broker
  const book = await paper.orders();
  assert.ok(book.ok);
  const entry = book.value.find((u) => u.tag === "E20250905001");
  assert.equal(entry?.status, "COMPLETE");
  const kite = JSON.parse(entry?.raw ?? "{}") as Record<string, unknown>;
  const fill = postback({ ...kite, instrument_token: 12345, exchange_timestamp: kite.order_timestamp });
  assert.equal(store.positions.byTradeId("20250905_001")?.state, "OPENING");

  const answer = sink.accept(fill.update, fill.raw);
  d.flush();
  assert.equal(await answer, "applied");
  await om.idle();
  assert.equal(stops, 1);
  assert.equal(store.positions.byTradeId("20250905_001")?.state, "OPEN");
  const [event] = store.orderEvents.byKiteOrderId(fill.update.order_id);
  assert.deepEqual(
    store.orderEvents.arrivalsOf(event?.id ?? -1).map((a) => a.source),
    ["postback"],
  );

  // The same postback again: a duplicate, and nothing more happens.
  const again = sink.accept(fill.update, fill.raw);
  d.flush();
  assert.equal(await again, "duplicate");
  await om.idle();
  assert.equal(stops, 1);
  const live = (await paper.orders()).ok ? ((await paper.orders()) as { value: OrderUpdate[] }).value : [];
  assert.equal(live.filter((u) => u.type === "SL").length, 1);
});
