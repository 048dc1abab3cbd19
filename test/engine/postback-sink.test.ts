import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type BetterSqlite3 from "better-sqlite3";
import { checkKitePostback } from "../../src/adapters/kite/postback-check.js";
import {
  POSTBACK_RAW_CAP,
  PostbackBodiesRepository,
} from "../../src/adapters/sqlite/postback-bodies-repo.js";
import { Store } from "../../src/adapters/sqlite/store.js";
import { EnginePostbackSink, type PostbackRecorder } from "../../src/engine/postback-sink.js";
import type { PostbackAcceptance } from "../../src/ports/app.js";
import type { OrderUpdate } from "../../src/ports/broker.js";
import { ManualClock } from "../../src/ports/clock.js";

const SECRET = "sink_test_secret";
const SYM = "SENSEX2591180500CE";
const KITE_ID = "250904000000777";
const T0 = Date.parse("2025-09-05T04:00:00Z");

/** A checked postback (through checkKitePostback, as the route hands it over) and its raw body. */
function postback(fields: Record<string, unknown> = {}): { update: OrderUpdate | null; raw: string } {
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
  const checked = checkKitePostback(raw, SECRET);
  assert.ok(checked.ok, `the test's postback does not verify: ${raw}`);
  return { update: checked.update, raw };
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

/** An in-memory store and the bodies repository over it. */
function bodiesStore() {
  const clock = new ManualClock(T0);
  const store = Store.open(":memory:", { clock });
  after(() => store.close());
  return { store, clock, bodies: new PostbackBodiesRepository(store.db, clock) };
}

function sinkOver(recorder: PostbackRecorder) {
  const enqueued: string[] = [];
  const d = manualDefer();
  const sink = new EnginePostbackSink({
    bodies: recorder,
    confirmer: { enqueue: (orderId) => void enqueued.push(orderId) },
    defer: d.defer,
  });
  return { sink, enqueued, d };
}

const count = (store: Store, table: string) =>
  (store.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

test("EnginePostbackSink: a new body → stored, pending (nothing applied), its order handed to the confirmer after the commit", async () => {
  const { store, bodies } = bodiesStore();
  const { sink, enqueued, d } = sinkOver(bodies);
  const fill = postback();
  const first = sink.accept(fill.update);
  assert.equal(await stateOf(first), "pending");
  assert.deepEqual(enqueued, [], "not before the commit");
  d.flush();
  assert.equal(await first, "pending");
  assert.deepEqual(enqueued, [KITE_ID]);
  const [stored] = bodies.byOrder(KITE_ID);
  assert.equal(stored?.verdict, "PENDING");
  assert.equal(stored?.status, "COMPLETE");
  assert.equal(stored?.filledQuantity, 20);
  assert.equal(stored?.raw, fill.raw);
  // Believed by nobody yet: no order event, no order state.
  assert.equal(count(store, "order_events"), 0);
  assert.equal(count(store, "order_event_arrivals"), 0);
});

test("EnginePostbackSink: the same body 50 times → stored once, 50 arrivals counted, confirmed once", async () => {
  const { store, bodies, clock } = bodiesStore();
  const { sink, enqueued, d } = sinkOver(bodies);
  const fill = postback();
  const answers: Promise<PostbackAcceptance>[] = [];
  for (let i = 0; i < 50; i++) {
    answers.push(sink.accept(fill.update));
    if (i % 10 === 9) {
      clock.advance(1000);
      d.flush();
    }
  }
  const outcomes = await Promise.all(answers);
  assert.deepEqual(outcomes, ["pending", ...Array<PostbackAcceptance>(49).fill("duplicate")]);
  assert.equal(count(store, "postback_bodies"), 1);
  const [stored] = bodies.byOrder(KITE_ID);
  assert.equal(stored?.arrivals, 50);
  assert.equal(stored?.firstReceivedAtMs, T0 + 1000);
  assert.equal(stored?.lastReceivedAtMs, T0 + 5000);
  assert.deepEqual(enqueued, [KITE_ID]);
});

test("EnginePostbackSink: a body over the cap → stored cut to the cap with its full size noted", async () => {
  const { bodies } = bodiesStore();
  const { sink, d } = sinkOver(bodies);
  const big = postback({ meta: { padding: "x".repeat(60_000) } });
  const answer = sink.accept(big.update);
  d.flush();
  assert.equal(await answer, "pending");
  const [stored] = bodies.byOrder(KITE_ID);
  assert.ok(stored);
  assert.equal(stored.rawBytes, Buffer.byteLength(big.raw));
  assert.ok(stored.raw.length < POSTBACK_RAW_CAP + 100, `stored ${stored.raw.length} characters`);
  assert.ok(stored.raw.startsWith(big.raw.slice(0, POSTBACK_RAW_CAP)));
  assert.match(stored.raw, /…\[cut: \d+ more characters\]$/);
});

test("EnginePostbackSink: an order type or side the engine cannot read → ignored at once, nothing stored", async () => {
  const { store, bodies } = bodiesStore();
  const { sink, enqueued, d } = sinkOver(bodies);
  const odd = postback({ order_id: "250904000000555", order_type: "BRACKET" });
  assert.equal(await sink.accept(odd.update), "ignored");
  assert.equal(d.queued, 0);
  assert.equal(count(store, "postback_bodies"), 0);
  assert.deepEqual(enqueued, []);
});

test("EnginePostbackSink: a signed update with quantities or prices no order has → ignored at once, nothing stored", async () => {
  const { store, bodies } = bodiesStore();
  const { sink, enqueued, d } = sinkOver(bodies);
  const nonsense: Record<string, unknown>[] = [
    { filled_quantity: -1 },
    { quantity: 20.5 },
    { status: "OPEN", filled_quantity: 0, pending_quantity: 1e308 },
    { filled_quantity: 2 ** 53 },
  ];
  for (const fields of nonsense) {
    const p = postback({ order_id: "250904000000556", ...fields });
    assert.equal(await sink.accept(p.update), "ignored", JSON.stringify(fields));
  }
  assert.equal(d.queued, 0);
  assert.equal(count(store, "postback_bodies"), 0);
  assert.deepEqual(enqueued, []);
});

test("EnginePostbackSink: the answer comes only once the body is committed (visible to another connection)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pivot-sink-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "trading.db");
  const clock = new ManualClock(T0);
  const store = Store.open(path, { clock });
  after(() => store.close());
  const Database = createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
  const reader = new Database(path, { readonly: true });
  after(() => reader.close());
  const rows = () =>
    (
      reader.prepare("SELECT COUNT(*) AS n FROM postback_bodies WHERE kite_order_id = ?").get(KITE_ID) as {
        n: number;
      }
    ).n;
  const { sink, d } = sinkOver(new PostbackBodiesRepository(store.db, clock));
  const fill = postback();
  let seenAtAnswer = -1;
  const answered = sink.accept(fill.update).then((outcome) => {
    seenAtAnswer = rows();
    return outcome;
  });
  assert.equal(await stateOf(answered), "pending");
  assert.equal(rows(), 0);
  d.flush();
  assert.equal(await answered, "pending");
  assert.equal(seenAtAnswer, 1);
});

test("EnginePostbackSink: bodies accepted in one turn → one transaction for all, none lost, each answered", async () => {
  const { bodies } = bodiesStore();
  const batches: number[] = [];
  const counting: PostbackRecorder = {
    recordArrivals: (updates) => {
      batches.push(updates.length);
      return bodies.recordArrivals(updates);
    },
  };
  const { sink, enqueued, d } = sinkOver(counting);
  const updates = Array.from({ length: 50 }, (_, i) => postback({ order_id: `25090400000${1000 + i}` }));
  const answers = updates.map((p) => sink.accept(p.update));
  assert.equal(sink.pending, 50);
  assert.equal(d.queued, 1);
  d.flush();
  assert.deepEqual(await Promise.all(answers), Array<PostbackAcceptance>(50).fill("pending"));
  assert.deepEqual(batches, [50]);
  for (const p of updates)
    assert.equal(bodies.byOrder(p.update?.orderId ?? "").length, 1, p.update?.orderId ?? "");
  assert.equal(enqueued.length, 50);
  // The next turn is the next batch.
  const later = postback({ order_id: "250904000009999" });
  const answer = sink.accept(later.update);
  d.flush();
  assert.equal(await answer, "pending");
  assert.deepEqual(batches, [50, 1]);
});

test("EnginePostbackSink: a commit that fails → exactly its batch rejected, the next batch stored", async () => {
  const { bodies } = bodiesStore();
  let failing = true;
  const flaky: PostbackRecorder = {
    recordArrivals: (updates) => {
      if (failing) throw new Error("SQLITE_IOERR: disk I/O error");
      return bodies.recordArrivals(updates);
    },
  };
  const { sink, enqueued, d } = sinkOver(flaky);
  const lost = [1, 2, 3].map((i) => postback({ order_id: `25090400000200${i}` }));
  const lostAnswers = lost.map((p) =>
    sink.accept(p.update).then(
      () => "stored",
      (e: Error) => e.message,
    ),
  );
  d.flush();
  assert.deepEqual(await Promise.all(lostAnswers), Array(3).fill("SQLITE_IOERR: disk I/O error"));
  assert.deepEqual(enqueued, []);
  failing = false;
  const next = postback();
  const nextAnswer = sink.accept(next.update);
  d.flush();
  assert.equal(await nextAnswer, "pending");
  assert.deepEqual(enqueued, [KITE_ID]);
  for (const p of lost) assert.equal(bodies.byOrder(p.update?.orderId ?? "").length, 0);
});

test("EnginePostbackSink: one body the database refuses → only it rejected, the rest of its batch stored", async () => {
  const { store, bodies } = bodiesStore();
  store.db.exec(`CREATE TRIGGER refuse_poison BEFORE INSERT ON postback_bodies WHEN NEW.kite_order_id = 'POISON'
                 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;`);
  const { sink, enqueued, d } = sinkOver(bodies);
  const good1 = postback({ order_id: "250904000003001" });
  const poison = postback({ order_id: "POISON" });
  const good2 = postback();
  const answers = [good1, poison, good2].map((p) =>
    sink.accept(p.update).then(
      (o) => o,
      (e: Error) => `rejected: ${e.message}`,
    ),
  );
  d.flush();
  assert.deepEqual(await Promise.all(answers), ["pending", "rejected: refused by the test", "pending"]);
  assert.equal(bodies.byOrder("250904000003001").length, 1);
  assert.equal(bodies.byOrder(KITE_ID).length, 1);
  assert.deepEqual(enqueued, ["250904000003001", KITE_ID]);
});
