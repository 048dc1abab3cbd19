import assert from "node:assert/strict";
import { test } from "node:test";
import type { SummaryFigures } from "../../../src/backtest/types.js";
import { memoryStore, POSITION, SIGNAL, TRADE } from "./fixtures.js";

/** A trade's fill columns before any fill is recorded. */
const NO_FILLS = {
  filled_quantity: null,
  entry_fill_price: null,
  exit_fill_price: null,
  fill_pnl_rupees: null,
  fill_charges: null,
  fill_net_pnl_rupees: null,
};

test("trades upsertOpen then recordClosed → one CLOSED row equal to the Trade", () => {
  const { store } = memoryStore();
  assert.equal(store.trades.upsertOpen("2025-09-04", POSITION, 20), true);
  assert.deepEqual(store.trades.open(), [
    { status: "OPEN", date: "2025-09-04", lot_size: 20, ...POSITION, ...NO_FILLS },
  ]);
  assert.equal(store.trades.upsertOpen("2025-09-04", { ...POSITION, candles_held: 3 }), true);
  assert.equal(store.trades.byId(POSITION.trade_id)?.candles_held, 3);
  assert.equal(store.trades.recordClosed(TRADE), true);
  assert.deepEqual(store.trades.byDate("2025-09-04"), [
    { status: "CLOSED", lot_size: 20, ...TRADE, ...NO_FILLS },
  ]);
  assert.deepEqual(store.trades.open(), []);
});

test("trades of a closed trade written again → not rewritten, neither as open nor closed", () => {
  const { store } = memoryStore();
  store.trades.recordClosed(TRADE);
  assert.equal(store.trades.recordClosed({ ...TRADE, exit_price: 1 }), false);
  assert.equal(store.trades.upsertOpen(TRADE.date, POSITION), false);
  const stored = store.trades.byId(TRADE.trade_id);
  assert.equal(stored?.status, "CLOSED");
  assert.equal(stored?.status === "CLOSED" && stored.exit_price, TRADE.exit_price);
});

test("trades byMonth → only that month's trades, in date order", () => {
  const { store } = memoryStore();
  store.trades.recordClosed({ ...TRADE, trade_id: "20251001_001", date: "2025-10-01" });
  store.trades.recordClosed({ ...TRADE, trade_id: "20250930_001", date: "2025-09-30" });
  store.trades.recordClosed(TRADE);
  store.trades.recordClosed({ ...TRADE, trade_id: "20250831_001", date: "2025-08-31" });
  assert.deepEqual(
    store.trades.byMonth("2025-09").map((t) => t.trade_id),
    ["20250904_001", "20250930_001"],
  );
});

test("trades CLOSED without an exit reason → refused by the schema", () => {
  const { store } = memoryStore();
  assert.throws(
    () => store.trades.recordClosed({ ...TRADE, exit_reason: null as unknown as "TARGET" }),
    /constraint/,
  );
});

test("signals insert and byDate → the same records in time order; a replay of one is ignored", () => {
  const { store } = memoryStore();
  const skipped = {
    ...SIGNAL,
    time: "2025-09-04T09:21:00+05:30",
    symbol: "SENSEX2590481100CE",
    action: "SKIPPED" as const,
    reason: "POSITION_OPEN" as const,
    detail: "a position is open",
    trade_id: null,
  };
  assert.equal(store.signals.insert(skipped), true);
  assert.equal(store.signals.insert(SIGNAL), true);
  assert.equal(store.signals.insert(SIGNAL), false);
  assert.deepEqual(store.signals.byDate("2025-09-04"), [SIGNAL, skipped]);
  assert.deepEqual(store.signals.byDate("2025-09-05"), []);
});

const FIGURES: SummaryFigures = {
  total_trades: 2,
  wins: 1,
  losses: 1,
  win_rate: 50,
  gross_pnl: 310.5,
  charges: 120.4,
  net_pnl: 190.1,
  max_drawdown: 486.5,
  trades_by_scenario: { "1": 1, "2": 0, "3": 1 },
  first_candle_entries: 1,
  intraday_entries: 1,
  stop_losses: 1,
  targets: 1,
  timeouts: 0,
  eod_exits: 0,
  max_daily_loss_exits: 0,
};

test("dailySummary upsert twice and between → the latest figures of each date in range", () => {
  const { store } = memoryStore();
  store.dailySummary.upsert("2025-09-04", { ...FIGURES, total_trades: 1 });
  store.dailySummary.upsert("2025-09-04", FIGURES);
  store.dailySummary.upsert("2025-09-05", { ...FIGURES, net_pnl: -5 });
  store.dailySummary.upsert("2025-09-10", FIGURES);
  assert.deepEqual(store.dailySummary.between("2025-09-04", "2025-09-05"), [
    { date: "2025-09-04", ...FIGURES, slippage_rupees: null },
    { date: "2025-09-05", ...FIGURES, net_pnl: -5, slippage_rupees: null },
  ]);
  assert.equal(store.dailySummary.get("2025-09-06"), null);
});

test("store.transaction with a throw → none of its writes kept", () => {
  const { store } = memoryStore();
  assert.throws(() =>
    store.transaction(() => {
      store.trades.upsertOpen("2025-09-04", POSITION);
      store.signals.insert(SIGNAL);
      throw new Error("crash");
    }),
  );
  assert.deepEqual(store.trades.byDate("2025-09-04"), []);
  assert.deepEqual(store.signals.byDate("2025-09-04"), []);
});
