import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { KiteBroker } from "../../src/adapters/kite/kite-broker.js";
import { KiteRest } from "../../src/adapters/kite/kite-rest.js";
import { checkKitePostback } from "../../src/adapters/kite/postback-check.js";
import { RateLimiter } from "../../src/adapters/kite/rate-limiter.js";
import { PostbackBodiesRepository } from "../../src/adapters/sqlite/postback-bodies-repo.js";
import { Store } from "../../src/adapters/sqlite/store.js";
import { PostbackConfirmer } from "../../src/engine/postback-confirmer.js";
import { EnginePostbackSink } from "../../src/engine/postback-sink.js";
import type { OrderUpdate } from "../../src/ports/broker.js";
import { systemClock } from "../../src/ports/clock.js";
import { type RunningSimulator, startSimulator } from "../../src/sim/simulator.js";
import { REAL_CANDLES_DIR } from "../support/paths.js";
import { loginAtSim, postbackCatcher } from "../support/sim-login.js";
import { waitFor } from "../support/wait.js";

/*
 * The postback intake against the simulator's Kite: every postback it sends is confirmed by
 * GET /orders/{id} (KiteBroker.orderHistory) and applied; the same body doctored and re-signed
 * (what a replay with other fields amounts to) is not.
 */

let sim: RunningSimulator;
let catcher: Awaited<ReturnType<typeof postbackCatcher>>;
let store: Store;
let bodies: PostbackBodiesRepository;
let confirmer: PostbackConfirmer;
let sink: EnginePostbackSink;
let broker: KiteBroker;
const applied: OrderUpdate[] = [];
const unconfirmed: string[] = [];
const received: string[] = [];

before(async () => {
  catcher = await postbackCatcher((body) => {
    received.push(body);
    const checked = checkKitePostback(body, sim.apiSecret);
    if (checked.ok) void sink.accept(checked.update);
  });
  sim = await startSimulator({
    port: 0,
    dataDir: REAL_CANDLES_DIR,
    date: "2025-09-05",
    startPaused: true,
    rateLimits: false,
    postbackUrl: catcher.url,
  });
  sim.advanceTo("09:30");
  const rest = new KiteRest({
    apiKey: sim.apiKey,
    apiRoot: sim.url,
    timeoutMs: 5000,
    limiter: new RateLimiter({ clock: systemClock }),
  });
  await loginAtSim(sim, rest);
  broker = new KiteBroker({ rest });
  store = Store.open(":memory:", { clock: systemClock });
  bodies = new PostbackBodiesRepository(store.db, systemClock);
  confirmer = new PostbackConfirmer({
    history: broker,
    claims: bodies,
    orders: { onOrderUpdate: (u) => void applied.push(u) },
    onUnconfirmed: (claim, reason) => unconfirmed.push(`${claim.orderId} ${claim.status}: ${reason}`),
  });
  sink = new EnginePostbackSink({ bodies, confirmer });
});

after(async () => {
  await confirmer?.stop();
  store?.close();
  await sim?.close();
  await catcher?.close();
});

test("the simulator's postbacks of a filled order → each confirmed by its order history and applied; a doctored copy → unconfirmed", async () => {
  const placed = await broker.placeOrder({
    exchange: "BFO",
    tradingsymbol: "SENSEX2591180500CE",
    side: "BUY",
    type: "MARKET",
    quantity: 20,
    product: "MIS",
    tag: `pc${process.pid}`,
  });
  assert.ok(placed.ok, JSON.stringify(placed));
  const orderId = placed.value.orderId;
  sim.advanceTo("09:31");
  await sim.postbacksIdle();
  await waitFor(
    () => applied.some((u) => u.orderId === orderId && u.status === "COMPLETE"),
    "the fill applied",
  );
  const stored = bodies.byOrder(orderId);
  assert.ok(stored.length >= 1);
  assert.deepEqual(
    stored.map((b) => b.verdict),
    stored.map(() => "CONFIRMED"),
  );
  const fill = applied.find((u) => u.orderId === orderId && u.status === "COMPLETE");
  assert.equal(fill?.source, "postback");
  assert.equal(fill?.filledQuantity, 20);
  assert.deepEqual(unconfirmed, []);

  // The captured COMPLETE body with another average price, its checksum still valid (it
  // covers only order_id and order_timestamp).
  const genuine = received
    .map((r) => JSON.parse(r) as Record<string, unknown>)
    .find((b) => b.order_id === orderId && b.status === "COMPLETE");
  assert.ok(genuine);
  const doctored = JSON.stringify({ ...genuine, average_price: 0.05 });
  const checked = checkKitePostback(doctored, sim.apiSecret);
  assert.ok(checked.ok, "the doctored body passes the checksum");
  assert.equal(await sink.accept(checked.update), "pending");
  await waitFor(() => unconfirmed.length === 1, "the doctored body judged", 15_000);
  assert.match(unconfirmed[0] ?? "", /never showed COMPLETE with 20 of 20 filled at 0\.05/);
  assert.equal(applied.filter((u) => u.orderId === orderId && u.averagePrice === 0.05).length, 0);
});
