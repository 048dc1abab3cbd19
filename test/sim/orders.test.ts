import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, test } from "node:test";
import {
  type Kite,
  type Loose,
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

type Params = Parameters<Kite["placeOrder"]>[1];
const order = (p: Record<string, unknown>): Params =>
  ({ exchange: "BFO", tradingsymbol: TINY_SYMBOL, quantity: 20, product: "MIS", ...p }) as unknown as Params;
const statuses = (history: ReadonlyArray<Loose>) => history.map((h) => String(h.status));
const orderOf = async (kite: Kite, id: string) =>
  (await kite.getOrders()).find((o) => o.order_id === id) as Loose;

test("MARKET order → fills at the next tick; history PUT ORDER REQ RECEIVED … OPEN → COMPLETE; a trade and a position", async () => {
  const { sim, kite } = await tinySim();
  const { order_id: id } = await kite.placeOrder(
    "regular",
    order({ transaction_type: "BUY", order_type: "MARKET", market_protection: 5, tag: "entry1" }),
  );
  assert.match(id, /^250905\d{9}$/);
  assert.equal((await orderOf(kite, id)).status, "OPEN");
  sim.advanceTo("09:15:30");
  const history = (await kite.getOrderHistory(id)) as Array<Loose>;
  assert.deepEqual(statuses(history), [
    "PUT ORDER REQ RECEIVED",
    "VALIDATION PENDING",
    "OPEN PENDING",
    "OPEN",
    "COMPLETE",
  ]);
  const done = history[history.length - 1] as Loose;
  assert.equal(done.average_price, 100);
  assert.equal(done.filled_quantity, 20);
  assert.equal(done.pending_quantity, 0);
  assert.equal(done.tag, "entry1");
  assert.deepEqual(done.tags, ["entry1"]);
  const trades = (await kite.getOrderTrades(id)) as Array<Loose>;
  assert.equal(trades.length, 1);
  assert.equal(trades[0]?.average_price, 100);
  assert.equal(trades[0]?.quantity, 20);
  assert.deepEqual(
    (await kite.getTrades()).map((t) => t.order_id),
    [id],
  );
  const { net, day } = (await kite.getPositions()) as { net: Array<Loose>; day: unknown[] };
  assert.equal(net.length, 1);
  assert.deepEqual(day, net);
  assert.equal(net[0]?.quantity, 20);
  assert.equal(net[0]?.average_price, 100);
  assert.equal(net[0]?.close_price, 96);
});

test("MARKET order whose next tick is beyond its market protection → rests OPEN as a limit at the bound, fills there when the market trades through it", async () => {
  const { sim, kite } = await tinySim();
  await kite.placeOrder(
    "regular",
    order({ transaction_type: "BUY", order_type: "MARKET", market_protection: 5 }),
  );
  sim.advanceTo("09:23:59"); // LTP 110; the next tick gaps down to 90
  const { order_id: id } = await kite.placeOrder(
    "regular",
    order({ transaction_type: "SELL", order_type: "MARKET", market_protection: 2 }),
  );
  sim.advanceTo("09:29:59"); // 90 then 95: below the bound of 107.8
  assert.equal((await orderOf(kite, id)).status, "OPEN");
  sim.advanceTo("09:30:10"); // 120, through the bound: a resting order fills at its own price
  const o = await orderOf(kite, id);
  assert.equal(o.status, "COMPLETE");
  assert.equal(o.average_price, 107.8);
});

test("LIMIT BUY below the market → OPEN until the market trades through it, then COMPLETE at its limit", async () => {
  const { sim, kite } = await tinySim();
  const { order_id: id } = await kite.placeOrder(
    "regular",
    order({ transaction_type: "BUY", order_type: "LIMIT", price: 92 }),
  );
  sim.advanceTo("09:23:59");
  assert.equal((await orderOf(kite, id)).status, "OPEN");
  sim.advanceTo("09:24:30");
  const o = await orderOf(kite, id);
  assert.equal(o.status, "COMPLETE");
  assert.equal(o.average_price, 92); // the trade at 90 went through the resting 92
  assert.equal((await kite.getTrades())[0]?.fill_timestamp instanceof Date, true);
});

test("SL SELL stop → TRIGGER PENDING, triggers on the gap down but its limit is not reached, rests, fills at its limit when the price recovers through it", async () => {
  const { sim, kite } = await tinySim();
  await kite.placeOrder(
    "regular",
    order({ transaction_type: "BUY", order_type: "MARKET", market_protection: 5 }),
  );
  sim.advanceTo("09:21:30"); // LTP 110
  const { order_id: stop } = await kite.placeOrder(
    "regular",
    order({ transaction_type: "SELL", order_type: "SL", trigger_price: 95, price: 94 }),
  );
  assert.equal((await orderOf(kite, stop)).status, "TRIGGER PENDING");
  sim.advanceTo("09:24:30"); // 90: triggered, limit 94 not reachable
  assert.equal((await orderOf(kite, stop)).status, "OPEN");
  sim.advanceTo("09:27:30"); // 95 > 94: traded through the resting limit
  const history = (await kite.getOrderHistory(stop)) as Array<Loose>;
  assert.deepEqual(statuses(history).slice(3), ["TRIGGER PENDING", "OPEN", "COMPLETE"]);
  assert.equal(history[history.length - 1]?.average_price, 94);
  const position = ((await kite.getPositions()) as { net: Array<Loose> }).net[0] as Loose;
  assert.equal(position.quantity, 0);
  assert.equal(position.pnl, (94 - 100) * 20);
});

test("order validation → InputException for a long tag, no market protection, a broken lot, an off-tick price, a bad trigger", async () => {
  const { kite } = await tinySim();
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ transaction_type: "BUY", order_type: "LIMIT", price: 100, tag: "x".repeat(21) }, /Tag length/],
    [
      { transaction_type: "BUY", order_type: "MARKET" },
      /^Market orders without market protection are not allowed$/,
    ],
    [
      { transaction_type: "BUY", order_type: "LIMIT", price: 100, quantity: 30 },
      /multiple of the lot size \(20\)/,
    ],
    [{ transaction_type: "BUY", order_type: "LIMIT", price: 100.03 }, /Tick size for this script is 0.05/],
    [
      { transaction_type: "SELL", order_type: "SL", trigger_price: 101, price: 100 },
      /^Trigger price for stoploss sell orders should be lower than the last traded price$/,
    ],
    [{ transaction_type: "BUY", order_type: "STOP" }, /order_type/],
    [{ transaction_type: "BUY", order_type: "LIMIT", price: 100, tradingsymbol: "NOPE" }, /tradingsymbol/],
  ];
  for (const [params, message] of cases) {
    const e = await rejection(kite.placeOrder("regular", order(params)));
    assert.equal(e.error_type, "InputException", JSON.stringify(params));
    assert.match(e.message, message);
  }
  assert.deepEqual(await kite.getOrders(), []);
  const amo = await rejection(
    kite.placeOrder("amo", order({ transaction_type: "BUY", order_type: "LIMIT", price: 100 })),
  );
  assert.equal(amo.error_type, "InputException");
});

test("SL-M on an index option → accepted, then REJECTED with a status message (the exchange refuses it)", async () => {
  const { kite } = await tinySim();
  const { order_id: id } = await kite.placeOrder(
    "regular",
    order({ transaction_type: "SELL", order_type: "SL-M", trigger_price: 90, market_protection: -1 }),
  );
  const history = (await kite.getOrderHistory(id)) as Array<Loose>;
  assert.deepEqual(statuses(history), ["PUT ORDER REQ RECEIVED", "VALIDATION PENDING", "REJECTED"]);
  assert.match(String(history[2]?.status_message), /SL-M/);
});

test("a BUY beyond the cash available → REJECTED with Kite's insufficient-funds message", async () => {
  const { kite } = await tinySim({ openingBalance: 1000 });
  const { order_id: id } = await kite.placeOrder(
    "regular",
    order({ transaction_type: "BUY", order_type: "LIMIT", price: 100 }),
  );
  const o = await orderOf(kite, id);
  assert.equal(o.status, "REJECTED");
  assert.equal(
    o.status_message,
    "Insufficient funds. Required margin is 2000.00 but available margin is 1000.00. Check the orderbook for open orders.",
  );
});

test("modify a LIMIT order → MODIFY VALIDATION PENDING, MODIFY PENDING, MODIFIED, OPEN; it then fills at the new price", async () => {
  const { sim, kite } = await tinySim();
  const { order_id: id } = await kite.placeOrder(
    "regular",
    order({ transaction_type: "BUY", order_type: "LIMIT", price: 80 }),
  );
  await kite.modifyOrder("regular", id, { price: 105 });
  const o = await orderOf(kite, id);
  assert.equal(o.price, 105);
  assert.equal(o.modified, true);
  assert.deepEqual(statuses((await kite.getOrderHistory(id)) as Array<{ status: string }>).slice(4), [
    "MODIFY VALIDATION PENDING",
    "MODIFY PENDING",
    "MODIFIED",
    "OPEN",
  ]);
  sim.advanceTo("09:15:10");
  assert.equal((await orderOf(kite, id)).average_price, 100);
  const e = await rejection(kite.modifyOrder("regular", id, { price: 99 }));
  assert.equal(e.error_type, "InputException");
});

test("a 26th modification → Kite's 'Maximum allowed order modifications exceeded.'", async () => {
  const { kite } = await tinySim();
  const { order_id: id } = await kite.placeOrder(
    "regular",
    order({ transaction_type: "BUY", order_type: "LIMIT", price: 50 }),
  );
  for (let i = 0; i < 25; i++) await kite.modifyOrder("regular", id, { price: 50 + (i % 2) * 0.05 });
  const e = await rejection(kite.modifyOrder("regular", id, { price: 51 }));
  assert.equal(e.message, "Maximum allowed order modifications exceeded.");
});

test("cancel an open order → CANCEL PENDING, CANCELLED with the quantity cancelled; cancelling again → error", async () => {
  const { sim, kite } = await tinySim();
  const { order_id: id } = await kite.placeOrder(
    "regular",
    order({ transaction_type: "BUY", order_type: "LIMIT", price: 50, quantity: 40 }),
  );
  assert.deepEqual(await kite.cancelOrder("regular", id), { order_id: id });
  const history = (await kite.getOrderHistory(id)) as Array<Loose>;
  assert.deepEqual(statuses(history).slice(-2), ["CANCEL PENDING", "CANCELLED"]);
  assert.equal(history[history.length - 1]?.cancelled_quantity, 40);
  assert.equal(history[history.length - 1]?.pending_quantity, 0);
  sim.advanceTo("09:40:00");
  assert.equal((await orderOf(kite, id)).status, "CANCELLED");
  assert.equal((await rejection(kite.cancelOrder("regular", id))).error_type, "InputException");
  assert.equal((await rejection(kite.getOrderHistory("999"))).error_type, "InputException");
});

test("the session's end (15:30) → the exchange cancels what is still open; orders after it → markets closed", async () => {
  const { sim, kite } = await tinySim();
  const { order_id: id } = await kite.placeOrder(
    "regular",
    order({ transaction_type: "BUY", order_type: "LIMIT", price: 50 }),
  );
  sim.advanceTo("15:30:00");
  assert.equal((await orderOf(kite, id)).status, "CANCELLED");
  const e = await rejection(
    kite.placeOrder("regular", order({ transaction_type: "BUY", order_type: "LIMIT", price: 50 })),
  );
  assert.match(e.message, /Markets are closed/);
});

test("order updates → POSTed to the postback URL with a valid checksum, and sent on the socket as 'order' text frames", async () => {
  const catcher = await postbackCatcher();
  try {
    const { sim, kite, accessToken } = await tinySim({ postbackUrl: catcher.url });
    const socket = await openSocket(sim, accessToken);
    const { order_id: id } = await kite.placeOrder(
      "regular",
      order({ transaction_type: "BUY", order_type: "LIMIT", price: 50 }),
    );
    await kite.modifyOrder("regular", id, { price: 100 });
    sim.advanceTo("09:15:10");
    await sim.postbacksIdle();
    await waitFor(() => socket.texts.length >= 2, 2000, "order frames");
    assert.deepEqual(
      catcher.received.map((r) => r.json.status),
      ["UPDATE", "COMPLETE"],
    );
    for (const { json, contentType } of catcher.received) {
      assert.equal(contentType, "application/json");
      const expected = createHash("sha256")
        .update(`${json.order_id}${json.order_timestamp}${sim.apiSecret}`)
        .digest("hex");
      assert.equal(json.checksum, expected);
      assert.equal(json.order_id, id);
      assert.match(String(json.order_timestamp), /^2025-09-05 \d{2}:\d{2}:\d{2}$/);
      for (const k of [
        "user_id",
        "unfilled_quantity",
        "app_id",
        "placed_by",
        "exchange_order_id",
        "filled_quantity",
        "average_price",
        "guid",
      ]) {
        assert.ok(k in json, k);
      }
    }
    const complete = catcher.received[1]?.json as Record<string, unknown>;
    assert.equal(complete.filled_quantity, 20);
    assert.equal(complete.average_price, 100);
    assert.deepEqual(
      socket.texts.map((t) => t.type),
      ["order", "order"],
    );
    assert.deepEqual(socket.texts[1]?.data, complete);
    socket.ws.close();
  } finally {
    await catcher.close();
  }
});

test("a postback URL that fails → logged, not retried, and the simulator keeps working", async () => {
  const lines: string[] = [];
  const { sim, kite } = await tinySim({
    postbackUrl: "http://127.0.0.1:1/postback",
    log: (l) => lines.push(l),
  });
  await kite.placeOrder(
    "regular",
    order({ transaction_type: "BUY", order_type: "MARKET", market_protection: 5 }),
  );
  sim.advanceTo("09:15:10");
  await sim.postbacksIdle();
  assert.equal(sim.state().postbacks.failed, 1);
  assert.match(lines.join("\n"), /postback \d+ COMPLETE failed/);
  assert.equal((await kite.getOrders())[0]?.status, "COMPLETE");
});
