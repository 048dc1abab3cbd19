import assert from "node:assert/strict";
import { test } from "node:test";
import { PaperBroker } from "../../src/adapters/paper/paper-broker.js";
import { Store } from "../../src/adapters/sqlite/store.js";
import { type ExecutionConfig, executionConfig } from "../../src/engine/execution-config.js";
import { OrderManager, type OrderManagerEvents } from "../../src/engine/order-manager.js";
import type { Broker, BrokerResult, OrderRequest, OrderUpdate } from "../../src/ports/broker.js";
import { ManualClock } from "../../src/ports/clock.js";

const SYM = "SENSEX2591180500CE";
const TRADE = "20250905_001";
const EVENTS: (keyof OrderManagerEvents)[] = [
  "entry_filled",
  "entry_failed",
  "partial_fill",
  "stop_placed",
  "stop_missing_replaced",
  "exit_filled",
  "manual_close",
  "order_rejected",
  "alert",
];

interface Seen {
  name: string;
  [k: string]: unknown;
}

/** A paper world at 09:30 IST with the contract at 100; `wrap` may put a broker in front of the paper one. */
function world(
  cfg: Partial<ExecutionConfig> = {},
  wrap?: (paper: PaperBroker, clock: ManualClock) => Broker,
) {
  const clock = new ManualClock(Date.parse("2025-09-05T04:00:00Z"));
  const store = Store.open(":memory:", { clock });
  const paper = new PaperBroker({ clock });
  const broker = wrap ? wrap(paper, clock) : paper;
  const prices = new Map<string, number>();
  const tick = (price: number): void => {
    clock.advance(1000);
    prices.set(SYM, price);
    paper.onTick(SYM, price);
  };
  tick(100);
  const config = executionConfig(cfg);
  const make = (subscribe = true) => {
    const om = new OrderManager({ broker, store, clock, config, ltpOf: (s) => prices.get(s) ?? null });
    const seen: Seen[] = [];
    for (const name of EVENTS) om.on(name, (p: object) => seen.push({ name, ...p }));
    const stop = subscribe ? broker.onOrderUpdate((u) => om.onOrderUpdate(u)) : () => {};
    const names = (kind: string) => seen.filter((e) => e.name === kind);
    return { om, seen, stop, names };
  };
  const { om, seen, stop, names } = make();
  const book = async () => {
    const r = await paper.orders();
    assert.ok(r.ok);
    return r.value;
  };
  return { clock, store, paper, broker, tick, om, seen, stop, names, book, make, prices };
}

/** Enters TRADE (stop loss 90) and fills it on the next tick at 100. */
async function entered(w: ReturnType<typeof world>) {
  await w.om.enter({ tradeId: TRADE, symbol: SYM, quantity: 20, stopLoss: 90 });
  w.tick(100);
  await w.om.idle();
}

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

test("OrderManager exit → stop cancelled first, then one MARKET SELL, exit_filled, position CLOSED", async () => {
  const w = world();
  await entered(w);
  await w.om.exit(TRADE, "TARGET");
  let orders = await w.book();
  const stop = orders.find((o) => o.type === "SL");
  const sell = orders.find((o) => o.tag === "X20250905001a");
  assert.equal(stop?.status, "CANCELLED");
  assert.equal(sell?.type, "MARKET");
  assert.equal(sell?.quantity, 20);
  assert.ok(orders.indexOf(stop as OrderUpdate) < orders.indexOf(sell as OrderUpdate));
  w.tick(120);
  await w.om.idle();
  assert.deepEqual(
    w.names("exit_filled").map((e) => [e.quantity, e.averagePrice, e.reason]),
    [[20, 120, "TARGET"]],
  );
  const pos = w.store.positions.byTradeId(TRADE);
  assert.equal(pos?.state, "CLOSED");
  assert.equal(w.store.orders.live().length, 0);
  // Idempotent: a second exit (or one after a restart) places nothing.
  await w.om.exit(TRADE, "TARGET");
  await w.make(false).om.exit(TRADE, "EOD");
  orders = await w.book();
  assert.equal(orders.length, 3);
  assert.equal(w.names("exit_filled").length, 1);
});

test("OrderManager exit resting below the market (protection cap) while the price falls → re-placed after 10 s, sold", async () => {
  const w = world();
  await entered(w);
  await w.om.exit(TRADE, "STOP_LOSS");
  // Kite's market protection caps the MARKET sell at 2 % under 100 (98): at 90 it rests.
  w.tick(90);
  await w.om.idle();
  let orders = await w.book();
  assert.equal(orders.find((o) => o.tag === "X20250905001a")?.status, "OPEN");
  w.clock.advance(10_000);
  w.om.poll();
  await w.om.idle();
  w.om.poll();
  await w.om.idle();
  orders = await w.book();
  assert.equal(orders.find((o) => o.tag === "X20250905001a")?.status, "CANCELLED");
  assert.equal(orders.find((o) => o.tag === "X20250905001b")?.quantity, 20);
  w.tick(89);
  await w.om.idle();
  assert.deepEqual(
    w.names("exit_filled").map((e) => [e.quantity, e.averagePrice]),
    [[20, 89]],
  );
  assert.equal(w.store.positions.byTradeId(TRADE)?.state, "CLOSED");
});

test("OrderManager stop fills while being cancelled (gap down) → no exit order, position closed at the stop's price", async () => {
  // The market gaps through the stop between the exit decision and the cancel reaching the broker.
  const w = world({}, (paper, clock) =>
    racing(paper, () => {
      clock.advance(1);
      paper.onTick(SYM, 80);
    }),
  );
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
  // The exit sells the filled part only.
  await om.exit(TRADE, "EOD");
  assert.equal(fake.byTag("S20250905001a")?.status, "CANCELLED");
  assert.equal(fake.byTag("X20250905001a")?.quantity, 20);
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

test("OrderManager position sold by hand at the broker → manual_close, our stop cancelled, no exit order", async () => {
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
  await w.om.reconcile();
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

test("OrderManager panic → entry resting cancelled, open position's stop cancelled then sold, entries blocked", async () => {
  const w = world();
  await entered(w);
  await w.om.enter({ tradeId: "20250905_002", symbol: SYM, quantity: 20, stopLoss: 90 });
  w.tick(110); // the second entry rests unfilled
  await w.om.panic();
  w.tick(110);
  await w.om.idle();
  const orders = await w.book();
  assert.equal(orders.find((o) => o.tag === "E20250905002")?.status, "CANCELLED");
  assert.equal(orders.find((o) => o.tag === "S20250905001a")?.status, "CANCELLED");
  assert.equal(orders.find((o) => o.tag === "X20250905001a")?.status, "COMPLETE");
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

test("OrderManager stop refused (trigger above the market) → alert, retried once lower; refused again → UNPROTECTED alert", async () => {
  const w = world();
  await w.om.enter({ tradeId: TRADE, symbol: SYM, quantity: 20, stopLoss: 200 });
  w.prices.set(SYM, 300); // a stale price: the stop computed from it is refused by the broker (LTP 100)
  w.tick(100);
  w.prices.set(SYM, 300);
  await w.om.idle();
  const stops = w.store.orders.byTrade(TRADE).filter((o) => o.purpose === "STOP_LOSS");
  assert.equal(stops.length, 2);
  assert.ok(stops.every((s) => s.status === "FAILED"));
  assert.ok(w.names("alert").some((a) => a.level === "critical" && /UNPROTECTED/.test(String(a.message))));
  // A fresh price: reconciliation tries again and the stop rests.
  w.prices.set(SYM, 100);
  await w.om.reconcile();
  await w.om.idle();
  assert.equal((await w.book()).filter((o) => o.type === "SL" && o.status === "TRIGGER PENDING").length, 1);
});

// ---- helpers ---------------------------------------------------------------------------

/** The broker's methods bound to it (to override one in a spread). */
function bind(b: Broker): Broker {
  return {
    placeOrder: b.placeOrder.bind(b),
    modifyOrder: b.modifyOrder.bind(b),
    cancelOrder: b.cancelOrder.bind(b),
    orders: b.orders.bind(b),
    positions: b.positions.bind(b),
    onOrderUpdate: b.onOrderUpdate.bind(b),
  };
}

/** A broker on which `beforeCancel` happens just before each cancel reaches the book. */
function racing(paper: PaperBroker, beforeCancel: () => void): Broker {
  return {
    ...bind(paper),
    cancelOrder: (id: string) => {
      beforeCancel();
      return paper.cancelOrder(id);
    },
  };
}

/** A broker whose fills the test makes (partial fills), with cancel and modify. */
class ScriptedBroker implements Broker {
  readonly placed: OrderRequest[] = [];
  private readonly book: OrderUpdate[] = [];
  private readonly listeners = new Set<(u: OrderUpdate) => void>();

  async placeOrder(r: OrderRequest): Promise<BrokerResult<{ orderId: string }>> {
    this.placed.push(r);
    const u: OrderUpdate = {
      orderId: String(this.book.length + 1),
      tag: r.tag,
      tradingsymbol: r.tradingsymbol,
      side: r.side,
      type: r.type,
      status: r.type === "SL" ? "TRIGGER PENDING" : "OPEN",
      statusMessage: null,
      quantity: r.quantity,
      filledQuantity: 0,
      pendingQuantity: r.quantity,
      averagePrice: 0,
      price: r.price ?? 0,
      triggerPrice: r.triggerPrice ?? 0,
      orderTimestamp: "2025-09-05 09:30:00",
      source: "socket",
      raw: "{}",
    };
    this.book.push(u);
    this.emit(u);
    return { ok: true, value: { orderId: u.orderId } };
  }
  async modifyOrder(id: string, c: { quantity?: number }): Promise<BrokerResult<{ orderId: string }>> {
    return this.change(id, (u) => ({ ...u, quantity: c.quantity ?? u.quantity }));
  }
  async cancelOrder(id: string): Promise<BrokerResult<{ orderId: string }>> {
    return this.change(id, (u) => ({ ...u, status: "CANCELLED", pendingQuantity: 0 }));
  }
  async orders(): Promise<BrokerResult<OrderUpdate[]>> {
    return { ok: true, value: [...this.book] };
  }
  async positions() {
    return { ok: true as const, value: [] };
  }
  onOrderUpdate(l: (u: OrderUpdate) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  fill(id: string, filled: number, price: number): void {
    void this.change(id, (u) => ({
      ...u,
      filledQuantity: filled,
      pendingQuantity: u.quantity - filled,
      averagePrice: price,
      status: filled === u.quantity ? "COMPLETE" : u.status,
    }));
  }
  byId(id: string): OrderUpdate | undefined {
    return this.book.find((u) => u.orderId === id);
  }
  byTag(tag: string): OrderUpdate | undefined {
    return this.book.find((u) => u.tag === tag);
  }
  private async change(
    id: string,
    f: (u: OrderUpdate) => OrderUpdate,
  ): Promise<BrokerResult<{ orderId: string }>> {
    const i = this.book.findIndex((u) => u.orderId === id);
    const u = this.book[i];
    if (!u || u.status === "CANCELLED" || u.status === "COMPLETE") {
      return { ok: false, error: { kind: "input", message: "not live" } };
    }
    const next = f(u);
    this.book[i] = next;
    this.emit(next);
    return { ok: true, value: { orderId: id } };
  }
  private emit(u: OrderUpdate): void {
    for (const l of [...this.listeners]) l(u);
  }
}
