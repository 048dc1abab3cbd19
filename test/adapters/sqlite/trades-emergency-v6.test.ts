import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { openDatabase, schemaVersionOf } from "../../../src/adapters/sqlite/database.js";
import { MIGRATIONS, SCHEMA_VERSION } from "../../../src/adapters/sqlite/migrations.js";
import { Store } from "../../../src/adapters/sqlite/store.js";
import { TradesRepository } from "../../../src/adapters/sqlite/trades-repo.js";
import { tradeFills } from "../../../src/domain/trade-fills.js";
import { ManualClock } from "../../../src/ports/clock.js";
import { POSITION, T0, TRADE, tempDir } from "./fixtures.js";

test("a v5 database with a closed trade and its fills → upgraded to v6: the row and its fills kept, exit reason EMERGENCY accepted", () => {
  const path = join(tempDir(), "trading.db");
  const clock = new ManualClock(T0);
  const old = openDatabase(path, { clock, migrations: MIGRATIONS.filter((m) => m.version <= 5) });
  assert.equal(schemaVersionOf(old.db), 5);
  // Only the trades repository: the whole store of this code writes columns v5 lacks (v7's).
  const v5 = { trades: new TradesRepository(old.db, old.clock) };
  v5.trades.recordClosed(TRADE, 20);
  const fills = tradeFills([
    { side: "BUY", filledQuantity: 20, averagePrice: 121.6 },
    { side: "SELL", filledQuantity: 20, averagePrice: 160.9 },
  ]);
  v5.trades.recordFills(TRADE.trade_id, fills);
  old.db.close();

  const store = Store.open(path, { clock });
  try {
    assert.equal(schemaVersionOf(store.db), SCHEMA_VERSION); // v6 and every migration after it
    const kept = store.trades.byId(TRADE.trade_id);
    assert.ok(kept?.status === "CLOSED");
    assert.equal(kept.exit_reason, TRADE.exit_reason);
    assert.equal(kept.exit_fill_price, 160.9);
    assert.equal(kept.fill_pnl_rupees, 786);
    const slip = store.db
      .prepare("SELECT exit_slippage FROM trades WHERE trade_id = ?")
      .get(TRADE.trade_id) as { exit_slippage: number };
    assert.equal(slip.exit_slippage, -0.3, "the generated slippage columns are back");
    assert.equal(
      store.trades.recordClosed({
        ...POSITION,
        ...TRADE,
        trade_id: "20250904_002",
        exit_reason: "EMERGENCY",
      }),
      true,
    );
    const emergency = store.trades.byId("20250904_002");
    assert.equal(emergency?.status === "CLOSED" && emergency.exit_reason, "EMERGENCY");
    assert.equal(store.trades.byDate("2025-09-04").length, 2);
  } finally {
    store.close();
  }
});
