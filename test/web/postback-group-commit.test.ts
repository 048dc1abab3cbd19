import assert from "node:assert/strict";
import { Agent, request } from "node:http";
import { after, test } from "node:test";
import { PostbackBodiesRepository } from "../../src/adapters/sqlite/postback-bodies-repo.js";
import { Store } from "../../src/adapters/sqlite/store.js";
import { EnginePostbackSink, type PostbackRecorder } from "../../src/engine/postback-sink.js";
import { ManualClock } from "../../src/ports/clock.js";
import { signedPostback, T0, testApp } from "./web-fixture.js";

/*
 * POST /postback over the engine's real sink and an SQLite store: the updates of one turn of
 * the event loop go in one transaction, each request is answered only after the transaction
 * holding its update committed, and a transaction that fails answers 503 to its own requests.
 */

function memoryStore(): Store {
  const store = Store.open(":memory:", { clock: new ManualClock(T0) });
  after(() => store.close());
  return store;
}

/** The sink over a store, its transactions counted and the ids they committed noted. */
function countedSink(
  store: Store,
  options: { defer?: (flush: () => void) => void; failing?: () => boolean } = {},
) {
  const batches: number[] = [];
  const committed = new Set<string>();
  const bodies = new PostbackBodiesRepository(store.db, new ManualClock(T0));
  const recorder: PostbackRecorder = {
    recordArrivals: (updates) => {
      batches.push(updates.length);
      if (options.failing?.()) throw new Error("SQLITE_FULL: database or disk is full");
      const results = bodies.recordArrivals(updates);
      for (const u of updates) committed.add(u.orderId);
      return results;
    },
  };
  // The orders handed on for confirmation (after their commit).
  const told: string[] = [];
  const sink = new EnginePostbackSink({
    bodies: recorder,
    confirmer: { enqueue: (orderId) => void told.push(orderId) },
    ...(options.defer ? { defer: options.defer } : {}),
  });
  return { sink, batches, committed, told };
}

/** The bodies stored for an order. */
function storedBodies(store: Store, orderId: string): number {
  return (
    store.db.prepare("SELECT COUNT(*) AS n FROM postback_bodies WHERE kite_order_id = ?").get(orderId) as {
      n: number;
    }
  ).n;
}

/** Turns of the event loop until `ready()` (bounded: a test that never gets there fails). */
async function turnsUntil(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !ready(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(ready(), "the requests never all reached the sink");
}

const ids = (n: number, from: number) =>
  Array.from({ length: n }, (_, i) => String(250904000100000 + from + i));

test("POST /postback × 40 at once → one transaction, 40 answers of 200 after it, 40 updates stored", async () => {
  const store = memoryStore();
  const flushes: Array<() => void> = [];
  const { sink, batches } = countedSink(store, { defer: (f) => void flushes.push(f) });
  const { app, metrics } = testApp({ deps: { postbacks: sink } });
  const orderIds = ids(40, 0);
  let answered = 0;
  const responses = orderIds.map((id) =>
    app.inject({ method: "POST", url: "/postback", payload: signedPostback({ order_id: id }) }).then((r) => {
      answered++;
      return r;
    }),
  );
  await turnsUntil(() => sink.pending === 40);
  assert.equal(answered, 0);
  assert.equal(flushes.length, 1);
  flushes.splice(0).forEach((f) => {
    f();
  });
  const results = await Promise.all(responses);
  assert.deepEqual(
    results.map((r) => r.statusCode),
    Array(40).fill(200),
  );
  assert.deepEqual(batches, [40]);
  for (const id of orderIds) assert.equal(storedBodies(store, id), 1, id);
  // Stored, to be confirmed from the order book after the answers.
  assert.equal(metrics.postbacks.get({ outcome: "pending" }), 40);
});

test("POST /postback: a transaction that fails → 503 to exactly its requests, the next turn's stored", async () => {
  const store = memoryStore();
  const flushes: Array<() => void> = [];
  let diskFull = true;
  const { sink, batches, told } = countedSink(store, {
    defer: (f) => void flushes.push(f),
    failing: () => diskFull,
  });
  const { app, metrics, log } = testApp({ deps: { postbacks: sink } });
  const post = (id: string) =>
    app.inject({ method: "POST", url: "/postback", payload: signedPostback({ order_id: id }) });
  const failed = ids(5, 100).map(post);
  await turnsUntil(() => sink.pending === 5);
  flushes.splice(0).forEach((f) => {
    f();
  });
  diskFull = false;
  const stored = ids(3, 200).map(post);
  await turnsUntil(() => sink.pending === 3);
  flushes.splice(0).forEach((f) => {
    f();
  });
  const failedResults = await Promise.all(failed);
  const storedResults = await Promise.all(stored);
  assert.deepEqual(
    failedResults.map((r) => r.statusCode),
    Array(5).fill(503),
  );
  assert.equal(JSON.parse(failedResults[0]?.body ?? "{}").error, "the update could not be stored");
  assert.deepEqual(
    storedResults.map((r) => r.statusCode),
    Array(3).fill(200),
  );
  // The failed batch, each of its five tried alone (all failing too), then the next batch.
  assert.deepEqual(batches, [5, 1, 1, 1, 1, 1, 3]);
  for (const id of ids(5, 100)) assert.equal(storedBodies(store, id), 0);
  for (const id of ids(3, 200)) assert.equal(storedBodies(store, id), 1);
  assert.equal(told.length, 3);
  assert.equal(metrics.postbacks.get({ outcome: "sink_failed" }), 5);
  assert.ok(log.entries.some((l) => l.message === "a valid postback could not be stored"));
});

test("POST /postback over a socket, 8 keep-alive connections × 25 → every update stored before its 200, none lost", async () => {
  const store = memoryStore();
  const { sink, committed, batches } = countedSink(store);
  const { app } = testApp({ deps: { postbacks: sink } });
  await app.listen({ host: "127.0.0.1", port: 0 });
  after(() => app.close());
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  after(() => agent.destroy());
  const committedAtAnswer: boolean[] = [];
  const send = (id: string) =>
    new Promise<number>((resolve, reject) => {
      const body = signedPostback({ order_id: id });
      const req = request(
        {
          agent,
          host: "127.0.0.1",
          port,
          path: "/postback",
          method: "POST",
          headers: { "content-type": "application/json" },
        },
        (res) => {
          res.resume();
          res.on("end", () => {
            committedAtAnswer.push(committed.has(id));
            resolve(res.statusCode ?? 0);
          });
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const all = ids(200, 1000);
  const connections = Array.from({ length: 8 }, async (_, c) => {
    const statuses: number[] = [];
    for (const id of all.slice(c * 25, c * 25 + 25)) statuses.push(await send(id));
    return statuses;
  });
  const statuses = (await Promise.all(connections)).flat();
  assert.deepEqual(statuses, Array(200).fill(200));
  assert.deepEqual(committedAtAnswer, Array(200).fill(true));
  assert.equal(
    batches.reduce((a, b) => a + b, 0),
    200,
  );
  const rows = store.db.prepare("SELECT COUNT(*) AS n FROM postback_bodies").get() as { n: number };
  assert.equal(rows.n, 200);
});
