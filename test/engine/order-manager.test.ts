import assert from "node:assert/strict";
import { test } from "node:test";
import { PaperBroker } from "../../src/adapters/paper/paper-broker.js";
import { Store } from "../../src/adapters/sqlite/store.js";
import { executionConfig } from "../../src/engine/execution-config.js";
import { OrderManager } from "../../src/engine/order-manager.js";
import type { OrderRequest, OrderUpdate } from "../../src/ports/broker.js";
import { ManualClock } from "../../src/ports/clock.js";
import { bind, entered, ScriptedBroker, SYM, TRADE, world } from "./order-manager-world.js";

test("OrderManager LIMIT entry filled → position OPEN, SL SELL stop at stop_loss -10% (81) with limit 2% below (79.35)", async () => {
  const w = world();
  await w.om.enter({ tradeId: TRADE, symbol: SYM, quantity: 20, stopLoss: 90 });
  const [entry] = await w.book();
  assert.equal(entry?.tag, "E20250905001");
  assert.equal(entry?.type, "LIMIT");
  assert.equal(entry?.price, 100.5); // 100 × 1.005, up to the tick
  w.tick(100);
  await w.om.idle();
  assert.deepEqual(
    w.names("entry_filled").map((e) => [e.quantity, e.averagePrice]),
    [[20, 100]],
  );
  const stop = (await w.book()).find((o) => o.type === "SL");
  assert.equal(stop?.tag, "S20250905001a");
  assert.equal(stop?.side, "SELL");
  assert.equal(stop?.status, "TRIGGER PENDING");
  assert.equal(stop?.quantity, 20);
  assert.equal(stop?.triggerPrice, 81);
  assert.equal(stop?.price, 79.35);
  assert.equal(w.names("stop_placed").length, 1);
  const pos = w.store.positions.byTradeId(TRADE);
  assert.equal(pos?.state, "OPEN");
  assert.equal(pos?.quantity, 20);
});

test("OrderManager entry not filled in time → cancelled at the broker, entry_failed, position closed, no stop", async () => {
  const w = world();
  await w.om.enter({ tradeId: TRADE, symbol: SYM, quantity: 20, stopLoss: 90 });
  w.tick(110); // above the limit: no fill
  w.clock.advance(28_000);
  w.om.poll();
  await w.om.idle();
  assert.equal((await w.book())[0]?.status, "OPEN");
  w.clock.advance(1_000);
  w.om.poll();
  await w.om.idle();
  const orders = await w.book();
  assert.equal(orders.length, 1);
  assert.equal(orders[0]?.status, "CANCELLED");
  assert.equal(w.names("entry_failed").length, 1);
  assert.equal(w.store.positions.byTradeId(TRADE)?.state, "CLOSED");
});

test("OrderManager exit → the resting stop modified into a MARKET sell (no cancel, no second order), exit_filled, position CLOSED", async () => {
  const w = world();
  await entered(w);
  // Never naked: at every update the broker sends, a SELL of ours rests or has sold everything.
  const sells: string[] = [];
  w.broker.onOrderUpdate((u) => {
    if (u.side === "SELL") sells.push(`${u.tag} ${u.type} ${u.status}`);
  });
  await w.om.exit(TRADE, "TARGET");
  await w.om.idle();
  let orders = await w.book();
  assert.equal(orders.length, 2);
  const stop = orders.find((o) => o.tag === "S20250905001a");
  assert.equal(stop?.type, "MARKET");
  assert.equal(stop?.status, "OPEN");
  assert.equal(stop?.quantity, 20);
  // The store knows the stop is now the exit: its type, and the position's exit order.
  const stored = w.store.orders.byTag("S20250905001a");
  assert.equal(stored?.type, "MARKET");
  assert.equal(w.store.positions.byTradeId(TRADE)?.exitOrderId, stored?.localId);
  w.tick(120);
  await w.om.idle();
  assert.deepEqual(
    w.names("exit_filled").map((e) => [e.quantity, e.averagePrice, e.reason]),
    [[20, 120, "TARGET"]],
  );
  assert.deepEqual(sells, ["S20250905001a MARKET OPEN", "S20250905001a MARKET COMPLETE"]);
  assert.equal(w.store.positions.byTradeId(TRADE)?.state, "CLOSED");
  assert.equal(w.store.orders.live().length, 0);
  // Idempotent: a second exit (or one after a restart) places nothing.
  await w.om.exit(TRADE, "TARGET");
  await w.make(false).om.exit(TRADE, "EOD");
  orders = await w.book();
  assert.equal(orders.length, 2);
  assert.equal(w.names("exit_filled").length, 1);
});

test("OrderManager exit resting below the market (protection cap) while the price falls → repriced by modification after 10 s, sold", async () => {
  const w = world();
  await entered(w);
  await w.om.exit(TRADE, "STOP_LOSS");
  // Kite's market protection caps the MARKET sell at 2 % under 100 (98): at 90 it rests.
  w.tick(90);
  await w.om.idle();
  let orders = await w.book();
  assert.equal(orders.find((o) => o.tag === "S20250905001a")?.status, "OPEN");
  w.clock.advance(10_000);
  w.om.poll();
  await w.om.idle();
  orders = await w.book();
  assert.equal(orders.length, 2, "repriced in place: no cancel, no new order");
  assert.equal(orders.find((o) => o.tag === "S20250905001a")?.status, "OPEN");
  w.tick(89);
  await w.om.idle();
  assert.deepEqual(
    w.names("exit_filled").map((e) => [e.quantity, e.averagePrice]),
    [[20, 89]],
  );
  assert.equal(w.store.positions.byTradeId(TRADE)?.state, "CLOSED");
});

test("OrderManager stop fills while being modified into the exit (gap down) → modification refused, no exit order, position closed at the stop's price", async () => {
  // The market gaps through the stop between the exit decision and the modification reaching the broker.
  const w = world({}, (paper, clock) => ({
    ...bind(paper),
    modifyOrder: (id, changes) => {
      clock.advance(1);
      paper.onTick(SYM, 80);
      return paper.modifyOrder(id, changes);
    },
  }));
  await entered(w);
  await w.om.exit(TRADE, "STOP_LOSS");
  await w.om.idle();
  const orders = await w.book();
  assert.equal(orders.filter((o) => o.side === "SELL").length, 1, JSON.stringify(orders));
  assert.equal(orders.find((o) => o.type === "SL")?.status, "COMPLETE");
  assert.equal(w.store.positions.byTradeId(TRADE)?.state, "CLOSED");
  assert.deepEqual(
    w.names("exit_filled").map((e) => e.quantity),
    [20],
  );
  const r = await w.paper.positions();
  assert.ok(r.ok);
  assert.equal(r.value[0]?.quantity, 0);
});

test("OrderManager protective stop hit with no exit decided → no exit order, position CLOSED, exit_filled protective_stop", async () => {
  const w = world();
  await entered(w);
  w.tick(80);
  await w.om.idle();
  assert.equal((await w.book()).length, 2);
  assert.equal(w.store.positions.byTradeId(TRADE)?.state, "CLOSED");
  assert.deepEqual(
    w.names("exit_filled").map((e) => [e.quantity, e.averagePrice, e.reason]),
    [[20, 80, "protective_stop"]],
  );
});

test("OrderManager entry refused by the broker → order_rejected and entry_failed, no retry", async () => {
  const w = world();
  await w.om.enter({ tradeId: TRADE, symbol: SYM, quantity: 0.5, stopLoss: 90 });
  assert.equal(w.names("entry_failed").length, 1);
  // A broker refusal: the paper broker refuses a quantity off the lot size.
  const w2 = world();
  w2.stop();
  const lots = new PaperBroker({ clock: w2.clock, lotSizes: new Map([[SYM, 20]]) });
  const om = new OrderManager({
    broker: lots,
    store: w2.store,
    clock: w2.clock,
    config: executionConfig(),
    ltpOf: () => 100,
  });
  const seen: string[] = [];
  om.on("order_rejected", (e) => seen.push(`rejected ${e.purpose}`));
  om.on("entry_failed", () => seen.push("failed"));
  lots.onOrderUpdate((u) => om.onOrderUpdate(u));
  await om.enter({ tradeId: TRADE, symbol: SYM, quantity: 30, stopLoss: 90 });
  await om.idle();
  om.poll();
  await om.idle();
  assert.deepEqual(seen, ["rejected ENTRY", "failed"]);
  const book = await lots.orders();
  assert.ok(book.ok && book.value.length === 0);
  assert.equal(w2.store.orders.byTag("E20250905001")?.status, "FAILED");
  assert.equal(w2.store.positions.byTradeId(TRADE)?.state, "CLOSED");
  await om.enter({ tradeId: TRADE, symbol: SYM, quantity: 20, stopLoss: 90 });
  assert.equal(w2.store.orders.byTrade(TRADE).length, 1);
});

test("OrderManager the same fill delivered 3 times (and a stale OPEN after it) → applied once: one entry_filled, one stop", async () => {
  let fill: OrderUpdate | undefined;
  const w = world();
  w.broker.onOrderUpdate((u) => {
    if (u.status === "COMPLETE" && u.side === "BUY") fill = u;
  });
  await entered(w);
  assert.ok(fill);
  const copy = fill as OrderUpdate;
  for (const source of ["socket", "postback", "poll"] as const) w.om.onOrderUpdate({ ...copy, source });
  w.om.onOrderUpdate({ ...copy, status: "OPEN", filledQuantity: 0, source: "poll" });
  await w.om.idle();
  assert.equal(w.names("entry_filled").length, 1);
  assert.equal(w.names("stop_placed").length, 1);
  assert.equal((await w.book()).length, 2);
  assert.equal(w.store.orders.byTag("E20250905001")?.status, "COMPLETE");
});

test("OrderManager fill update arriving before the placement's answer → fill kept, order linked, stop placed once", async () => {
  // The paper broker tells the placement (and here, at once, a fill) before placeOrder resolves.
  const w = world({ entryOrder: "MARKET" }, (paper, clock) => ({
    ...bind(paper),
    placeOrder: async (r: OrderRequest) => {
      const res = await paper.placeOrder(r);
      clock.advance(1);
      if (r.side === "BUY") paper.onTick(SYM, 100);
      await new Promise((resolve) => setImmediate(resolve));
      return res;
    },
  }));
  await w.om.enter({ tradeId: TRADE, symbol: SYM, quantity: 20, stopLoss: 90 });
  await w.om.idle();
  const entry = w.store.orders.byTag("E20250905001");
  assert.equal(entry?.status, "COMPLETE");
  assert.equal(entry?.kiteOrderId, "PAPER000001");
  assert.equal(w.names("entry_filled").length, 1);
  assert.equal((await w.book()).filter((o) => o.type === "SL").length, 1);
});

test("OrderManager partial fill then timeout → rest cancelled, position = filled part, stop covers it", async () => {
  const fake = new ScriptedBroker();
  const clock = new ManualClock(Date.parse("2025-09-05T04:00:00Z"));
  const store = Store.open(":memory:", { clock });
  const om = new OrderManager({ broker: fake, store, clock, config: executionConfig(), ltpOf: () => 100 });
  fake.onOrderUpdate((u) => om.onOrderUpdate(u));
  const seen: string[] = [];
  om.on("partial_fill", (e) => seen.push(`partial ${e.filledQuantity}`));
  om.on("entry_filled", (e) => seen.push(`filled ${e.quantity}`));
  await om.enter({ tradeId: TRADE, symbol: SYM, quantity: 40, stopLoss: 90 });
  fake.fill("1", 20, 100.5);
  await om.idle();
  const stop = fake.byTag("S20250905001a");
  assert.equal(stop?.quantity, 20); // the filled part is protected at once
  clock.advance(30_000);
  om.poll();
  await om.idle();
  assert.equal(fake.byId("1")?.status, "CANCELLED");
  assert.deepEqual(seen, ["partial 20", "filled 20"]);
  const pos = store.positions.byTradeId(TRADE);
  assert.equal(pos?.state, "OPEN");
  assert.equal(pos?.quantity, 20);
  assert.equal(fake.placed.filter((r) => r.type === "SL").length, 1);
  // The exit sells the filled part only: the stop becomes it.
  await om.exit(TRADE, "EOD");
  await om.idle();
  assert.equal(fake.byTag("S20250905001a")?.type, "MARKET");
  assert.equal(fake.byTag("S20250905001a")?.quantity, 20);
  assert.equal(fake.byTag("X20250905001a"), undefined);
});

test("OrderManager restart with an entry written NEW and no kite id → reconcile finds it by tag, no second order", async () => {
  // The first process sends the entry and dies before hearing back (the answer never comes).
  const w = world({ entryOrder: "MARKET" }, (paper) => ({
    ...bind(paper),
    placeOrder: (r: OrderRequest) => {
      if (r.side === "SELL") return paper.placeOrder(r);
      void paper.placeOrder(r);
      return new Promise<never>(() => {});
    },
  }));
  w.stop();
  void w.om.enter({ tradeId: TRADE, symbol: SYM, quantity: 20, stopLoss: 90 });
  await new Promise((r) => setImmediate(r));
  w.tick(100); // filled while nobody listens
  assert.equal(w.store.orders.byTag("E20250905001")?.status, "NEW");
  const second = w.make();
  const report = await second.om.reconcile();
  await second.om.idle();
  assert.equal(report.updatesApplied > 0, true);
  const orders = await w.book();
  assert.equal(orders.filter((o) => o.side === "BUY").length, 1);
  assert.equal(w.store.orders.byTag("E20250905001")?.status, "COMPLETE");
  assert.equal(w.store.positions.byTradeId(TRADE)?.state, "OPEN");
  assert.equal(second.names("entry_filled").length, 1);
});

test("OrderManager restart with a NEW stop the broker never got → marked FAILED after the grace, stop placed once (next tag)", async () => {
  // The first process writes the stop and dies before sending it.
  const w = world({}, (paper) => ({
    ...bind(paper),
    placeOrder: (r: OrderRequest) => (r.type === "SL" ? new Promise<never>(() => {}) : paper.placeOrder(r)),
  }));
  void entered(w);
  await new Promise((r) => setImmediate(r));
  w.tick(100);
  await new Promise((r) => setImmediate(r));
  w.stop();
  assert.equal(w.store.orders.byTag("S20250905001a")?.status, "NEW");
  const om = new OrderManager({
    broker: w.paper,
    store: w.store,
    clock: w.clock,
    config: executionConfig(),
    ltpOf: () => 100,
  });
  w.paper.onOrderUpdate((u) => om.onOrderUpdate(u));
  const early = await om.reconcile();
  await om.idle();
  assert.deepEqual(early.unsentMarkedFailed, []);
  assert.equal((await w.book()).filter((o) => o.type === "SL").length, 0);
  w.clock.advance(15_000);
  const report = await om.reconcile();
  await om.idle();
  assert.deepEqual(report.unsentMarkedFailed, ["S20250905001a"]);
  const stops = (await w.book()).filter((o) => o.type === "SL");
  assert.deepEqual(
    stops.map((o) => [o.tag, o.status, o.quantity]),
    [["S20250905001b", "TRIGGER PENDING", 20]],
  );
});

test("OrderManager restart with the stop missing at the broker → re-placed, stop_missing_replaced", async () => {
  const w = world();
  await entered(w);
  w.stop();
  const stopId = w.store.orders.byTag("S20250905001a")?.kiteOrderId as string;
  await w.paper.cancelOrder(stopId); // cancelled behind our back while we were down
  const next = w.make();
  const report = await next.om.reconcile();
  await next.om.idle();
  assert.deepEqual(report.stopsReplaced, [TRADE]);
  assert.equal(next.names("stop_missing_replaced").length, 1);
  const live = (await w.book()).filter((o) => o.type === "SL" && o.status === "TRIGGER PENDING");
  assert.equal(live.length, 1);
  assert.equal(live[0]?.tag, "S20250905001b");
  assert.equal(live[0]?.quantity, 20);
});

test("OrderManager position sold by hand at the broker → two flat readings 5 s apart with the book agreeing → manual_close, our stop cancelled, no exit order", async () => {
  const w = world();
  await entered(w);
  await w.paper.placeOrder({
    exchange: "BFO",
    tradingsymbol: SYM,
    side: "SELL",
    type: "MARKET",
    quantity: 20,
    product: "MIS",
    tag: "byhand1",
  });
  w.tick(101);
  await w.om.idle();
  const first = await w.om.reconcile();
  await w.om.idle();
  assert.deepEqual(first.flatReadings, [TRADE]);
  assert.equal(w.store.positions.byTradeId(TRADE)?.state, "OPEN", "one reading is not enough");
  w.clock.advance(5_000);
  w.om.poll(); // the confirming reading is due: the poll reconciles
  await w.om.idle();
  assert.deepEqual(
    w.names("manual_close").map((e) => e.tradeId),
    [TRADE],
  );
  assert.equal(w.store.positions.byTradeId(TRADE)?.state, "CLOSED");
  const orders = await w.book();
  assert.equal(orders.find((o) => o.type === "SL")?.status, "CANCELLED");
  assert.equal(orders.filter((o) => o.tag?.startsWith("X")).length, 0);
});

test("OrderManager position sold by hand while its exit rests unfilled (CLOSING) → two flat readings 5 s apart → manual_close, the leftover exit cancelled (it would sell short)", async () => {
  // A sell limit above the market: the exit rests.
  const w = world({ exitOrder: "LIMIT", exitLimitBufferPct: -50 });
  await entered(w);
  await w.om.exit(TRADE, "TARGET", SYM);
  w.tick(100);
  await w.om.idle();
  assert.equal(w.store.positions.byTradeId(TRADE)?.state, "CLOSING");
  const exitResting = async () => (await w.book()).find((o) => o.type === "LIMIT" && o.side === "SELL");
  assert.equal((await exitResting())?.status, "OPEN", "the exit rests at 150");
  await w.paper.placeOrder({
    exchange: "BFO",
    tradingsymbol: SYM,
    side: "SELL",
    type: "MARKET",
    quantity: 20,
    product: "MIS",
    tag: "byhand2",
  });
  w.tick(101);
  await w.om.idle();
  const first = await w.om.reconcile();
  await w.om.idle();
  assert.deepEqual(first.flatReadings, [TRADE]);
  w.clock.advance(5_000);
  w.om.poll();
  await w.om.idle();
  assert.deepEqual(
    w.names("manual_close").map((e) => e.tradeId),
    [TRADE],
  );
  assert.equal(w.store.positions.byTradeId(TRADE)?.state, "CLOSED");
  assert.equal((await exitResting())?.status, "CANCELLED");
});

test("OrderManager panic → entry resting cancelled, open position's stop modified into the sale, entries blocked", async () => {
  const w = world();
  await entered(w);
  await w.om.enter({ tradeId: "20250905_002", symbol: SYM, quantity: 20, stopLoss: 90 });
  w.tick(110); // the second entry rests unfilled
  await w.om.panic();
  w.tick(110);
  await w.om.idle();
  const orders = await w.book();
  assert.equal(orders.find((o) => o.tag === "E20250905002")?.status, "CANCELLED");
  assert.equal(orders.find((o) => o.tag === "S20250905001a")?.status, "COMPLETE");
  assert.equal(orders.find((o) => o.tag === "S20250905001a")?.type, "MARKET");
  assert.equal(
    orders.find((o) => o.tag === "X20250905001a"),
    undefined,
  );
  assert.equal(w.store.positions.open().length, 0);
  await w.om.enter({ tradeId: "20250905_003", symbol: SYM, quantity: 20, stopLoss: 90 });
  assert.equal(w.store.orders.byTag("E20250905003"), null);
});

test("OrderManager more entries than the rate cap in a minute → the extra refused with an alert; allowed again later", async () => {
  const w = world({ maxOrdersPerMinute: 2 });
  await w.om.enter({ tradeId: "20250905_001", symbol: SYM, quantity: 20, stopLoss: 90 });
  await w.om.enter({ tradeId: "20250905_002", symbol: SYM, quantity: 20, stopLoss: 90 });
  await w.om.enter({ tradeId: "20250905_003", symbol: SYM, quantity: 20, stopLoss: 90 });
  assert.equal((await w.book()).length, 2);
  assert.match(String(w.names("entry_failed")[0]?.reason), /rate cap/);
  assert.ok(w.names("alert").some((a) => /rate cap/.test(String(a.message))));
  w.clock.advance(60_000);
  await w.om.enter({ tradeId: "20250905_004", symbol: SYM, quantity: 20, stopLoss: 90 });
  assert.equal((await w.book()).length, 3);
});

test("OrderManager stop refused (trigger above the market) → retried once lower; refused again → emergency exit at market at once, trader told why", async () => {
  const w = world({ exitOrder: "LIMIT" });
  await w.om.enter({ tradeId: TRADE, symbol: SYM, quantity: 20, stopLoss: 200 });
  w.prices.set(SYM, 300); // a stale price: the stop computed from it is refused by the broker (LTP 100)
  w.tick(100);
  w.prices.set(SYM, 300);
  await w.om.idle();
  const stops = w.store.orders.byTrade(TRADE).filter((o) => o.purpose === "STOP_LOSS");
  assert.equal(stops.length, 2);
  assert.ok(stops.every((s) => s.status === "FAILED"));
  const sale = w.store.orders.byTag("X20250905001a");
  assert.equal(sale?.type, "MARKET", "an emergency exit is MARKET even with exit_order LIMIT");
  assert.equal(sale?.marketProtection, -1);
  assert.equal(sale?.quantity, 20);
  assert.deepEqual(
    w.names("emergency_exit").map((e) => e.tradeId),
    [TRADE],
  );
  assert.ok(
    w
      .names("alert")
      .some(
        (a) =>
          a.level === "critical" && /two stops refused in a row.*selling .* at once/.test(String(a.message)),
      ),
  );
  w.tick(99);
  await w.om.idle();
  assert.equal(w.store.positions.byTradeId(TRADE)?.state, "CLOSED");
  assert.deepEqual(
    w.names("exit_filled").map((e) => [e.quantity, e.reason]),
    [[20, "EMERGENCY"]],
  );
});
