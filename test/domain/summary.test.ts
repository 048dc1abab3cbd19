import assert from "node:assert/strict";
import { test } from "node:test";
import { summarize } from "../../src/domain/summary.js";
import type { Trade } from "../../src/strategy/types.js";

const PIVOTS = { PP: 100, R1: 110, R2: 120, R3: 130, R4: 140, R5: 150, S1: 90, S2: 80, S3: 70 };

function trade(n: number, gross: number, charges: number): Trade {
  return {
    trade_id: `20250905_00${n}`,
    date: "2025-09-05",
    symbol: "SENSEX2591180500CE",
    strike: 80500,
    option_type: "CE",
    scenario: 1,
    first_candle_entry: false,
    structure: "BULLISH",
    re_entry: false,
    entry_time: "2025-09-05T10:00:00+05:30",
    entry_price: 100,
    stop_loss: 90,
    target: 130,
    quantity: 20,
    candles_held: 2,
    pivots: PIVOTS,
    exit_time: "2025-09-05T10:06:00+05:30",
    exit_price: 100 + gross / 20,
    exit_reason: gross > 0 ? "TARGET" : "STOP_LOSS",
    pnl_points: gross / 20,
    pnl_rupees: gross,
    charges,
    net_pnl_rupees: gross - charges,
  };
}

test("summarize → max drawdown of the net curve (after charges), the curve the report draws", () => {
  // Net: +900, then +300 (a fall of 600); gross alone would fall 500.
  const s = summarize([trade(1, 1000, 100), trade(2, -500, 100)]);
  assert.equal(s.net_pnl, 300);
  assert.equal(s.max_drawdown, 600);
  // Charges alone make a drawdown of a flat gross curve.
  assert.equal(summarize([trade(1, 0, 60), trade(2, 0, 60)]).max_drawdown, 120);
});
