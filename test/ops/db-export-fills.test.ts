import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Store } from "../../src/adapters/sqlite/store.js";
import { tradeFills } from "../../src/domain/trade-fills.js";
import { exportTable } from "../../src/ops/db/export.js";
import { ManualClock } from "../../src/ports/clock.js";
import { TRADE } from "../adapters/sqlite/fixtures.js";

const tmp = mkdtempSync(join(tmpdir(), "pivot-export-fills-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("exportTable trades of a trade with fills → the model and fill prices, fill P&L and the slippage columns", () => {
  const database = join(tmp, "trading.db");
  const store = Store.open(database, { clock: new ManualClock(Date.parse("2025-09-04T10:00:00Z")) });
  store.trades.recordClosed(TRADE, 20); // model 121.35 → 161.20 × 20: +797
  store.trades.recordFills(
    TRADE.trade_id,
    tradeFills([
      { side: "BUY", filledQuantity: 20, averagePrice: 121.6 },
      { side: "SELL", filledQuantity: 20, averagePrice: 160.9 },
    ]),
  );
  store.close();
  const [row] = JSON.parse(exportTable({ database, table: "trades", format: "json" }).text);
  assert.equal(row.entry_price, 121.35);
  assert.equal(row.entry_fill_price, 121.6);
  assert.equal(row.exit_price, 161.2);
  assert.equal(row.exit_fill_price, 160.9);
  assert.equal(row.filled_quantity, 20);
  assert.equal(row.fill_pnl_rupees, 786);
  assert.equal(row.entry_slippage, 0.25);
  assert.equal(row.exit_slippage, -0.3);
  assert.equal(row.slippage_rupees, -11);
  const csv = exportTable({ database, table: "trades", format: "csv" }).text.split("\r\n")[0] ?? "";
  for (const column of ["entry_fill_price", "exit_fill_price", "fill_net_pnl_rupees", "slippage_rupees"])
    assert.ok(csv.split(",").includes(column), `CSV header has ${column}`);
});
