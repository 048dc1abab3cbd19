/**
 * PaperBroker: every fill rule with hand-computed prices (tick 0.05), the orders' life cycle,
 * Kite's refusals, positions with realised P&L and charges, and determinism.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Tick } from "../../../src/adapters/kite/ticker-protocol.js";
import { PaperBroker, type PaperBrokerOptions } from "../../../src/adapters/paper/paper-broker.js";
import { istEpochMs } from "../../../src/domain/ist.js";
import type { OrderRequest, OrderUpdate } from "../../../src/ports/broker.js";
import { ManualClock } from "../../../src/ports/clock.js";

const S = "SENSEX2591180500CE";
/** 2025-09-05 09:30:00 IST. */
const T0 = istEpochMs("2025-09-05", 9 * 60 + 30);

let tags = 0;
function req(fields: Partial<OrderRequest> & Pick<OrderRequest, "type" | "side">): OrderRequest {
  return { exchange: "BFO", tradingsymbol: S, quantity: 20, product: "MIS", tag: `p${++tags}`, ...fields };
}

/** A broker at T0 that has seen one trade of S at `ltp` (at T0 - 1 s), and the updates it pushes. */
function setup(options: Partial<PaperBrokerOptions> = {}, ltp: number | null = 100) {
  const clock = new ManualClock(T0);
  const broker = new PaperBroker({ clock, ...options });
  const updates: OrderUpdate[] = [];
  broker.onOrderUpdate((u) => updates.push(u));
  if (ltp !== null) broker.onTick(S, ltp, T0 - 1000);
  /** Moves the clock by `ms` and plays a trade of S then. */
  const tick = (price: number, ms = 1000, symbol = S) => {
    clock.advance(ms);
    broker.onTick(symbol, price, clock.now());
  };
  const place = async (r: OrderRequest) => {
    const placed = await broker.placeOrder(r);
    assert.ok(placed.ok, JSON.stringify(placed));
    return placed.value.orderId;
  };
  const last = (orderId: string) => updates.filter((u) => u.orderId === orderId).at(-1) as OrderUpdate;
  return { clock, broker, updates, tick, place, last };
}

test("PaperBroker MARKET BUY, 2 ticks slippage → not on a tick of the placement's millisecond, then next tick + 0.10", async () => {
  const { broker, clock, place, last, tick } = setup({ slippage: { ticks: 2 } });
  const id = await place(req({ type: "MARKET", side: "BUY" }));
  assert.equal(last(id).status, "OPEN");
  broker.onTick(S, 99, clock.now()); // same millisecond as the placement: too early
  assert.equal(last(id).status, "OPEN");
  tick(101, 1);
  const fill = last(id);
  assert.equal(fill.status, "COMPLETE");
  assert.equal(fill.averagePrice, 101.1);
  assert.equal(fill.filledQuantity, 20);
  assert.equal(fill.pendingQuantity, 0);
  assert.equal(fill.source, "paper");
});

test("PaperBroker MARKET SELL, 0.5% slippage → 200.30 - 1.0015 rounded down to the tick: 199.25", async () => {
  const { place, last, tick } = setup({ slippage: { percent: 0.5 } }, 200);
  const id = await place(req({ type: "MARKET", side: "SELL" }));
  tick(200.3);
  assert.equal(last(id).averagePrice, 199.25);
});

test("PaperBroker MARKET BUY with 1% protection from LTP 100 → slippage capped at 101.00; beyond the bound it rests, then fills at the bound", async () => {
  const capped = setup({ slippage: { ticks: 3 } });
  const a = await capped.place(req({ type: "MARKET", side: "BUY", marketProtection: 1 }));
  capped.tick(100.95); // 100.95 + 0.15 = 101.10, above the bound
  assert.equal(capped.last(a).averagePrice, 101);

  const runaway = setup({ slippage: { ticks: 3 } });
  const b = await runaway.place(req({ type: "MARKET", side: "BUY", marketProtection: 1 }));
  runaway.tick(102);
  assert.equal(runaway.last(b).status, "OPEN");
  runaway.tick(100.5); // resting at its bound: filled there, no slippage, no improvement
  assert.equal(runaway.last(b).status, "COMPLETE");
  assert.equal(runaway.last(b).averagePrice, 101);
});

test("PaperBroker MARKET without market protection → tolerated as -1 (2%, bound from the first tick when no LTP is known)", async () => {
  const { place, last, tick, updates } = setup({ slippage: { ticks: 1 } }, null);
  const id = await place(req({ type: "MARKET", side: "BUY" }));
  assert.equal(JSON.parse(updates[0]?.raw ?? "{}").market_protection, -1);
  tick(50);
  assert.equal(last(id).averagePrice, 50.05);
});

test("PaperBroker LIMIT BUY → marketable on arrival fills at tick + slippage; resting fills at its limit when the price reaches it", async () => {
  const marketable = setup({ slippage: { ticks: 2 } });
  const a = await marketable.place(req({ type: "LIMIT", side: "BUY", price: 105 }));
  marketable.tick(100);
  assert.equal(marketable.last(a).averagePrice, 100.1);

  const resting = setup({ slippage: { ticks: 2 } });
  const b = await resting.place(req({ type: "LIMIT", side: "BUY", price: 95 }));
  resting.tick(96);
  resting.tick(95.05);
  assert.equal(resting.last(b).status, "OPEN");
  resting.tick(94); // gapped through the limit: filled at 95.00, not 94.10
  assert.equal(resting.last(b).status, "COMPLETE");
  assert.equal(resting.last(b).averagePrice, 95);
});

test("PaperBroker resting LIMIT SELL → not filled by trades at its limit (queue ahead), filled at its limit when the market trades through it", async () => {
  const { place, last, tick } = setup({ slippage: { ticks: 1 } });
  const id = await place(req({ type: "LIMIT", side: "SELL", price: 110 }));
  tick(109.95);
  tick(110);
  assert.equal(last(id).status, "OPEN");
  tick(110.05);
  assert.equal(last(id).status, "COMPLETE");
  assert.equal(last(id).averagePrice, 110);
});

test("PaperBroker SL SELL (protective stop) → TRIGGER PENDING; crossed: fills on that tick at max(tick - slippage, limit)", async () => {
  const { place, last, tick, updates } = setup({ slippage: { ticks: 1 } });
  const id = await place(req({ type: "SL", side: "SELL", triggerPrice: 90, price: 85 }));
  assert.equal(last(id).status, "TRIGGER PENDING");
  tick(91);
  assert.equal(last(id).status, "TRIGGER PENDING");
  tick(89.5);
  assert.equal(last(id).status, "COMPLETE");
  assert.equal(last(id).averagePrice, 89.45);
  assert.deepEqual(
    updates.filter((u) => u.orderId === id).map((u) => u.status),
    ["TRIGGER PENDING", "COMPLETE"],
  );
});

test("PaperBroker SL SELL gapping below its limit → triggered, rests OPEN, fills at the limit when the price comes back", async () => {
  const { place, last, tick } = setup({ slippage: { ticks: 1 } });
  const id = await place(req({ type: "SL", side: "SELL", triggerPrice: 90, price: 85 }));
  tick(84);
  assert.equal(last(id).status, "OPEN");
  assert.equal(last(id).filledQuantity, 0);
  tick(84.95);
  assert.equal(last(id).status, "OPEN");
  tick(86);
  assert.equal(last(id).status, "COMPLETE");
  assert.equal(last(id).averagePrice, 85);
});

test("PaperBroker SL BUY → triggers at or above the trigger, fills at min(tick + slippage, limit)", async () => {
  const { place, last, tick } = setup({ slippage: { ticks: 4 } });
  const id = await place(req({ type: "SL", side: "BUY", triggerPrice: 110, price: 110.1 }));
  tick(109.95);
  assert.equal(last(id).status, "TRIGGER PENDING");
  tick(110); // 110 + 0.20 = 110.20, capped at 110.10
  assert.equal(last(id).averagePrice, 110.1);
});

test("PaperBroker SL-M SELL on a stock → triggered at 89.90, fills at 89.85 (1 tick), bounded by 2% from there (88.10)", async () => {
  const { broker, place, last, clock } = setup({ slippage: { ticks: 1 } }, null);
  broker.onTick("INFY", 100, T0 - 1000);
  const id = await place(
    req({ exchange: "NSE", tradingsymbol: "INFY", type: "SL-M", side: "SELL", triggerPrice: 90 }),
  );
  clock.advance(1000);
  broker.onTick("INFY", 90.05, clock.now());
  assert.equal(last(id).status, "TRIGGER PENDING");
  clock.advance(1000);
  broker.onTick("INFY", 89.9, clock.now());
  assert.equal(last(id).averagePrice, 89.85);

  // A large slippage meets the bound: 89.90 - 5.00 = 84.90 is below floor(89.90 × 0.98) = 88.10.
  const wide = setup({ slippage: { ticks: 100 } }, null);
  wide.broker.onTick("INFY", 100, T0 - 1000);
  const w = await wide.place(
    req({ exchange: "NSE", tradingsymbol: "INFY", type: "SL-M", side: "SELL", triggerPrice: 90 }),
  );
  wide.tick(89.9, 1000, "INFY");
  assert.equal(wide.last(w).averagePrice, 88.1);
});

test("PaperBroker SL-M on a SENSEX option → an order id and a REJECTED update with the exchange's reason", async () => {
  const { broker, place, last, tick } = setup();
  const id = await place(req({ type: "SL-M", side: "SELL", triggerPrice: 90 }));
  assert.equal(last(id).status, "REJECTED");
  assert.match(last(id).statusMessage ?? "", /SL-M orders are blocked for index options/);
  tick(80);
  assert.equal(last(id).status, "REJECTED");
  const orders = await broker.orders();
  assert.ok(orders.ok);
  assert.equal(orders.value[0]?.status, "REJECTED");
});

test("PaperBroker requests Kite refuses outright → input failures, no order, no update", async () => {
  const { broker, place, updates } = setup({ lotSizes: new Map([[S, 20]]) });
  const refused: Array<[OrderRequest, RegExp]> = [
    [req({ type: "LIMIT", side: "BUY", price: 90, quantity: 30 }), /multiple of the lot size \(20\)/],
    [req({ type: "LIMIT", side: "BUY", price: 90, quantity: 0 }), /quantity/],
    [req({ type: "LIMIT", side: "BUY", price: 90.03 }), /Tick size/],
    [req({ type: "LIMIT", side: "BUY" }), /price/],
    [req({ type: "SL", side: "SELL", triggerPrice: 101, price: 100 }), /lower than the last traded price/],
    [req({ type: "SL", side: "SELL", triggerPrice: 90, price: 95 }), /higher than or equal to the price/],
    [req({ type: "SL", side: "BUY", triggerPrice: 99, price: 100 }), /higher than the last traded price/],
    [req({ type: "MARKET", side: "BUY", marketProtection: 150 }), /market_protection/],
    [req({ type: "MARKET", side: "BUY", tag: "has space" }), /tag/],
  ];
  for (const [request, message] of refused) {
    const r = await broker.placeOrder(request);
    assert.ok(!r.ok, JSON.stringify(request));
    assert.equal(r.error.kind, "input");
    assert.match(r.error.message, message);
  }
  const ok = await place(req({ type: "LIMIT", side: "BUY", price: 90, tag: "once" }));
  const reused = await broker.placeOrder(req({ type: "LIMIT", side: "BUY", price: 90, tag: "once" }));
  assert.ok(!reused.ok && /already sent/.test(reused.error.message));
  const orders = await broker.orders();
  assert.ok(orders.ok);
  assert.deepEqual(
    orders.value.map((o) => o.orderId),
    [ok],
  );
  assert.equal(updates.length, 1);
});

test("PaperBroker cancel → CANCELLED once; again → ok without an update; never filled after; a filled or unknown order → refused", async () => {
  const { broker, place, last, tick, updates } = setup();
  const id = await place(req({ type: "LIMIT", side: "BUY", price: 95 }));
  assert.deepEqual(await broker.cancelOrder(id), { ok: true, value: { orderId: id } });
  assert.equal(last(id).status, "CANCELLED");
  assert.equal(last(id).pendingQuantity, 0);
  const count = updates.length;
  assert.deepEqual(await broker.cancelOrder(id), { ok: true, value: { orderId: id } });
  assert.equal(updates.length, count);
  tick(90);
  assert.equal(last(id).status, "CANCELLED");

  const filled = await place(req({ type: "MARKET", side: "BUY" }));
  tick(90.5);
  assert.equal(last(filled).status, "COMPLETE");
  const refused = await broker.cancelOrder(filled);
  assert.ok(!refused.ok && /COMPLETE/.test(refused.error.message));
  const unknown = await broker.cancelOrder("nope");
  assert.ok(!unknown.ok && unknown.error.kind === "input");
  const modified = await broker.modifyOrder(id, { price: 96 });
  assert.ok(!modified.ok && /CANCELLED/.test(modified.error.message));
});

test("PaperBroker modify a resting LIMIT → new price, re-armed after the modification, fills on the next tick at min(tick + slippage, limit)", async () => {
  const { broker, clock, place, last, tick } = setup({ slippage: { ticks: 1 } });
  const id = await place(req({ type: "LIMIT", side: "BUY", price: 95 }));
  tick(98);
  const r = await broker.modifyOrder(id, { price: 99 });
  assert.ok(r.ok);
  assert.equal(last(id).price, 99);
  assert.equal(last(id).status, "OPEN");
  broker.onTick(S, 98, clock.now()); // the modification's own millisecond
  assert.equal(last(id).status, "OPEN");
  tick(98, 1);
  assert.equal(last(id).averagePrice, 98.05);
});

test("PaperBroker modify an SL's trigger → stays TRIGGER PENDING, triggers at the new level only; to SL-M on an index option → refused", async () => {
  const { broker, place, last, tick } = setup();
  const id = await place(req({ type: "SL", side: "SELL", triggerPrice: 90, price: 80 }));
  const slm = await broker.modifyOrder(id, { type: "SL-M" });
  assert.ok(!slm.ok && /SL-M orders are blocked/.test(slm.error.message));
  const r = await broker.modifyOrder(id, { triggerPrice: 95, price: 94 });
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(last(id).status, "TRIGGER PENDING");
  assert.equal(last(id).triggerPrice, 95);
  tick(95.05);
  assert.equal(last(id).status, "TRIGGER PENDING");
  tick(94.5);
  assert.equal(last(id).averagePrice, 94.5);
});

test("PaperBroker orders() → every order at its latest state, in placement order, with the placement timestamp", async () => {
  const { broker, place, tick } = setup();
  const a = await place(req({ type: "LIMIT", side: "BUY", price: 95 }));
  const b = await place(req({ type: "SL", side: "SELL", triggerPrice: 90, price: 85 }));
  const c = await place(req({ type: "MARKET", side: "BUY" }));
  await broker.cancelOrder(a);
  tick(100);
  const orders = await broker.orders();
  assert.ok(orders.ok);
  assert.deepEqual(
    orders.value.map((o) => [o.orderId, o.status, o.orderTimestamp]),
    [
      [a, "CANCELLED", "2025-09-05 09:30:00"],
      [b, "TRIGGER PENDING", "2025-09-05 09:30:00"],
      [c, "COMPLETE", "2025-09-05 09:30:00"],
    ],
  );
  assert.deepEqual([a, b, c], ["PAPER000001", "PAPER000002", "PAPER000003"]);
});

test("PaperBroker long round trip 20 × 101.10 → 120.00 → flat, gross 378.00, charges 51.36, net 326.64", async () => {
  const { broker, place, tick } = setup({ slippage: { ticks: 2 } });
  await place(req({ type: "MARKET", side: "BUY" }));
  tick(101);
  tick(105);
  let positions = await broker.positions();
  assert.ok(positions.ok);
  // Open: 20 × (105 - 101.10) = 78.00 unrealised.
  assert.deepEqual(positions.value, [
    {
      tradingsymbol: S,
      exchange: "BFO",
      product: "MIS",
      quantity: 20,
      averagePrice: 101.1,
      lastPrice: 105,
      pnl: 78,
    },
  ]);
  await place(req({ type: "LIMIT", side: "SELL", price: 120 }));
  tick(119.95);
  tick(121);
  positions = await broker.positions();
  assert.ok(positions.ok);
  assert.deepEqual(positions.value, [
    {
      tradingsymbol: S,
      exchange: "BFO",
      product: "MIS",
      quantity: 0,
      averagePrice: 0,
      lastPrice: 121,
      pnl: 378,
    },
  ]);
  // Buy 2022.00, sell 2400.00: brokerage 40, STT 2.40, exchange 1.44, SEBI 0.00, GST 7.46, stamp 0.06.
  const [trip] = broker.roundTrips();
  assert.equal(trip?.direction, "long");
  assert.deepEqual(trip?.charges, {
    brokerage: 40,
    stt: 2.4,
    exchange: 1.44,
    sebi: 0,
    gst: 7.46,
    stamp: 0.06,
    total: 51.36,
  });
  assert.deepEqual(broker.realisedPnl(), { gross: 378, charges: 51.36, net: 326.64 });
});

test("PaperBroker short round trip and a position flip → realised on the closed part only, average of the rest", async () => {
  const { broker, place, tick } = setup({}, null);
  await place(req({ type: "MARKET", side: "SELL" }));
  tick(50); // short 20 @ 50
  await place(req({ type: "MARKET", side: "BUY", quantity: 40 }));
  tick(45); // covers 20 @ 45 (+100), then long 20 @ 45
  const positions = await broker.positions();
  assert.ok(positions.ok);
  assert.equal(positions.value[0]?.quantity, 20);
  assert.equal(positions.value[0]?.averagePrice, 45);
  assert.equal(positions.value[0]?.pnl, 100);
  const [trip] = broker.roundTrips();
  assert.deepEqual(
    [trip?.direction, trip?.buyPrice, trip?.sellPrice, trip?.grossPnl],
    ["short", 45, 50, 100],
  );
});

test("PaperBroker onTicks with a token map → tradable ticks matched at the clock's time, index ticks and unknown tokens ignored", async () => {
  const { broker, clock, place, last } = setup();
  const id = await place(req({ type: "LIMIT", side: "BUY", price: 99 }));
  const names = new Map([[12345, S]]);
  const frame: Tick[] = [
    { mode: "full", tradable: false, instrument_token: 12345, last_price: 10 },
    { mode: "full", tradable: true, instrument_token: 999, last_price: 10 },
  ];
  clock.advance(500);
  broker.onTicks(frame, (t) => names.get(t));
  assert.equal(last(id).status, "OPEN");
  broker.onTicks([{ mode: "ltp", tradable: true, instrument_token: 12345, last_price: 98.5 }], (t) =>
    names.get(t),
  );
  assert.equal(last(id).averagePrice, 98.5);
});

test("PaperBroker same ticks and orders twice → the same ids, updates and fills", async () => {
  const run = async () => {
    const { broker, place, tick, updates } = setup({ slippage: { percent: 0.3 } });
    await place(req({ type: "MARKET", side: "BUY", tag: "d1" }));
    await place(req({ type: "SL", side: "SELL", triggerPrice: 95, price: 90, tag: "d2" }));
    for (const p of [100.4, 101, 97.3, 94.85, 93, 96]) tick(p);
    return { updates, positions: await broker.positions(), pnl: broker.realisedPnl() };
  };
  const first = await run();
  const second = await run();
  assert.ok(first.updates.length >= 4);
  assert.deepEqual(second, first);
});

test("PaperBroker listener that throws → reported, other listeners still hear, the tick feed does not throw", async () => {
  const errors: unknown[] = [];
  const { broker, place, tick, updates } = setup({ onListenerError: (e) => errors.push(e) });
  broker.onOrderUpdate(() => {
    throw new Error("engine bug");
  });
  await place(req({ type: "MARKET", side: "BUY" }));
  tick(100);
  assert.equal(updates.at(-1)?.status, "COMPLETE");
  assert.equal(errors.length, 2);
});

test("PaperBroker modify a resting SL SELL into MARKET with marketProtection 1 → OPEN at once; bounded at 1 % of the last price (99.00), not the automatic 2 %", async () => {
  const { broker, place, last, tick } = setup({ slippage: { ticks: 1 } });
  const id = await place(req({ type: "SL", side: "SELL", triggerPrice: 90, price: 88 }));
  const r = await broker.modifyOrder(id, { type: "MARKET", marketProtection: 1 });
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual([last(id).type, last(id).status], ["MARKET", "OPEN"]);
  assert.equal(JSON.parse(last(id).raw).market_protection, 1);
  tick(98.5); // below the 99.00 bound: rests there as a limit
  assert.equal(last(id).status, "OPEN");
  tick(99.5); // traded through 99.00
  assert.deepEqual([last(id).status, last(id).averagePrice], ["COMPLETE", 99]);
});

test("PaperBroker modify an SL SELL into a marketable LIMIT with a smaller quantity → sells that quantity on the next tick at the bid", async () => {
  const { broker, place, last, clock } = setup();
  const id = await place(req({ type: "SL", side: "SELL", triggerPrice: 90, price: 88, quantity: 40 }));
  const r = await broker.modifyOrder(id, { type: "LIMIT", price: 99, quantity: 20 });
  assert.ok(r.ok, JSON.stringify(r));
  clock.advance(1000);
  broker.onTick(S, 100, clock.now(), {
    bestBid: { price: 99.9, quantity: 100 },
    bestAsk: { price: 100.05, quantity: 100 },
  });
  assert.deepEqual(
    [last(id).type, last(id).status, last(id).filledQuantity, last(id).averagePrice],
    ["LIMIT", "COMPLETE", 20, 99.9],
  );
});

test("PaperBroker modify a triggered SL resting below a gap into MARKET → sells on the next tick instead of waiting for its limit", async () => {
  const { broker, place, last, tick } = setup({ slippage: { ticks: 1 } });
  const id = await place(req({ type: "SL", side: "SELL", triggerPrice: 90, price: 88 }));
  tick(85); // triggered; its limit 88 out of reach
  assert.deepEqual([last(id).status, last(id).filledQuantity], ["OPEN", 0]);
  const r = await broker.modifyOrder(id, { type: "MARKET", marketProtection: 5 });
  assert.ok(r.ok, JSON.stringify(r));
  tick(84.8);
  assert.deepEqual([last(id).status, last(id).averagePrice], ["COMPLETE", 84.75]);
});

test("PaperBroker marketable orders with the feed's depth → a BUY pays the best ask, a SELL gets the best bid (not the last price)", async () => {
  const { broker, place, last, clock } = setup({ slippage: { ticks: 1 } });
  const buy = await place(req({ type: "MARKET", side: "BUY" }));
  const sell = await place(req({ type: "MARKET", side: "SELL" }));
  clock.advance(1000);
  broker.onTick(S, 100, clock.now(), {
    bestBid: { price: 99.8, quantity: 500 },
    bestAsk: { price: 100.3, quantity: 500 },
  });
  assert.equal(last(buy).averagePrice, 100.3);
  assert.equal(last(sell).averagePrice, 99.8);
});

test("PaperBroker onTicks of full-mode packets → the depth's best ask and the level's quantity decide the fill (a partial fill, then the rest)", async () => {
  const { broker, clock, place, last } = setup({ lotSizes: new Map([[S, 20]]) });
  const id = await place(req({ type: "MARKET", side: "BUY", quantity: 60 }));
  const names = new Map([[7, S]]);
  const level = (price: number, quantity: number) => ({ price, quantity, orders: 1 });
  clock.advance(1000);
  broker.onTicks(
    [
      {
        mode: "full",
        tradable: true,
        instrument_token: 7,
        last_price: 100,
        depth: { buy: [level(99.95, 200)], sell: [level(100.1, 20)] },
      },
    ],
    (t) => names.get(t),
  );
  assert.deepEqual([last(id).status, last(id).filledQuantity, last(id).averagePrice], ["OPEN", 20, 100.1]);
  clock.advance(1000);
  broker.onTicks(
    [
      {
        mode: "full",
        tradable: true,
        instrument_token: 7,
        last_price: 100.1,
        depth: { buy: [level(100.05, 200)], sell: [level(100.2, 200)] },
      },
    ],
    (t) => names.get(t),
  );
  assert.deepEqual(
    [last(id).status, last(id).filledQuantity, last(id).averagePrice],
    ["COMPLETE", 60, 100.17],
  );
});
