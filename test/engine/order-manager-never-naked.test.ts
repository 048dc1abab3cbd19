/**
 * The never-naked invariant (issue 12 §1): every quantity held is covered by a resting
 * protective order (the stop, or the exit that replaced it) within 2 s, outside downtime.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Store } from "../../src/adapters/sqlite/store.js";
import { executionConfig } from "../../src/engine/execution-config.js";
import { OrderManager } from "../../src/engine/order-manager.js";
import type { BrokerResult, OrderChanges, OrderRequest } from "../../src/ports/broker.js";
import { ManualClock } from "../../src/ports/clock.js";
import { bind, entered, ScriptedBroker, SYM, TRADE, world } from "./order-manager-world.js";

const refused = (message: string): BrokerResult<never> => ({ ok: false, error: { kind: "input", message } });

test("OrderManager exit whose modification is refused → stop cancelled, then sold (X…a), position CLOSED", async () => {
  const w = world({}, (paper) => ({
    ...bind(paper),
    modifyOrder: async () => refused("Maximum allowed order modifications exceeded."),
  }));
  await entered(w);
  await w.om.exit(TRADE, "TARGET");
  await w.om.idle();
  const orders = await w.book();
  assert.equal(orders.find((o) => o.tag === "S20250905001a")?.status, "CANCELLED");
  assert.equal(orders.find((o) => o.tag === "X20250905001a")?.type, "MARKET");
  assert.ok(
    w
      .names("alert")
      .some((a) => /could not become the exit.*cancelling it, then selling/.test(String(a.message))),
  );
  w.tick(101);
  await w.om.idle();
  assert.deepEqual(
    w.names("exit_filled").map((e) => [e.quantity, e.reason]),
    [[20, "TARGET"]],
  );
  assert.equal(w.store.positions.byTradeId(TRADE)?.state, "CLOSED");
});

test("OrderManager every exit refused (modification and sales) → a protective stop put back before the critical alert", async () => {
  const w = world({ maxExitAttempts: 2 }, (paper) => ({
    ...bind(paper),
    modifyOrder: async (id: string, c: OrderChanges) =>
      c.type === "MARKET" ? refused("modification refused") : paper.modifyOrder(id, c),
    placeOrder: async (r: OrderRequest) =>
      r.side === "SELL" && r.type === "MARKET"
        ? { ok: false as const, error: { kind: "order" as const, message: "RMS: blocked" } }
        : paper.placeOrder(r),
  }));
  await entered(w);
  await w.om.exit(TRADE, "TARGET");
  await w.om.idle();
  const exits = w.store.orders.byTrade(TRADE).filter((o) => o.purpose === "EXIT");
  assert.deepEqual(
    exits.map((o) => [o.tag, o.status]),
    [
      ["X20250905001a", "FAILED"],
      ["X20250905001b", "FAILED"],
    ],
  );
  const back = (await w.book()).find((o) => o.tag === "S20250905001b");
  assert.equal(back?.status, "TRIGGER PENDING");
  assert.equal(back?.quantity, 20);
  const stopAt = w.seen.findIndex((e) => e.name === "stop_placed" && e.tag === "S20250905001b");
  const alertAt = w.seen.findIndex((e) => e.name === "alert" && /2 exits failed/.test(String(e.message)));
  assert.ok(stopAt >= 0 && alertAt > stopAt, `stop ${stopAt}, alert ${alertAt}`);
  assert.match(String(w.seen[alertAt]?.message), /a protective stop is back at the broker/);
  assert.deepEqual(w.om.exposures(), []);
  // Later steps keep that stop (no loop of modifications and stops).
  w.clock.advance(1_000);
  w.om.poll();
  await w.om.idle();
  assert.equal((await w.book()).filter((o) => o.side === "SELL").length, 2);
});

test("OrderManager crash after the stop's modification reached the broker, before its answer → the restart takes the book's MARKET order as the exit: nothing cancelled, nothing placed", async () => {
  let dead = false;
  let modifications = 0;
  const w = world({}, (paper) => ({
    ...bind(paper),
    modifyOrder: async (id: string, c: OrderChanges) => {
      const r = await paper.modifyOrder(id, c);
      if (!dead) modifications++;
      return dead ? new Promise<never>(() => {}) : r;
    },
  }));
  await entered(w);
  w.stop(); // the first process hears nothing more, then dies
  dead = true;
  void w.om.exit(TRADE, "TARGET");
  await new Promise((r) => setImmediate(r));
  assert.equal(w.store.orders.byTag("S20250905001a")?.type, "SL", "the store did not hear back");
  dead = false;
  const next = w.make();
  await next.om.reconcile();
  await next.om.idle();
  const stored = w.store.orders.byTag("S20250905001a");
  assert.equal(stored?.type, "MARKET");
  assert.equal(w.store.positions.byTradeId(TRADE)?.state, "CLOSING");
  let orders = await w.book();
  assert.equal(orders.length, 2);
  assert.equal(orders.find((o) => o.tag === "S20250905001a")?.status, "OPEN");
  w.tick(99);
  await next.om.idle();
  orders = await w.book();
  assert.deepEqual(
    orders.map((o) => [o.tag, o.status]),
    [
      ["E20250905001", "COMPLETE"],
      ["S20250905001a", "COMPLETE"],
    ],
  );
  assert.equal(w.store.positions.byTradeId(TRADE)?.state, "CLOSED");
  assert.deepEqual(
    next.names("exit_filled").map((e) => e.quantity),
    [20],
  );
  assert.equal(modifications, 0);
});

test("OrderManager crash before the stop's modification reached the broker → the restart sends it again (the book still shows a stop), one sale", async () => {
  let dead = true;
  const sent: OrderChanges[] = [];
  const w = world({}, (paper) => ({
    ...bind(paper),
    modifyOrder: (id: string, c: OrderChanges) => {
      if (dead) return new Promise<never>(() => {});
      sent.push(c);
      return paper.modifyOrder(id, c);
    },
  }));
  await entered(w);
  w.stop();
  void w.om.exit(TRADE, "TARGET");
  await new Promise((r) => setImmediate(r));
  dead = false;
  const next = w.make();
  await next.om.reconcile();
  await next.om.idle();
  assert.deepEqual(sent, [{ quantity: 20, type: "MARKET", marketProtection: -1 }]);
  w.tick(99);
  await next.om.idle();
  assert.equal(w.store.positions.byTradeId(TRADE)?.state, "CLOSED");
  assert.equal((await w.book()).filter((o) => o.side === "SELL").length, 1);
});

test("OrderManager stop resize refused → retried with backoff until it covers; exposures() reports the uncovered quantity and since when; critical alert past 2 s", async () => {
  const fake = new ScriptedBroker();
  let failures = 2;
  const modify = fake.modifyOrder.bind(fake);
  fake.modifyOrder = async (id: string, c: OrderChanges) => {
    if (failures > 0) {
      failures--;
      return { ok: false, error: { kind: "network", message: "timeout" } };
    }
    return modify(id, c);
  };
  const clock = new ManualClock(Date.parse("2025-09-05T04:00:00Z"));
  const store = Store.open(":memory:", { clock });
  const om = new OrderManager({ broker: fake, store, clock, config: executionConfig(), ltpOf: () => 100 });
  fake.onOrderUpdate((u) => om.onOrderUpdate(u));
  const alerts: string[] = [];
  om.on("alert", (a) => alerts.push(`${a.level} ${a.message}`));
  await om.enter({ tradeId: TRADE, symbol: SYM, quantity: 40, stopLoss: 90 });
  fake.fill("1", 20, 100);
  await om.idle();
  assert.equal(fake.byTag("S20250905001a")?.quantity, 20);
  const t0 = clock.now();
  fake.fill("1", 40, 100); // the rest fills: the stop must grow to 40
  await om.idle();
  assert.equal(fake.modifications.length, 0, "the first resize failed before reaching the book");
  assert.deepEqual(
    om.exposures().map((e) => [e.tradeId, e.held, e.covered, e.uncovered, e.sinceMs]),
    [[TRADE, 40, 20, 20, t0]],
  );
  clock.advance(500);
  om.poll();
  await om.idle();
  assert.equal(failures, 1, "not retried before the backoff");
  clock.advance(600);
  om.poll(); // 1.1 s: the second attempt (fails too)
  await om.idle();
  assert.equal(failures, 0);
  clock.advance(1_000);
  om.poll(); // 2.1 s uncovered: the invariant is breached
  await om.idle();
  assert.ok(
    alerts.some((a) => /^critical .*20 of .* held without a resting stop or exit/.test(a)),
    alerts.join("\n"),
  );
  assert.equal(fake.byTag("S20250905001a")?.quantity, 20, "backoff doubled: 2 s after the second failure");
  clock.advance(1_000);
  om.poll();
  await om.idle();
  assert.equal(fake.byTag("S20250905001a")?.quantity, 40);
  assert.deepEqual(om.exposures(), []);
});

test("OrderManager positions read flat twice while the book shows no sale (a glitch of the positions API) → never closed as MANUAL, stop kept", async () => {
  const w = world({}, (paper) => ({
    ...bind(paper),
    positions: async () => ({ ok: true as const, value: [] }),
  }));
  await entered(w);
  for (let i = 0; i < 3; i++) {
    await w.om.reconcile();
    await w.om.idle();
    w.clock.advance(6_000);
  }
  assert.equal(w.names("manual_close").length, 0);
  assert.equal(w.store.positions.byTradeId(TRADE)?.state, "OPEN");
  assert.equal((await w.book()).find((o) => o.tag === "S20250905001a")?.status, "TRIGGER PENDING");
});

/** Buys 20 more of SYM at the broker by hand (or a late duplicate): 40 held, 20 explained. */
async function boughtByHand(w: ReturnType<typeof world>): Promise<void> {
  await w.paper.placeOrder({
    exchange: "BFO",
    tradingsymbol: SYM,
    side: "BUY",
    type: "MARKET",
    quantity: 20,
    product: "MIS",
    marketProtection: -1,
    tag: "byhand2",
  });
  w.tick(100);
  await w.om.idle();
}

test("OrderManager broker holds more than the trades explain → alerted, and the excess sold at market once two readings agree (flatten_unexplained)", async () => {
  const w = world();
  await entered(w);
  await boughtByHand(w);
  const first = await w.om.reconcile();
  await w.om.idle();
  assert.deepEqual(first.excessSold, []);
  w.clock.advance(5_000);
  w.om.poll();
  await w.om.idle();
  const sale = (await w.book()).find((o) => o.tag === "F20250905a");
  assert.equal(sale?.side, "SELL");
  assert.equal(sale?.type, "MARKET");
  assert.equal(sale?.quantity, 20);
  assert.deepEqual(
    w.names("unexplained_quantity").map((e) => [e.symbol, e.atBroker, e.explained, e.sold]),
    [[SYM, 40, 20, true]],
  );
  assert.ok(
    w
      .names("alert")
      .some((a) => a.level === "critical" && /selling the 20 unexplained/.test(String(a.message))),
  );
  w.tick(100);
  await w.om.idle();
  const held = await w.paper.positions();
  assert.ok(held.ok);
  assert.equal(held.value[0]?.quantity, 20);
  // Our trade is untouched, its stop still resting; later readings sell nothing more.
  w.clock.advance(6_000);
  await w.om.reconcile();
  w.clock.advance(6_000);
  await w.om.reconcile();
  await w.om.idle();
  assert.equal(w.store.positions.byTradeId(TRADE)?.state, "OPEN");
  assert.equal((await w.book()).filter((o) => o.tag?.startsWith("F")).length, 1);
  assert.equal((await w.book()).find((o) => o.tag === "S20250905001a")?.status, "TRIGGER PENDING");
});

test("OrderManager broker holds more than the trades explain, flatten_unexplained off → alerted only, nothing sold", async () => {
  const w = world({ flattenUnexplained: false });
  await entered(w);
  await boughtByHand(w);
  await w.om.reconcile();
  w.clock.advance(5_000);
  await w.om.reconcile();
  await w.om.idle();
  assert.equal((await w.book()).filter((o) => o.tag?.startsWith("F")).length, 0);
  assert.ok(w.names("alert").some((a) => /20 unexplained left alone/.test(String(a.message))));
  assert.deepEqual(
    w.names("unexplained_quantity").map((e) => e.sold),
    [false],
  );
});

test("OrderManager exit or entry named for another contract than the trade id's position → refused with a critical alert, the position keeps its stop", async () => {
  const w = world();
  await entered(w);
  await w.om.exit(TRADE, "STOP_LOSS", "SENSEX2591180600CE");
  await w.om.enter({ tradeId: TRADE, symbol: "SENSEX2591180600CE", quantity: 20, stopLoss: 90 });
  await w.om.idle();
  assert.equal(w.store.positions.byTradeId(TRADE)?.state, "OPEN");
  assert.deepEqual(
    (await w.book()).map((o) => [o.tag, o.type, o.status]),
    [
      ["E20250905001", "LIMIT", "COMPLETE"],
      ["S20250905001a", "SL", "TRIGGER PENDING"],
    ],
  );
  const critical = w.names("alert").filter((a) => a.level === "critical");
  assert.equal(critical.length, 2);
  assert.ok(critical.every((a) => /SENSEX2591180500CE's position/.test(String(a.message))));
});

test("OrderManager exit whose modification gets no answer (session expired) → the stop is not cancelled and keeps resting; the modification retried after 5 s", async () => {
  let down = true;
  const w = world({}, (paper) => ({
    ...bind(paper),
    modifyOrder: async (id: string, c: OrderChanges) =>
      down
        ? {
            ok: false as const,
            error: { kind: "session_expired" as const, message: "Incorrect `api_key` or `access_token`." },
          }
        : paper.modifyOrder(id, c),
  }));
  await entered(w);
  await w.om.exit(TRADE, "TARGET");
  await w.om.idle();
  w.clock.advance(1_000);
  w.om.poll();
  await w.om.idle();
  let stop = (await w.book()).find((o) => o.tag === "S20250905001a");
  assert.equal(stop?.status, "TRIGGER PENDING", "still protecting");
  assert.equal((await w.book()).length, 2);
  assert.deepEqual(w.om.exposures(), []);
  down = false;
  w.clock.advance(4_000);
  w.om.poll();
  await w.om.idle();
  stop = (await w.book()).find((o) => o.tag === "S20250905001a");
  assert.equal(stop?.type, "MARKET");
  w.tick(100);
  await w.om.idle();
  assert.equal(w.store.positions.byTradeId(TRADE)?.state, "CLOSED");
  assert.equal((await w.book()).length, 2);
});

test("OrderManager unexplained quantity left alone (flatten_unexplained off) → one alert per episode, not one per reading", async () => {
  const w = world({ flattenUnexplained: false });
  await entered(w);
  await boughtByHand(w);
  for (let i = 0; i < 5; i++) {
    await w.om.reconcile();
    w.clock.advance(6_000);
    w.om.poll();
    await w.om.idle();
  }
  assert.equal(w.names("unexplained_quantity").length, 1);
  assert.equal(w.names("alert").filter((a) => /unexplained left alone/.test(String(a.message))).length, 1);
});

test("OrderManager stop placement uncertain (answer lost, never placed) → the book decides it after 3 s, not 15 s, and a new stop rests", async () => {
  let lose = true;
  const w = world({}, (paper) => ({
    ...bind(paper),
    placeOrder: async (r) =>
      lose && r.type === "SL"
        ? {
            ok: false as const,
            error: { kind: "rate_limited" as const, message: "Too many requests", uncertain: true },
          }
        : paper.placeOrder(r),
  }));
  await entered(w);
  lose = false;
  const stops = async () => (await w.book()).filter((o) => o.type === "SL");
  assert.equal((await stops()).length, 0, "the first stop never reached the broker");
  w.clock.advance(1_000);
  w.om.poll();
  await w.om.idle();
  assert.equal((await stops()).length, 0, "still unknown after 1 s: nothing placed twice");
  w.clock.advance(2_500);
  w.om.poll();
  await w.om.idle();
  const [stop] = await stops();
  assert.equal(stop?.status, "TRIGGER PENDING", "a stop rests 3.5 s after the entry's fill");
  assert.equal(stop?.quantity, 20);
  assert.deepEqual(w.om.exposures(), []);
});

test("OrderManager entry's fill update lost (the socket reconnecting, no postback) → the book is read at the next poll and the stop rests within 2 s", async () => {
  const w = world({}, (paper) => ({ ...bind(paper), onOrderUpdate: () => () => {} }));
  await w.om.enter({ tradeId: TRADE, symbol: SYM, quantity: 20, stopLoss: 90 });
  await w.om.idle();
  w.tick(100); // filled at the broker; the update never arrives
  await w.om.idle();
  const stops = async () => (await w.book()).filter((o) => o.type === "SL" && o.status === "TRIGGER PENDING");
  assert.equal((await stops()).length, 0, "nothing known yet");
  w.om.poll();
  await w.om.idle();
  const [stop] = await stops();
  assert.equal(stop?.quantity, 20, "the stop rests 1 s after the fill");
  assert.deepEqual(w.om.exposures(), []);
});

test("OrderManager polls each second while an entry works and the order book answers slowly (429 back-offs) → one reading at a time, not one more each poll", async () => {
  let readings = 0;
  let release: () => void = () => {};
  const w = world({}, (paper) => ({
    ...bind(paper),
    onOrderUpdate: () => () => {},
    orders: async () => {
      readings++;
      await new Promise<void>((r) => {
        release = r;
      });
      return paper.orders();
    },
  }));
  await w.om.enter({ tradeId: TRADE, symbol: SYM, quantity: 20, stopLoss: 90 });
  await w.om.idle();
  for (let i = 0; i < 3; i++) {
    w.clock.advance(1_000);
    w.om.poll();
    await new Promise((r) => setImmediate(r));
  }
  assert.equal(readings, 1);
  release();
  await w.om.idle();
});

test("OrderManager stop accepted by the broker then rejected, the rejection's update lost → the book is read 1 s later and a new stop rests (the store no longer counts one that never rested)", async () => {
  let rejectFirstStop = true;
  const w = world({}, (paper) => ({
    ...bind(paper),
    onOrderUpdate: () => () => {}, // every update lost: only the book tells
    placeOrder: async (r) => {
      const placed = await paper.placeOrder(r);
      if (placed.ok && r.type === "SL" && rejectFirstStop) {
        rejectFirstStop = false;
        await paper.cancelOrder(placed.value.orderId); // the broker's checks refuse it after the answer
      }
      return placed;
    },
  }));
  await w.om.enter({ tradeId: TRADE, symbol: SYM, quantity: 20, stopLoss: 90 });
  await w.om.idle();
  w.tick(100);
  w.om.poll(); // the entry's fill, from the book
  await w.om.idle();
  const resting = async () =>
    (await w.book()).filter((o) => o.type === "SL" && o.status === "TRIGGER PENDING");
  assert.equal(rejectFirstStop, false, "the first stop was placed");
  assert.equal((await resting()).length, 0, "and did not rest");
  w.clock.advance(1_000);
  w.om.poll();
  await w.om.idle();
  assert.equal((await resting())[0]?.quantity, 20, "a new stop rests 1 s later");
});
