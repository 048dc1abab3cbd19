import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { openDatabase, schemaVersionOf } from "../../../src/adapters/sqlite/database.js";
import { MIGRATIONS, SCHEMA_VERSION } from "../../../src/adapters/sqlite/migrations.js";
import { Store } from "../../../src/adapters/sqlite/store.js";
import { ManualClock } from "../../../src/ports/clock.js";
import type { PositionUpsert } from "../../../src/ports/store-records.js";
import { POSITION, T0, tempDir } from "./fixtures.js";

const HELD: PositionUpsert = {
  tradeId: POSITION.trade_id,
  date: "2025-09-04",
  symbol: POSITION.symbol,
  state: "CLOSING",
  quantity: 20,
  averagePrice: 121.4,
  stopLoss: 98.4,
  target: 160,
  candlesHeld: 3,
  entryOrderId: null,
  exitOrderId: null,
};

test("a v6 database with a closing and a closed position → upgraded to v7: every row kept, no exit reason for them; a new exit's reason stored and read back", () => {
  const path = join(tempDir(), "trading.db");
  const clock = new ManualClock(T0);
  const old = openDatabase(path, { clock, migrations: MIGRATIONS.filter((m) => m.version <= 6) });
  assert.equal(schemaVersionOf(old.db), 6);
  // Written as v6 wrote them (this code's repository writes the v7 column).
  const insert = old.db.prepare(
    `INSERT INTO positions (trade_id, date, symbol, state, quantity, average_price, stop_loss, target,
       candles_held, entry_order_id, exit_order_id, opened_at_ms, updated_at_ms, closed_at_ms)
     VALUES (?, '2025-09-04', ?, ?, ?, 121.4, 98.4, 160, 3, NULL, NULL, ?, ?, ?)`,
  );
  insert.run(HELD.tradeId, HELD.symbol, "CLOSING", 20, T0, T0, null);
  insert.run("20250904_002", HELD.symbol, "CLOSED", 0, T0, T0, T0);
  old.db.close();

  const store = Store.open(path, { clock });
  try {
    assert.equal(schemaVersionOf(store.db), SCHEMA_VERSION); // v7 and every migration after it
    assert.deepEqual(store.positions.byTradeId(HELD.tradeId), {
      ...HELD,
      exitReason: null,
      openedAtMs: T0,
      updatedAtMs: T0,
      closedAtMs: null,
    });
    assert.equal(store.positions.byTradeId("20250904_002")?.state, "CLOSED");
    assert.equal(store.positions.byTradeId("20250904_002")?.exitReason, null);

    store.positions.upsert({ ...HELD, tradeId: "20250904_003", state: "OPEN" });
    store.positions.upsert({ ...HELD, tradeId: "20250904_003", exitReason: "EMERGENCY" });
    assert.equal(store.positions.byTradeId("20250904_003")?.exitReason, "EMERGENCY");
  } finally {
    store.close();
  }
});

test("positions upsert without an exit reason after one with it → the reason kept (never unwritten), and kept when closed", () => {
  const clock = new ManualClock(T0);
  const store = Store.open(":memory:", { clock });
  try {
    store.positions.upsert({ ...HELD, exitReason: "PANIC" });
    store.positions.upsert({ ...HELD, quantity: 10 });
    store.positions.upsert({ ...HELD, quantity: 5, exitReason: null });
    assert.equal(store.positions.byTradeId(HELD.tradeId)?.quantity, 5);
    assert.equal(store.positions.byTradeId(HELD.tradeId)?.exitReason, "PANIC");
    store.positions.close(HELD.tradeId);
    assert.equal(store.positions.byTradeId(HELD.tradeId)?.exitReason, "PANIC");
  } finally {
    store.close();
  }
});
