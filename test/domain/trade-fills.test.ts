import assert from "node:assert/strict";
import { test } from "node:test";
import { fillSummary } from "../../src/domain/fill-summary.js";
import type { StoredTrade } from "../../src/domain/trade.js";
import { type FilledOrder, slippageOf, tradeFills } from "../../src/domain/trade-fills.js";
import { TRADE } from "../adapters/sqlite/fixtures.js";

const buy = (filledQuantity: number, averagePrice: number): FilledOrder => ({
  side: "BUY",
  filledQuantity,
  averagePrice,
});
const sell = (filledQuantity: number, averagePrice: number): FilledOrder => ({
  side: "SELL",
  filledQuantity,
  averagePrice,
});

// Bought 40 at 100.00 and 20 at 100.30 (an entry filled in two orders); the stop sold 20 at
// 110.05 and the exit the other 40 at 109.90.
const PARTIAL_FILLS = [buy(40, 100), buy(20, 100.3), sell(20, 110.05), sell(40, 109.9)];

test("tradeFills of fills over several orders → prices volume-weighted: entry 6006/60 = 100.10, exit 6597/60 = 109.95", () => {
  const f = tradeFills(PARTIAL_FILLS);
  assert.equal(f.quantity, 60);
  assert.equal(f.soldQuantity, 60);
  assert.equal(f.entryPrice, 100.1);
  assert.equal(f.exitPrice, 109.95);
});

test("tradeFills of a closed trade of 4 executed orders → gross 591.00, charges 106.03 (brokerage 4 × 20), net 484.97", () => {
  const f = tradeFills(PARTIAL_FILLS);
  assert.equal(f.grossPnl, 591); // 6597 - 6006
  // brokerage 80; STT 0.1% × 6597 = 6.60; exchange 0.0325% × 12603 = 4.10; SEBI 0.01;
  // GST 18% × (80 + 4.095975 + 0.012603) = 15.14; stamp 0.003% × 6006 = 0.18 → 106.03
  assert.equal(f.charges, 106.03);
  assert.equal(f.netPnl, 484.97);
});

test("tradeFills with orders that filled nothing (a rejected stop, a cancelled exit) → they count for nothing, brokerage too", () => {
  const withEmpty = [
    buy(20, 121.35),
    sell(0, 0),
    { side: "SELL" as const, filledQuantity: 0, averagePrice: 99 },
  ];
  const f = tradeFills([...withEmpty, sell(20, 161.2)]);
  assert.equal(f.entryPrice, 121.35);
  assert.equal(f.exitPrice, 161.2);
  assert.equal(f.grossPnl, 797);
  // buy 2427, sell 3224: brokerage 2 × 20 + STT 3.22 + exchange 1.84 + SEBI 0.01 + GST 7.53 + stamp 0.07
  assert.equal(f.charges, 52.67);
  assert.equal(f.netPnl, 744.33);
});

test("tradeFills while part is still held (bought 60, sold 20) → the exit price so far, no P&L yet", () => {
  const f = tradeFills([buy(40, 100), buy(20, 100.3), sell(20, 110.05)]);
  assert.equal(f.entryPrice, 100.1);
  assert.equal(f.exitPrice, 110.05);
  assert.equal(f.soldQuantity, 20);
  assert.deepEqual([f.grossPnl, f.charges, f.netPnl], [null, null, null]);
});

test("tradeFills of no fill at all → quantity 0 and every figure null", () => {
  assert.deepEqual(tradeFills([buy(0, 0)]), {
    quantity: 0,
    soldQuantity: 0,
    entryPrice: null,
    exitPrice: null,
    grossPnl: null,
    charges: null,
    netPnl: null,
  });
});

/** A closed trade of the model (entry 99.80, exit 110.40, 60 units: +636) with the fills above. */
function closedWithFills(): Extract<StoredTrade, { status: "CLOSED" }> {
  const f = tradeFills(PARTIAL_FILLS);
  return {
    ...TRADE,
    status: "CLOSED",
    lot_size: 20,
    quantity: 60,
    entry_price: 99.8,
    exit_price: 110.4,
    pnl_points: 10.6,
    pnl_rupees: 636,
    charges: 71.46,
    net_pnl_rupees: 564.54,
    filled_quantity: f.quantity,
    entry_fill_price: f.entryPrice,
    exit_fill_price: f.exitPrice,
    fill_pnl_rupees: f.grossPnl,
    fill_charges: f.charges,
    fill_net_pnl_rupees: f.netPnl,
  };
}

test("slippageOf a trade (model 99.80 → 110.40, fills 100.10 → 109.95) → +0.30 paid at the entry, -0.45 at the exit, -45 rupees", () => {
  assert.deepEqual(slippageOf(closedWithFills()), { entryPerUnit: 0.3, exitPerUnit: -0.45, rupees: -45 });
});

test("fillSummary of a trade with fills and one without (a backtest's) → P&L from the fills where known, slippage of the first", () => {
  const withFills = closedWithFills();
  const modelOnly: StoredTrade = {
    ...TRADE,
    trade_id: "20250904_002",
    status: "CLOSED",
    lot_size: 20,
    filled_quantity: null,
    entry_fill_price: null,
    exit_fill_price: null,
    fill_pnl_rupees: null,
    fill_charges: null,
    fill_net_pnl_rupees: null,
  };
  const { figures, slippageRupees } = fillSummary([withFills, modelOnly]);
  assert.equal(figures.total_trades, 2);
  // TRADE's model figures: gross 797, charges 64.12, net 732.88
  assert.equal(figures.gross_pnl, 591 + 797);
  assert.equal(figures.charges, 170.15);
  assert.equal(figures.net_pnl, 1217.85);
  assert.equal(slippageRupees, -45);
  assert.equal(fillSummary([modelOnly]).slippageRupees, null);
});
