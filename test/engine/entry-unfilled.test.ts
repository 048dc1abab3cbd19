import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { test } from "node:test";
import { defaultConfig } from "../../src/config/load.js";
import { ServiceNotices } from "../../src/engine/service-notices.js";
import { StrategyOrders } from "../../src/engine/strategy-orders.js";
import type { TradingServiceEvents } from "../../src/engine/trading-service-deps.js";
import type { Notification } from "../../src/ports/notifier.js";
import type { OpenPosition } from "../../src/strategy/types.js";
import { bind, ScriptedBroker, SYM, TRADE, world } from "./order-manager-world.js";

/*
 * An entry that ends with nothing bought: the trader gets one message naming the contract, what
 * became of the order and why (ServiceNotices over the order manager's events, as the service
 * wires them), and no other message about that entry.
 */

/** The service's notices over the world's store, and what they tell the trader. */
function noticesOf(w: ReturnType<typeof world>): { notices: ServiceNotices; told: Notification[] } {
  const told: Notification[] = [];
  const notices = new ServiceNotices({
    notify: () => {},
    notifier: { notify: (n) => told.push(n) },
    clock: w.clock,
    store: w.store,
    events: new EventEmitter<TradingServiceEvents>(),
  });
  return { notices, told };
}

/** The order manager's world with the service's notices listening; what the trader is told. */
function noticed(w: ReturnType<typeof world>): Notification[] {
  const { notices, told } = noticesOf(w);
  notices.attach(w.om);
  return told;
}

const OPEN: OpenPosition = {
  trade_id: TRADE,
  symbol: SYM,
  strike: 80500,
  option_type: "CE",
  scenario: 1,
  first_candle_entry: false,
  structure: "BULLISH",
  re_entry: false,
  entry_time: "2025-09-05T09:30:00+05:30",
  entry_price: 100,
  stop_loss: 90,
  target: 130,
  quantity: 20,
  candles_held: 0,
  pivots: { PP: 90, R1: 98, R2: 110, R3: 120, R4: 130, R5: 140, S1: 80, S2: 70, S3: 60 },
};

test("entry unfilled at the entry timeout (cancelled by the system) → one message: the contract, cancelled, after 30 s", async () => {
  const w = world({ entryTimeoutMs: 30_000 });
  const told = noticed(w);
  await w.om.enter({ tradeId: TRADE, symbol: SYM, quantity: 20, stopLoss: 90 });
  w.tick(110); // above the LIMIT: no fill
  w.clock.advance(29_000);
  w.om.poll();
  await w.om.idle();
  assert.equal(w.store.orders.byTag("E20250905001")?.status, "CANCELLED");
  for (let i = 0; i < 3; i++) {
    w.clock.advance(5_000);
    w.om.poll();
    await w.om.idle();
  }
  assert.deepEqual(told, [
    {
      kind: "entry_unfilled",
      tradeId: TRADE,
      symbol: SYM,
      tag: "E20250905001",
      quantity: 20,
      fate: "cancelled",
      why: null,
      workedMs: 30_000,
      at: told[0]?.kind === "entry_unfilled" ? told[0].at : 0,
    },
  ]);
});

test("entry rejected by Kite → one message with Kite's words, and no second 'order rejected' message", async () => {
  const broker = new ScriptedBroker();
  const w = world({}, () => broker);
  const told = noticed(w);
  await w.om.enter({ tradeId: TRADE, symbol: SYM, quantity: 20, stopLoss: 90 });
  const placed = broker.byTag("E20250905001");
  assert.ok(placed);
  const message = "Insufficient funds. Required margin is 2427.00 but available margin is 0.00";
  w.om.onOrderUpdate({ ...placed, status: "REJECTED", statusMessage: message, pendingQuantity: 0 });
  await w.om.idle();
  w.clock.advance(5_000);
  w.om.poll();
  await w.om.idle();
  assert.equal(told.length, 1, JSON.stringify(told));
  const n = told[0];
  assert.ok(n?.kind === "entry_unfilled");
  assert.equal(n.symbol, SYM);
  assert.equal(n.fate, "rejected");
  assert.equal(n.why, message);
});

test("entry refused at placement (Kite answered an error) → one message: refused by Kite, its message", async () => {
  const w = world({}, (paper) => ({
    ...bind(paper),
    placeOrder: async () => ({ ok: false, error: { kind: "margin", message: "Margin exceeds" } }),
  }));
  const told = noticed(w);
  await w.om.enter({ tradeId: TRADE, symbol: SYM, quantity: 20, stopLoss: 90 });
  await w.om.idle();
  assert.equal(told.length, 1, JSON.stringify(told));
  const n = told[0];
  assert.ok(n?.kind === "entry_unfilled");
  assert.deepEqual([n.symbol, n.tag, n.fate, n.why], [SYM, "E20250905001", "refused", "Margin exceeds"]);
});

test("entry given up by the engine before any order (entries blocked after panic) → one message: not placed, and why", async () => {
  const w = world();
  const told = noticed(w);
  await w.om.panic();
  w.store.trades.upsertOpen("2025-09-05", OPEN, 20);
  await w.om.enter({ tradeId: TRADE, symbol: SYM, quantity: 20, stopLoss: 90 });
  const unfilled = told.filter((n) => n.kind === "entry_unfilled");
  assert.equal(unfilled.length, 1);
  const n = unfilled[0];
  assert.ok(n?.kind === "entry_unfilled");
  assert.deepEqual(
    [n.symbol, n.tag, n.quantity, n.fate, n.why],
    [SYM, null, null, "not_placed", "entries blocked after panic"],
  );
});

test("entry decided while the gate has just closed (entries disabled) → not sent to the broker, one message: not placed, and why", () => {
  const w = world();
  const { notices, told } = noticesOf(w);
  const entered: string[] = [];
  const orders = new StrategyOrders({
    config: defaultConfig(),
    store: w.store,
    orderManager: {
      enter: async (e) => void entered.push(e.tradeId),
      exit: async () => {},
    },
    gate: { block: () => "entries disabled by the operator", apply: () => {} },
    day: () => null,
    notices,
    fills: { strategyExited: () => {} },
    events: new EventEmitter<TradingServiceEvents>(),
    track: () => {},
  });
  orders.entry(OPEN);
  assert.deepEqual(entered, []);
  assert.equal(told.length, 1);
  const n = told[0];
  assert.ok(n?.kind === "entry_unfilled");
  assert.deepEqual(
    [n.symbol, n.tag, n.fate, n.why],
    [SYM, null, "not_placed", "entries disabled by the operator"],
  );
});
