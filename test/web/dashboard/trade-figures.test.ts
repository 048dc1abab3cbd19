import assert from "node:assert/strict";
import { test } from "node:test";
import type { StoredTrade } from "../../../src/domain/trade.js";
import { tradeRow } from "../../../src/web/dashboard/client/trade-figures.js";
import { TRADE } from "../../adapters/sqlite/fixtures.js";

const NO_FILLS = {
  filled_quantity: null,
  entry_fill_price: null,
  exit_fill_price: null,
  fill_pnl_rupees: null,
  fill_charges: null,
  fill_net_pnl_rupees: null,
};
const CLOSED: StoredTrade = { ...TRADE, status: "CLOSED", lot_size: 20, ...NO_FILLS };

test("tradeRow of a closed trade with fills → the fill prices with the model's beside them, net and slippage from the fills", () => {
  const row = tradeRow({
    ...CLOSED,
    filled_quantity: 20,
    entry_fill_price: 121.6,
    exit_fill_price: 160.9,
    fill_pnl_rupees: 786,
    fill_charges: 52.68,
    fill_net_pnl_rupees: 733.32,
  });
  assert.deepEqual(row, {
    net: 733.32,
    netFromFills: true,
    entry: { price: 121.6, model: 121.35 },
    exit: { price: 160.9, model: 161.2 },
    slippage: { rupees: -11, entryPerUnit: 0.25, exitPerUnit: -0.3 },
  });
});

test("tradeRow of a trade without fills (from before v3) → the model's prices and net, no slippage", () => {
  assert.deepEqual(tradeRow(CLOSED), {
    net: TRADE.net_pnl_rupees,
    netFromFills: false,
    entry: { price: 121.35, model: null },
    exit: { price: 161.2, model: null },
    slippage: { rupees: null, entryPerUnit: null, exitPerUnit: null },
  });
});

test("tradeRow of an open trade filled at the model's price → no net yet, the entry once", () => {
  const {
    exit_time: _t,
    exit_price: _p,
    exit_reason: _r,
    pnl_points: _a,
    pnl_rupees: _b,
    charges: _c,
    net_pnl_rupees: _d,
    date,
    ...open
  } = TRADE;
  const row = tradeRow({
    ...open,
    status: "OPEN",
    date,
    lot_size: 20,
    ...NO_FILLS,
    filled_quantity: 20,
    entry_fill_price: 121.35,
  });
  assert.equal(row.net, null);
  assert.equal(row.exit, null);
  assert.deepEqual(row.entry, { price: 121.35, model: null });
  assert.equal(row.slippage.entryPerUnit, 0);
});
