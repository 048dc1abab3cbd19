/**
 * KiteBroker: the Broker port over KiteRest and Kite's pushed order updates. Mapping rules are
 * tested on their own; the rest runs against the local Kite simulator (REST, ticker socket and
 * postbacks), with the 2025-09-05 replay moved by hand.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  type FeedProblem,
  KiteBroker,
  type KiteBrokerRest,
  mapKiteStatus,
  toPlaceParams,
} from "../../../src/adapters/kite/kite-broker.js";
import { kiteFail, kiteOk } from "../../../src/adapters/kite/kite-errors.js";
import type { KiteOrder } from "../../../src/adapters/kite/kite-payloads.js";
import { KiteRest } from "../../../src/adapters/kite/kite-rest.js";
import { verifyPostback } from "../../../src/adapters/kite/postback-verify.js";
import { RateLimiter } from "../../../src/adapters/kite/rate-limiter.js";
import { TickerClient } from "../../../src/adapters/kite/ticker-client.js";
import type { OrderRequest, OrderUpdate } from "../../../src/ports/broker.js";
import { systemClock } from "../../../src/ports/clock.js";
import { type RunningSimulator, startSimulator } from "../../../src/sim/simulator.js";
import { REAL_CANDLES_DIR } from "../../support/paths.js";
import { loginAtSim, postbackCatcher } from "../../support/sim-login.js";
import { waitFor } from "../../support/wait.js";

const CE = "SENSEX2591180500CE";
const PE = "SENSEX2591180500PE";

let sim: RunningSimulator;
let postbacks: Awaited<ReturnType<typeof postbackCatcher>>;
let rest: KiteRest;
let broker: KiteBroker;
let ticker: TickerClient;
const updates: OrderUpdate[] = [];
const badPostbacks: string[] = [];

/** The updates of one order from one source. */
function updatesOf(orderId: string, source: OrderUpdate["source"]): OrderUpdate[] {
  return updates.filter((u) => u.orderId === orderId && u.source === source);
}

/** Waits until both the socket and a postback have told `status` for the order. */
async function bothFeedsSay(orderId: string, status: OrderUpdate["status"]): Promise<void> {
  await sim.postbacksIdle();
  for (const source of ["socket", "postback"] as const) {
    await waitFor(
      () => updatesOf(orderId, source).some((u) => u.status === status),
      `${status} for ${orderId} from the ${source}`,
    );
  }
}

let tagCount = 0;
function order(fields: Partial<OrderRequest> & Pick<OrderRequest, "type" | "side">): OrderRequest {
  return {
    exchange: "BFO",
    tradingsymbol: CE,
    quantity: 20,
    product: "MIS",
    tag: `kb${++tagCount}x${process.pid}`,
    ...fields,
  };
}

before(async () => {
  // Kite POSTs postbacks here; each is verified, then fed to the broker with its raw body.
  postbacks = await postbackCatcher((body) => {
    const verified = verifyPostback(body, sim.apiSecret);
    if (verified.ok) broker.feedPostback(verified.update, body);
    else badPostbacks.push(verified.reason);
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
  broker.onOrderUpdate((u) => updates.push(u));
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

let buyFill = 0;

test("KiteBroker MARKET BUY against the simulator → COMPLETE from the socket and from a verified postback", async () => {
  const placed = await broker.placeOrder(order({ type: "MARKET", side: "BUY" }));
  assert.ok(placed.ok, JSON.stringify(placed));
  const { orderId } = placed.value;
  sim.advanceTo("09:33");
  await bothFeedsSay(orderId, "COMPLETE");
  const socket = updatesOf(orderId, "socket").find((u) => u.status === "COMPLETE") as OrderUpdate;
  const postback = updatesOf(orderId, "postback").find((u) => u.status === "COMPLETE") as OrderUpdate;
  for (const u of [socket, postback]) {
    assert.equal(u.tradingsymbol, CE);
    assert.equal(u.side, "BUY");
    assert.equal(u.type, "MARKET");
    assert.equal(u.filledQuantity, 20);
    assert.equal(u.pendingQuantity, 0);
    assert.ok(u.averagePrice > 0);
    assert.match(u.orderTimestamp, /^2025-09-05 09:3\d:\d\d$/);
    assert.equal(JSON.parse(u.raw).order_id, orderId);
  }
  assert.equal(socket.averagePrice, postback.averagePrice);
  assert.deepEqual(badPostbacks, []);
  buyFill = socket.averagePrice;
});

test("KiteBroker LIMIT order modified, then cancelled → OPEN with the new price, then CANCELLED, on both feeds and in orders()", async () => {
  const placed = await broker.placeOrder(order({ type: "LIMIT", side: "BUY", tradingsymbol: PE, price: 1 }));
  assert.ok(placed.ok, JSON.stringify(placed));
  const { orderId } = placed.value;
  const book = await broker.orders();
  assert.ok(book.ok);
  const resting = book.value.find((u) => u.orderId === orderId);
  assert.equal(resting?.status, "OPEN");
  assert.equal(resting?.source, "poll");

  const modified = await broker.modifyOrder(orderId, { price: 1.5 });
  assert.ok(modified.ok, JSON.stringify(modified));
  assert.equal(modified.value.orderId, orderId);
  await sim.postbacksIdle();
  await waitFor(
    () => updatesOf(orderId, "socket").some((u) => u.price === 1.5 && u.status === "OPEN"),
    "the modification on the socket",
  );
  assert.ok(updatesOf(orderId, "postback").some((u) => u.price === 1.5 && u.status === "OPEN"));

  const cancelled = await broker.cancelOrder(orderId);
  assert.ok(cancelled.ok, JSON.stringify(cancelled));
  await bothFeedsSay(orderId, "CANCELLED");
  const after = await broker.orders();
  assert.ok(after.ok);
  const final = after.value.find((u) => u.orderId === orderId);
  assert.equal(final?.status, "CANCELLED");
  assert.equal(final?.pendingQuantity, 0);

  // Cancelling again: Kite refuses, and the refusal is the port's failure, message kept.
  const again = await broker.cancelOrder(orderId);
  assert.ok(!again.ok);
  assert.equal(again.error.kind, "input");
  assert.match(again.error.message, /CANCELLED/);
});

test("KiteBroker protective SL SELL below the market → rests TRIGGER PENDING, fills when the replay falls through it", async () => {
  sim.advanceTo("10:06");
  const ltp = await rest.ltp([`BFO:${CE}`]);
  assert.ok(ltp.ok, JSON.stringify(ltp));
  const last = ltp.value[`BFO:${CE}`]?.last_price as number;
  const trigger = Math.floor((last - 10) / 0.05) * 0.05;
  const triggerPrice = Math.round(trigger * 100) / 100;
  const price = Math.round((triggerPrice - 100) * 100) / 100;
  const placed = await broker.placeOrder(order({ type: "SL", side: "SELL", triggerPrice, price }));
  assert.ok(placed.ok, JSON.stringify(placed));
  const { orderId } = placed.value;
  const book = await broker.orders();
  assert.ok(book.ok);
  assert.equal(book.value.find((u) => u.orderId === orderId)?.status, "TRIGGER PENDING");

  // 10:06-10:15 the contract falls from about 600 to 425.
  sim.advanceTo("10:15");
  await bothFeedsSay(orderId, "COMPLETE");
  const fill = updatesOf(orderId, "socket").find((u) => u.status === "COMPLETE") as OrderUpdate;
  assert.equal(fill.type, "SL");
  assert.ok(fill.averagePrice <= triggerPrice && fill.averagePrice >= price, String(fill.averagePrice));
});

test("KiteBroker positions after the buy and the stop → flat, P&L = (stop fill - buy fill) × 20", async () => {
  const positions = await broker.positions();
  assert.ok(positions.ok, JSON.stringify(positions));
  const ce = positions.value.find((p) => p.tradingsymbol === CE);
  assert.ok(ce, JSON.stringify(positions.value));
  assert.equal(ce.quantity, 0);
  assert.equal(ce.product, "MIS");
  assert.equal(ce.exchange, "BFO");
  const book = await broker.orders();
  assert.ok(book.ok);
  const stop = book.value.find((u) => u.tradingsymbol === CE && u.type === "SL" && u.status === "COMPLETE");
  assert.ok(stop && buyFill > 0);
  assert.ok(Math.abs(ce.pnl - (stop.averagePrice - buyFill) * 20) < 0.01, `${ce.pnl}`);
});

test("KiteBroker order rejected by the RMS (sim fault) → an order id, then REJECTED with Kite's message on both feeds", async () => {
  sim.injectFault({ kind: "reject_next_order", message: "RMS: test rejection of the day" });
  const placed = await broker.placeOrder(order({ type: "LIMIT", side: "BUY", tradingsymbol: PE, price: 2 }));
  assert.ok(placed.ok, JSON.stringify(placed));
  const { orderId } = placed.value;
  await bothFeedsSay(orderId, "REJECTED");
  for (const source of ["socket", "postback"] as const) {
    const rejected = updatesOf(orderId, source).find((u) => u.status === "REJECTED");
    assert.equal(rejected?.statusMessage, "RMS: test rejection of the day");
    assert.equal(rejected?.filledQuantity, 0);
    assert.equal(rejected?.pendingQuantity, 0);
  }
});

test("KiteBroker SL-M on an index option → REJECTED by the exchange, sent with market_protection", async () => {
  const placed = await broker.placeOrder(order({ type: "SL-M", side: "SELL", triggerPrice: 100 }));
  assert.ok(placed.ok, JSON.stringify(placed));
  await bothFeedsSay(placed.value.orderId, "REJECTED");
  const rejected = updatesOf(placed.value.orderId, "socket").find((u) => u.status === "REJECTED");
  assert.match(rejected?.statusMessage ?? "", /SL-M/);
  assert.equal(JSON.parse(rejected?.raw ?? "{}").market_protection, -1);
});

test("KiteBroker malformed socket order payloads → ignored and reported, nothing thrown, no update", () => {
  const problems: FeedProblem[] = [];
  const local = new KiteBroker({ rest: fakeRest(), onFeedProblem: (p) => problems.push(p) });
  const heard: OrderUpdate[] = [];
  local.onOrderUpdate((u) => heard.push(u));
  const circular: Record<string, unknown> = { order_id: "1" };
  circular.self = circular;
  const bad: unknown[] = [
    null,
    "COMPLETE",
    42,
    [],
    {},
    { order_id: "1", status: "COMPLETE" },
    { ...kiteOrder(), quantity: "twenty" },
    { ...kiteOrder(), order_type: "BRACKET" },
    circular,
  ];
  for (const payload of bad) assert.equal(local.feedSocketOrder(payload), false);
  assert.equal(heard.length, 0);
  assert.equal(problems.length, bad.length);
  assert.ok(problems.every((p) => p.source === "socket"));
  // A good payload after the bad ones still goes through.
  assert.equal(local.feedSocketOrder(kiteOrder()), true);
  assert.equal(heard.length, 1);
});

test("KiteBroker listener that throws → the other listeners still get the update, the feed does not throw", () => {
  const errors: unknown[] = [];
  const local = new KiteBroker({ rest: fakeRest(), onListenerError: (e) => errors.push(e) });
  const heard: OrderUpdate[] = [];
  local.onOrderUpdate(() => {
    throw new Error("engine bug");
  });
  const stop = local.onOrderUpdate((u) => heard.push(u));
  assert.equal(local.feedSocketOrder(kiteOrder()), true);
  assert.equal(heard.length, 1);
  assert.equal(errors.length, 1);
  stop();
  local.feedSocketOrder(kiteOrder());
  assert.equal(heard.length, 1);
});

test("mapKiteStatus transient Kite statuses → OPEN; final ones kept; a stop's UPDATE → TRIGGER PENDING", () => {
  const cases: Array<[string, string, number, string]> = [
    ["PUT ORDER REQ RECEIVED", "LIMIT", 0, "OPEN"],
    ["VALIDATION PENDING", "MARKET", 0, "OPEN"],
    ["OPEN PENDING", "LIMIT", 0, "OPEN"],
    ["MODIFY VALIDATION PENDING", "LIMIT", 0, "OPEN"],
    ["MODIFY PENDING", "SL", 0, "OPEN"],
    ["MODIFIED", "LIMIT", 0, "OPEN"],
    ["CANCEL PENDING", "LIMIT", 0, "OPEN"],
    ["AMO REQ RECEIVED", "LIMIT", 0, "OPEN"],
    ["OPEN", "LIMIT", 0, "OPEN"],
    ["TRIGGER PENDING", "SL", 0, "TRIGGER PENDING"],
    ["COMPLETE", "MARKET", 20, "COMPLETE"],
    ["CANCELLED", "LIMIT", 0, "CANCELLED"],
    ["CANCELLED AMO", "LIMIT", 0, "CANCELLED"],
    ["REJECTED", "SL-M", 0, "REJECTED"],
    ["UPDATE", "LIMIT", 0, "OPEN"],
    ["UPDATE", "LIMIT", 20, "OPEN"],
    ["UPDATE", "SL", 0, "TRIGGER PENDING"],
    ["UPDATE", "SL", 20, "OPEN"],
  ];
  for (const [status, type, filled, expected] of cases) {
    assert.equal(mapKiteStatus(status, type, filled), expected, `${status} ${type} ${filled}`);
  }
});

test("toPlaceParams MARKET and SL-M → market_protection (-1 by default); prices only where the type uses them", () => {
  const base = { exchange: "BFO", tradingsymbol: CE, quantity: 20, product: "MIS", tag: "t1" } as const;
  assert.deepEqual(toPlaceParams({ ...base, side: "BUY", type: "MARKET", price: 5 }), {
    exchange: "BFO",
    tradingsymbol: CE,
    transaction_type: "BUY",
    order_type: "MARKET",
    quantity: 20,
    product: "MIS",
    validity: "DAY",
    tag: "t1",
    market_protection: -1,
  });
  const slm = toPlaceParams({ ...base, side: "SELL", type: "SL-M", triggerPrice: 90, marketProtection: 5 });
  assert.equal(slm.market_protection, 5);
  assert.equal(slm.trigger_price, 90);
  assert.equal(slm.price, undefined);
  const sl = toPlaceParams({ ...base, side: "SELL", type: "SL", triggerPrice: 90, price: 85 });
  assert.deepEqual([sl.price, sl.trigger_price, sl.market_protection], [85, 90, undefined]);
  const limit = toPlaceParams({ ...base, side: "BUY", type: "LIMIT", price: 10, triggerPrice: 9 });
  assert.deepEqual([limit.price, limit.trigger_price], [10, undefined]);
});

test("KiteBroker stop modified into the exit → PUT carries order_type, price, trigger_price and market_protection as Kite needs", async () => {
  const sent: unknown[] = [];
  const local = new KiteBroker({
    rest: fakeRest({
      modifyOrder: async (id, params) => {
        sent.push([id, params]);
        return kiteOk({ order_id: id });
      },
    }),
  });
  assert.ok((await local.modifyOrder("9", { quantity: 20, type: "MARKET", marketProtection: -1 })).ok);
  await local.modifyOrder("9", { quantity: 20, type: "MARKET" });
  await local.modifyOrder("9", { type: "LIMIT", price: 95.5 });
  await local.modifyOrder("9", { type: "SL", price: 80, triggerPrice: 81 });
  assert.deepEqual(sent, [
    ["9", { quantity: 20, order_type: "MARKET", market_protection: -1 }],
    ["9", { quantity: 20, order_type: "MARKET", market_protection: -1 }],
    ["9", { price: 95.5, order_type: "LIMIT" }],
    ["9", { price: 80, trigger_price: 81, order_type: "SL" }],
  ]);
});

test("KiteBroker placement whose answer was lost and the book unreadable → failure kept uncertain; found by tag → its id and a poll update", async () => {
  const uncertain = new KiteBroker({
    rest: fakeRest({
      placeOrder: async () =>
        kiteFail({ kind: "network", message: "timeout; the order book could not be read", uncertain: true }),
    }),
  });
  const lost = await uncertain.placeOrder(order({ type: "MARKET", side: "BUY" }));
  assert.deepEqual(lost, {
    ok: false,
    error: { kind: "network", message: "timeout; the order book could not be read", uncertain: true },
  });

  const found = new KiteBroker({
    rest: fakeRest({
      placeOrder: async () => kiteOk({ order_id: "250905000000777", via: "lookup", order: kiteOrder() }),
    }),
  });
  const heard: OrderUpdate[] = [];
  found.onOrderUpdate((u) => heard.push(u));
  const placed = await found.placeOrder(order({ type: "MARKET", side: "BUY" }));
  assert.deepEqual(placed, { ok: true, value: { orderId: "250905000000777" } });
  assert.equal(heard.length, 1);
  assert.equal(heard[0]?.source, "poll");
});

/** A well-formed order payload (as GET /orders and the socket carry it). */
function kiteOrder(): KiteOrder {
  return {
    order_id: "250905000000777",
    exchange_order_id: null,
    parent_order_id: null,
    status: "COMPLETE",
    status_message: null,
    order_timestamp: "2025-09-05 09:31:00",
    exchange_timestamp: null,
    exchange_update_timestamp: null,
    variety: "regular",
    exchange: "BFO",
    tradingsymbol: CE,
    instrument_token: 1,
    order_type: "MARKET",
    transaction_type: "BUY",
    validity: "DAY",
    product: "MIS",
    quantity: 20,
    price: 0,
    trigger_price: 0,
    average_price: 650,
    filled_quantity: 20,
    pending_quantity: 0,
    cancelled_quantity: 0,
    tag: "x1",
    tags: ["x1"],
    guid: null,
  };
}

/** A REST stand-in whose calls fail unless given. */
function fakeRest(calls: Partial<KiteBrokerRest> = {}): KiteBrokerRest {
  const no = async () => kiteFail({ kind: "unknown", message: "not in this test" });
  return { placeOrder: no, modifyOrder: no, cancelOrder: no, orders: no, positions: no, ...calls };
}
