/**
 * The order manager over the real Kite adapter (KiteBroker + KiteRest) against the local
 * simulator: updates arrive by the ticker socket and by verified postbacks (both, duplicated).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { KiteBroker } from "../../src/adapters/kite/kite-broker.js";
import { KiteRest } from "../../src/adapters/kite/kite-rest.js";
import { verifyPostback } from "../../src/adapters/kite/postback-verify.js";
import { RateLimiter } from "../../src/adapters/kite/rate-limiter.js";
import { TickerClient } from "../../src/adapters/kite/ticker-client.js";
import { Store } from "../../src/adapters/sqlite/store.js";
import { executionConfig } from "../../src/engine/execution-config.js";
import { OrderManager } from "../../src/engine/order-manager.js";
import { ManualClock, systemClock } from "../../src/ports/clock.js";
import { type RunningSimulator, startSimulator } from "../../src/sim/simulator.js";
import { REAL_CANDLES_DIR } from "../support/paths.js";
import { loginAtSim, postbackCatcher } from "../support/sim-login.js";
import { waitFor } from "../support/wait.js";

const CE = "SENSEX2591180500CE";
let sim: RunningSimulator;
let postbacks: Awaited<ReturnType<typeof postbackCatcher>>;
let rest: KiteRest;
let broker: KiteBroker;
let ticker: TickerClient;
const sources = new Set<string>();

before(async () => {
  postbacks = await postbackCatcher((body) => {
    const verified = verifyPostback(body, sim.apiSecret);
    if (verified.ok) broker.feedPostback(verified.update, body);
  });
  sim = await startSimulator({
    port: 0,
    dataDir: REAL_CANDLES_DIR,
    date: "2025-09-05",
    startPaused: true,
    rateLimits: false,
    postbackUrl: postbacks.url,
  });
  sim.advanceTo("09:30");
  rest = new KiteRest({
    apiKey: sim.apiKey,
    apiRoot: sim.url,
    timeoutMs: 5000,
    limiter: new RateLimiter({ clock: systemClock }),
    placeLookupDelaysMs: [50],
  });
  const { accessToken: token } = await loginAtSim(sim, rest);
  broker = new KiteBroker({ rest });
  broker.onOrderUpdate((u) => sources.add(u.source));
  ticker = new TickerClient({ url: sim.wsUrl, apiKey: sim.apiKey, accessToken: () => token });
  ticker.on("order", (data) => broker.feedSocketOrder(data));
  ticker.on("error", () => {});
  ticker.connect();
  await waitFor(() => ticker.stats.connected, "the ticker to connect");
});

after(async () => {
  await ticker?.close();
  await sim?.close();
  await postbacks?.close();
});

async function manager() {
  const clock = new ManualClock(Date.parse("2025-09-05T04:00:00Z"));
  const store = Store.open(":memory:", { clock });
  const q = await rest.ltp([`BFO:${CE}`]);
  assert.ok(q.ok, JSON.stringify(q));
  const ltp = q.value[`BFO:${CE}`]?.last_price as number;
  const om = new OrderManager({
    broker,
    store,
    clock,
    config: executionConfig({ entryOrder: "MARKET" }),
    ltpOf: () => ltp,
  });
  const events: string[] = [];
  for (const name of [
    "entry_filled",
    "stop_placed",
    "exit_filled",
    "entry_failed",
    "order_rejected",
  ] as const) {
    om.on(name, () => events.push(name));
  }
  const off = broker.onOrderUpdate((u) => om.onOrderUpdate(u));
  return { om, store, ltp, events, off };
}

test("OrderManager over KiteBroker + simulator: entry → stop → exit by modifying the stop into a MARKET sell, updates by socket and postback → two orders, position CLOSED", async () => {
  const m = await manager();
  await m.om.enter({ tradeId: "20250905_101", symbol: CE, quantity: 20, stopLoss: m.ltp * 0.9 });
  sim.advanceTo("09:33");
  await waitFor(() => m.events.includes("stop_placed"), "the protective stop");
  await m.om.idle();
  const stop = m.store.orders.byTag("S20250905101a");
  assert.equal(stop?.type, "SL");
  // Kite tells nothing of an order that merely rests: the placement's answer made it PLACED.
  assert.ok(["PLACED", "TRIGGER PENDING"].includes(stop?.status ?? ""), stop?.status);
  await m.om.exit("20250905_101", "TARGET");
  await waitFor(
    () => m.store.orders.byTag("S20250905101a")?.type === "MARKET",
    "the stop turned into the exit",
  );
  sim.advanceTo("09:36");
  await waitFor(() => m.events.includes("exit_filled"), "the exit fill");
  await sim.postbacksIdle();
  await m.om.idle();
  assert.deepEqual(m.events, ["entry_filled", "stop_placed", "exit_filled"]);
  assert.equal(m.store.positions.byTradeId("20250905_101")?.state, "CLOSED");
  const tags = sim
    .state()
    .orders.map((o) => String((o as { tag?: unknown }).tag ?? ""))
    .filter((t) => t.includes("20250905101"));
  assert.deepEqual([...tags].sort(), ["E20250905101", "S20250905101a"]);
  const exit = sim.state().orders.find((o) => o.tag === "S20250905101a") as Record<string, unknown>;
  assert.equal(exit.order_type, "MARKET");
  assert.equal(exit.status, "COMPLETE");
  assert.equal(m.store.orders.byTag("S20250905101a")?.status, "COMPLETE");
  assert.ok(sources.has("socket") && sources.has("postback"), [...sources].join());
  m.off();
});

test("OrderManager over KiteBroker + simulator: the entry's answer lost (503 once) → exactly one order at the simulator, linked", async () => {
  const m = await manager();
  sim.injectFault({ kind: "http_5xx", count: 1, status: 503 });
  await m.om.enter({ tradeId: "20250905_102", symbol: CE, quantity: 20, stopLoss: m.ltp * 0.5 });
  sim.injectFault({ kind: "clear" });
  await m.om.idle();
  const entries = sim.state().orders.filter((o) => o.tag === "E20250905102");
  assert.equal(entries.length, 1);
  const stored = m.store.orders.byTag("E20250905102");
  assert.equal(stored?.kiteOrderId, entries[0]?.order_id);
  await m.om.reconcile();
  await m.om.idle();
  assert.equal(sim.state().orders.filter((o) => o.tag === "E20250905102").length, 1);
  m.off();
});
