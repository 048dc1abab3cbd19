import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { openDatabase, schemaVersionOf } from "../../../src/adapters/sqlite/database.js";
import { MIGRATIONS, SCHEMA_VERSION } from "../../../src/adapters/sqlite/migrations.js";
import { Store } from "../../../src/adapters/sqlite/store.js";
import { summarize } from "../../../src/domain/summary.js";
import { tradeFills } from "../../../src/domain/trade-fills.js";
import { ManualClock } from "../../../src/ports/clock.js";
import { memoryStore, POSITION, T0, TRADE, tempDir } from "./fixtures.js";

test("a v2 database with trades and a summary → upgraded to v3: every row kept, fills NULL, STOP_FILLED accepted", () => {
  const path = join(tempDir(), "trading.db");
  const clock = new ManualClock(T0);
  const old = openDatabase(path, { clock, migrations: MIGRATIONS.filter((m) => m.version <= 2) });
  assert.equal(schemaVersionOf(old.db), 2);
  // What a v2 build wrote: a closed trade, an open one and the day's summary.
  const pivots = "100, 120, 140, 160, 180, 200, 80, 60, 40";
  const common = `trade_id, date, status, symbol, strike, option_type, scenario, structure, first_candle_entry, re_entry,
    entry_time, entry_price, entry_candle_low, stop_loss, target, quantity, lot_size, candles_held, pivot_pp, pivot_r1,
    pivot_r2, pivot_r3, pivot_r4, pivot_r5, pivot_s1, pivot_s2, pivot_s3, updated_at_ms`;
  old.db.exec(
    `INSERT INTO trades (${common}, exit_time, exit_price, exit_reason, pnl_points, pnl_rupees, charges, net_pnl_rupees)
     VALUES ('${TRADE.trade_id}', '2025-09-04', 'CLOSED', '${TRADE.symbol}', 81000, 'CE', 1, 'BULLISH', 1, 0,
       '${TRADE.entry_time}', 121.35, 98.4, 98.4, 160, 20, 20, 7, ${pivots}, ${T0},
       '${TRADE.exit_time}', 161.2, 'TARGET', 39.85, 797, 64.12, 732.88);
     INSERT INTO trades (${common})
     VALUES ('20250904_002', '2025-09-04', 'OPEN', '${TRADE.symbol}', 81000, 'CE', 1, 'BULLISH', 1, 0,
       '2025-09-04T10:00:00+05:30', 121.35, 98.4, 98.4, 160, 20, NULL, 0, ${pivots}, ${T0});
     INSERT INTO daily_summary (date, total_trades, wins, losses, win_rate, gross_pnl, charges, net_pnl, max_drawdown,
       scenario_1_trades, scenario_2_trades, scenario_3_trades, first_candle_entries, intraday_entries, stop_losses,
       targets, timeouts, eod_exits, max_daily_loss_exits, updated_at_ms)
     VALUES ('2025-09-04', 1, 1, 0, 100, 797, 64.12, 732.88, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, ${T0});`,
  );
  old.db.close();

  const store = Store.open(path, { clock });
  try {
    assert.equal(schemaVersionOf(store.db), SCHEMA_VERSION); // v3 and every migration after it
    const [closed, open] = store.trades.byDate("2025-09-04");
    assert.ok(closed?.status === "CLOSED" && open?.status === "OPEN");
    assert.equal(closed.trade_id, TRADE.trade_id);
    assert.equal(closed.exit_price, TRADE.exit_price);
    assert.equal(closed.net_pnl_rupees, TRADE.net_pnl_rupees);
    assert.equal(closed.lot_size, 20);
    assert.deepEqual(closed.pivots, TRADE.pivots);
    assert.equal(closed.exit_reason, "TARGET");
    assert.equal(closed.entry_fill_price, null);
    assert.equal(closed.fill_net_pnl_rupees, null);
    assert.equal(open.trade_id, "20250904_002");
    assert.equal(store.trades.open().length, 1, "the open-trades index still answers");
    const summary = store.dailySummary.get("2025-09-04");
    assert.equal(summary?.net_pnl, TRADE.net_pnl_rupees);
    assert.equal(summary?.slippage_rupees, null);
    // A stop filled at the broker is a reason the new table accepts.
    assert.equal(
      store.trades.recordClosed({
        ...POSITION,
        ...TRADE,
        trade_id: "20250904_002",
        exit_reason: "STOP_FILLED",
      }),
      true,
    );
    assert.equal(store.trades.byId("20250904_002")?.status, "CLOSED");
  } finally {
    store.close();
  }
});

test("recordFills of a closed trade → fill prices, P&L and the slippage columns (fill minus model) stored and read back", () => {
  const { store } = memoryStore();
  store.trades.recordClosed(TRADE, 20); // model 121.35 → 161.20, 20 units: +797
  const fills = tradeFills([
    { side: "BUY", filledQuantity: 20, averagePrice: 121.6 },
    { side: "SELL", filledQuantity: 20, averagePrice: 160.9 },
  ]);
  assert.equal(store.trades.recordFills(TRADE.trade_id, fills), true);
  assert.equal(store.trades.recordFills("20250904_999", fills), false);
  const t = store.trades.byId(TRADE.trade_id);
  assert.ok(t?.status === "CLOSED");
  assert.equal(t.exit_price, 161.2, "the model's price is kept");
  assert.equal(t.filled_quantity, 20);
  assert.equal(t.entry_fill_price, 121.6);
  assert.equal(t.exit_fill_price, 160.9);
  assert.equal(t.fill_pnl_rupees, 786); // (160.90 - 121.60) × 20
  assert.equal(t.fill_net_pnl_rupees, fills.netPnl);
  const slip = store.db
    .prepare("SELECT entry_slippage, exit_slippage, slippage_rupees FROM trades WHERE trade_id = ?")
    .get(TRADE.trade_id);
  assert.deepEqual(
    { ...(slip as object) },
    { entry_slippage: 0.25, exit_slippage: -0.3, slippage_rupees: -11 },
  );
});

test("dailySummary upsert with the day's slippage → read back; without → null", () => {
  const { store } = memoryStore();
  store.dailySummary.upsert("2025-09-04", summarize([TRADE]), -11);
  store.dailySummary.upsert("2025-09-05", summarize([]));
  assert.equal(store.dailySummary.get("2025-09-04")?.slippage_rupees, -11);
  assert.equal(store.dailySummary.get("2025-09-05")?.slippage_rupees, null);
});
