import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { Store } from "../../../src/adapters/sqlite/store.js";
import { ManualClock } from "../../../src/ports/clock.js";
import { memoryStore, PIVOTS, POSITION, REQUEST, T0, tempDir } from "./fixtures.js";

test("control state of a new database → entries enabled, no panic, lots from the configuration", () => {
  const { store } = memoryStore();
  assert.deepEqual(store.control.read(), { entriesEnabled: true, panic: false, lots: null });
});

test("control state set, database closed and reopened → the same state", () => {
  const path = join(tempDir(), "trading.db");
  const clock = new ManualClock(T0);
  const first = Store.open(path, { clock });
  first.control.setEntriesEnabled(false, "telegram:42");
  first.control.setPanic(true, "telegram:42");
  first.control.setLots(3, "web:admin");
  first.close();
  const second = Store.open(path, { clock });
  try {
    assert.deepEqual(second.control.read(), { entriesEnabled: false, panic: true, lots: 3 });
    second.control.setLots(null, "cli");
    assert.equal(second.control.lots(), null);
  } finally {
    second.close();
  }
});

test("control setLots with 0 or 1.5 → RangeError, nothing stored", () => {
  const { store } = memoryStore();
  assert.throws(() => store.control.setLots(0, "cli"), RangeError);
  assert.throws(() => store.control.setLots(1.5, "cli"), RangeError);
  assert.equal(store.control.lots(), null);
});

test("audit record → recent gives entries newest first with time, actor, action and details", () => {
  const { store, clock } = memoryStore();
  store.audit.record("telegram:42", "panic", { reason: "gap down" });
  clock.advance(5000);
  store.audit.record("web:admin", "entries_disabled");
  const [latest, earlier] = store.audit.recent(10);
  assert.deepEqual(
    { ...latest, id: 0 },
    { id: 0, atMs: T0 + 5000, actor: "web:admin", action: "entries_disabled", details: {} },
  );
  assert.deepEqual(earlier?.details, { reason: "gap down" });
  assert.equal(store.audit.between(T0, T0 + 1).length, 1);
});

test("positions upsert, close, upsert again → closed once and never reopened", () => {
  const { store, clock } = memoryStore();
  const entry = store.orders.insertNew(REQUEST, { purpose: "ENTRY", tradeId: POSITION.trade_id });
  const p = {
    tradeId: POSITION.trade_id,
    date: "2025-09-04",
    symbol: POSITION.symbol,
    state: "OPEN" as const,
    quantity: 20,
    averagePrice: 121.4,
    stopLoss: 98.4,
    target: 160,
    candlesHeld: 2,
    entryOrderId: entry.localId,
    exitOrderId: null,
  };
  assert.equal(store.positions.upsert({ ...p, state: "OPENING", quantity: 0 }), true);
  assert.equal(store.positions.upsert(p), true);
  assert.deepEqual(store.positions.open(), [
    { ...p, exitReason: null, openedAtMs: T0, updatedAtMs: T0, closedAtMs: null },
  ]);
  clock.advance(60_000);
  assert.equal(store.positions.close(p.tradeId), true);
  assert.equal(store.positions.close(p.tradeId), false);
  assert.equal(store.positions.upsert(p), false);
  assert.deepEqual(store.positions.open(), []);
  const closed = store.positions.byTradeId(p.tradeId);
  assert.equal(closed?.state, "CLOSED");
  assert.equal(closed?.quantity, 0);
  assert.equal(closed?.closedAtMs, T0 + 60_000);
});

test("universe replace twice → the second list only, pivots and null pivots read back", () => {
  const { store } = memoryStore();
  const day = {
    date: "2025-09-04",
    underlying: "SENSEX",
    spot: 80987.2,
    atm: 81000,
    expiry: "2025-09-04",
    contracts: [
      {
        symbol: "SENSEX2590481000CE",
        instrumentToken: 1234,
        strike: 81000,
        optionType: "CE" as const,
        quantity: 20,
        structure: "BULLISH" as const,
        pivots: PIVOTS,
      },
      {
        symbol: "SENSEX2590481000PE",
        instrumentToken: null,
        strike: 81000,
        optionType: "PE" as const,
        quantity: 20,
        structure: null,
        pivots: null,
      },
    ],
  };
  store.universe.replace({
    ...day,
    contracts: [...day.contracts, { ...(day.contracts[0] as (typeof day.contracts)[0]), symbol: "OLD" }],
  });
  store.universe.replace(day);
  assert.deepEqual(store.universe.get("2025-09-04"), day);
  assert.equal(store.universe.get("2025-09-05"), null);
});

test("candles append twice and appendMany → kept once, read back per symbol in time order", () => {
  const { store } = memoryStore();
  const c = (start: number, close: number) => ({ start, open: 100, high: 110, low: 95, close, volume: 1200 });
  assert.equal(store.candles.append("2025-09-04", "B", c(558, 101)), true);
  assert.equal(store.candles.append("2025-09-04", "B", c(558, 999)), false);
  assert.equal(store.candles.appendMany("2025-09-04", "A", [c(558, 102), c(555, 103), c(558, 104)]), 2);
  store.candles.append("2025-09-05", "A", c(555, 1));
  assert.deepEqual(
    [...store.candles.day("2025-09-04")],
    [
      ["A", [c(555, 103), c(558, 102)]],
      ["B", [c(558, 101)]],
    ],
  );
  assert.deepEqual(store.candles.dates(), ["2025-09-04", "2025-09-05"]);
});
