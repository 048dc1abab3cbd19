import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { RunningSimulator } from "../../src/sim/simulator.js";
import {
  type Kite,
  type Loose,
  loggedInClient,
  openSocket,
  postbackCatcher,
  rejection,
  TINY_SYMBOL,
  tinySimulators,
  waitFor,
} from "./sim-helpers.js";

const simulators = tinySimulators();
after(() => simulators.close());
const tinySim = simulators.start;

/** POST /__sim/fault with a JSON body. */
async function postFault(sim: RunningSimulator, body: unknown): Promise<{ status: number; json: Loose }> {
  const res = await fetch(`${sim.url}/__sim/fault`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Loose };
}

type Params = Parameters<Kite["placeOrder"]>[1];
const limitBuy = (price: number, quantity = 20): Params =>
  ({
    exchange: "BFO",
    tradingsymbol: TINY_SYMBOL,
    quantity,
    product: "MIS",
    transaction_type: "BUY",
    order_type: "LIMIT",
    price,
  }) as unknown as Params;

test("http_429 {count: 2} (POST /__sim/fault) → the next two REST calls answer 429 Too many requests, the third works", async () => {
  const { sim, kite } = await tinySim();
  assert.deepEqual((await postFault(sim, { kind: "http_429", count: 2 })).json, {
    status: "success",
    data: true,
  });
  for (let i = 0; i < 2; i++) {
    assert.deepEqual(await rejection(kite.getProfile()), {
      status: "error",
      error_type: "NetworkException",
      message: "Too many requests",
    });
  }
  await kite.getProfile();
});

test("http_5xx → 503 NetworkException by default, 502 when asked, 500 as GeneralException; then normal again", async () => {
  const { sim, kite, accessToken } = await tinySim();
  const call = () =>
    fetch(`${sim.url}/user/profile`, { headers: { authorization: `token ${sim.apiKey}:${accessToken}` } });
  sim.injectFault({ kind: "http_5xx" });
  const r503 = await call();
  assert.equal(r503.status, 503);
  assert.equal(((await r503.json()) as { error_type: string }).error_type, "NetworkException");
  sim.injectFault({ kind: "http_5xx", count: 1, status: 502 });
  assert.equal((await rejection(kite.getProfile())).error_type, "NetworkException");
  sim.injectFault({ kind: "http_5xx", status: 500 });
  const r500 = await call();
  assert.equal(r500.status, 500);
  assert.deepEqual(Object.keys((await r500.json()) as object).sort(), [
    "data",
    "error_type",
    "message",
    "status",
  ]);
  assert.equal((await call()).status, 200);
});

test("latency {ms: 300, count: 1} → the next response is late by 300 ms, the one after is not", async () => {
  const { sim, kite } = await tinySim();
  sim.injectFault({ kind: "latency", ms: 300, count: 1 });
  let t = performance.now();
  await kite.getProfile();
  assert.ok(performance.now() - t >= 290, "delayed");
  t = performance.now();
  await kite.getProfile();
  assert.ok(performance.now() - t < 250, "not delayed");
});

test("reject_next_order {message} → the next order is REJECTED with that message (and a postback); the one after is not", async () => {
  const catcher = await postbackCatcher();
  try {
    const { sim, kite } = await tinySim({ postbackUrl: catcher.url });
    sim.injectFault({ kind: "reject_next_order", message: "RMS: blocked by the test" });
    const { order_id: first } = await kite.placeOrder("regular", limitBuy(50));
    const { order_id: second } = await kite.placeOrder("regular", limitBuy(50));
    const orders = await kite.getOrders();
    assert.equal(orders.find((o) => o.order_id === first)?.status, "REJECTED");
    assert.equal(orders.find((o) => o.order_id === first)?.status_message, "RMS: blocked by the test");
    assert.equal(orders.find((o) => o.order_id === second)?.status, "OPEN");
    await sim.postbacksIdle();
    assert.deepEqual(
      catcher.received.map((r) => [r.json.order_id, r.json.status]),
      [[first, "REJECTED"]],
    );
  } finally {
    await catcher.close();
  }
});

const order = (side: "BUY" | "SELL", type: "LIMIT" | "SL", price: number, trigger?: number): Params =>
  ({
    exchange: "BFO",
    tradingsymbol: TINY_SYMBOL,
    quantity: 20,
    product: "MIS",
    transaction_type: side,
    order_type: type,
    price,
    ...(trigger !== undefined ? { trigger_price: trigger } : {}),
  }) as unknown as Params;

async function statusesOf(kite: Kite, ids: string[]): Promise<string[]> {
  const orders = await kite.getOrders();
  return ids.map((id) => String(orders.find((o) => o.order_id === id)?.status));
}

test("reject_next_stop → a buy and a sale placed meanwhile pass, the next SL order is REJECTED with the message; the SL after it rests", async () => {
  const { sim, kite } = await tinySim();
  sim.injectFault({ kind: "reject_next_stop", message: "RMS: stop refused by the test" });
  assert.equal(sim.state().faults.reject_next_stop, "RMS: stop refused by the test");
  const ids: string[] = [];
  for (const p of [order("BUY", "LIMIT", 50), order("SELL", "LIMIT", 150), order("SELL", "SL", 89, 90)])
    ids.push((await kite.placeOrder("regular", p)).order_id);
  ids.push((await kite.placeOrder("regular", order("SELL", "SL", 89, 90))).order_id);
  assert.deepEqual(await statusesOf(kite, ids), ["OPEN", "OPEN", "REJECTED", "TRIGGER PENDING"]);
  const rejected = (await kite.getOrders()).find((o) => o.order_id === ids[2]);
  assert.equal(rejected?.status_message, "RMS: stop refused by the test");
  assert.equal(sim.state().faults.reject_next_stop, null);
});

test("reject_next_exit → a buy and a stop placed meanwhile pass, the next sale that is not a stop is REJECTED; the sale after it rests", async () => {
  const { sim, kite } = await tinySim();
  sim.injectFault({ kind: "reject_next_exit" });
  const ids: string[] = [];
  for (const p of [
    order("BUY", "LIMIT", 50),
    order("SELL", "SL", 89, 90),
    order("SELL", "LIMIT", 150),
    order("SELL", "LIMIT", 150),
  ])
    ids.push((await kite.placeOrder("regular", p)).order_id);
  assert.deepEqual(await statusesOf(kite, ids), ["OPEN", "TRIGGER PENDING", "REJECTED", "OPEN"]);
});

test("reject_next_modify → the next modification answers 400 InputException with the message and changes nothing; the one after is made", async () => {
  const { sim, kite } = await tinySim();
  const { order_id: id } = await kite.placeOrder("regular", order("SELL", "SL", 89, 90));
  sim.injectFault({ kind: "reject_next_modify", message: "Modification refused by the test" });
  const refused = await rejection(kite.modifyOrder("regular", id, { trigger_price: 80, price: 79 } as never));
  assert.equal(refused.error_type, "InputException");
  assert.equal(refused.message, "Modification refused by the test");
  let stop = (await kite.getOrders()).find((o) => o.order_id === id);
  assert.deepEqual([stop?.trigger_price, stop?.price], [90, 89]);
  await kite.modifyOrder("regular", id, { trigger_price: 80, price: 79 } as never);
  stop = (await kite.getOrders()).find((o) => o.order_id === id);
  assert.deepEqual([stop?.trigger_price, stop?.price], [80, 79]);
});

test("partial_fill_next_order {fraction: 0.5} → a 2-lot order fills one lot (UPDATE), the rest on a later tick (COMPLETE); 1-lot orders fill whole", async () => {
  const catcher = await postbackCatcher();
  try {
    const { sim, kite } = await tinySim({ postbackUrl: catcher.url });
    sim.injectFault({ kind: "partial_fill_next_order", fraction: 0.5 });
    const { order_id: single } = await kite.placeOrder("regular", limitBuy(100));
    const { order_id: id } = await kite.placeOrder("regular", limitBuy(100, 40));
    sim.advanceTo("09:15:00");
    const partial = (await kite.getOrders()).find((o) => o.order_id === id) as Loose;
    assert.equal(partial.status, "OPEN");
    assert.equal(partial.filled_quantity, 20);
    assert.equal(partial.pending_quantity, 20);
    assert.equal((await kite.getOrders()).find((o) => o.order_id === single)?.status, "COMPLETE");
    sim.advanceTo("09:16:00");
    const done = (await kite.getOrders()).find((o) => o.order_id === id) as Loose;
    assert.equal(done.status, "COMPLETE");
    assert.equal((await kite.getOrderTrades(id)).length, 2);
    await sim.postbacksIdle();
    assert.deepEqual(
      catcher.received
        .filter((r) => r.json.order_id === id)
        .map((r) => [r.json.status, r.json.filled_quantity]),
      [
        ["UPDATE", 20],
        ["COMPLETE", 40],
      ],
    );
  } finally {
    await catcher.close();
  }
});

test("skip_postbacks {count: 1} → the first update is not POSTed (the socket still carries it), the next is", async () => {
  const catcher = await postbackCatcher();
  try {
    const { sim, kite, accessToken } = await tinySim({ postbackUrl: catcher.url });
    const socket = await openSocket(sim, accessToken);
    sim.injectFault({ kind: "skip_postbacks", count: 1 });
    const { order_id: a } = await kite.placeOrder("regular", limitBuy(50));
    const { order_id: b } = await kite.placeOrder("regular", limitBuy(50));
    await kite.cancelOrder("regular", a);
    await kite.cancelOrder("regular", b);
    await sim.postbacksIdle();
    assert.deepEqual(
      catcher.received.map((r) => r.json.order_id),
      [b],
    );
    await waitFor(() => socket.texts.length === 2, 2000, "socket updates");
    assert.equal(sim.state().postbacks.skipped, 1);
    socket.ws.terminate();
  } finally {
    await catcher.close();
  }
});

test("expire_token → REST answers 403 TokenException and the ticker refuses the token; a new login works", async () => {
  const { sim, kite, accessToken } = await tinySim();
  const { status } = await postFault(sim, { kind: "expire_token" });
  assert.equal(status, 200);
  const e = await rejection(kite.getProfile());
  assert.equal(e.error_type, "TokenException");
  await assert.rejects(openSocket(sim, accessToken), /HTTP 403/);
  const fresh = await loggedInClient(sim);
  await fresh.kite.getProfile();
});

test("POST /__sim/fault with an unknown kind or a bad field → 400 with the reason; clear → nothing pending", async () => {
  const { sim, kite } = await tinySim();
  const unknown = await postFault(sim, { kind: "meteor_strike" });
  assert.equal(unknown.status, 400);
  assert.match(unknown.json.message, /invalid fault/);
  const bad = await postFault(sim, { kind: "partial_fill_next_order", fraction: 2 });
  assert.equal(bad.status, 400);
  assert.match(bad.json.message, /fraction/);
  assert.throws(() => sim.injectFault({ kind: "http_5xx", status: 418 } as never), /invalid fault/);
  sim.injectFault({ kind: "http_429", count: 5 });
  assert.equal(sim.state().faults.http_429, 5);
  await postFault(sim, { kind: "clear" });
  assert.equal(sim.state().faults.http_429, 0);
  await kite.getProfile();
});

test("GET /__sim/state → market time, orders, trades, positions and subscriptions as JSON", async () => {
  const { sim, kite } = await tinySim();
  await kite.placeOrder("regular", limitBuy(100));
  sim.advanceTo("09:16:00");
  const state = (await (await fetch(`${sim.url}/__sim/state`)).json()) as Loose;
  assert.equal(state.date, "2025-09-05");
  assert.equal(state.marketTime, "2025-09-05T09:16:00+05:30");
  assert.equal(state.marketTimestamp, "2025-09-05 09:16:00");
  assert.equal(state.session, "OPEN");
  assert.equal(state.running, false);
  assert.equal(state.orders.length, 1);
  assert.equal(state.orders[0].status, "COMPLETE");
  assert.equal(state.trades.length, 1);
  assert.equal(state.positions.net[0].quantity, 20);
  assert.deepEqual(state.subscriptions, []);
  assert.deepEqual(state, JSON.parse(JSON.stringify(sim.state())));
});
