import assert from "node:assert/strict";
import { test } from "node:test";
import { checkSlippage, protectionLimitOf, slippedPrice } from "../../../src/domain/matching/prices.js";

test("slippedPrice on-grid prices without slippage → unchanged (no float drift off the grid)", () => {
  for (const p of [0.05, 100.05, 575.35, 1234.95]) {
    assert.equal(slippedPrice(p, "BUY", { ticks: 0 }, 0.05), p);
    assert.equal(slippedPrice(p, "SELL", { percent: 0 }, 0.05), p);
  }
});

test("slippedPrice percent → buys rounded up, sells rounded down to the tick; never below one tick", () => {
  assert.equal(slippedPrice(100, "BUY", { percent: 0.12 }, 0.05), 100.15); // 100.12 → 100.15
  assert.equal(slippedPrice(100, "SELL", { percent: 0.12 }, 0.05), 99.85); // 99.88 → 99.85
  assert.equal(slippedPrice(0.1, "SELL", { ticks: 5 }, 0.05), 0.05);
});

test("protectionLimitOf → 2% for -1, the given percent otherwise, null for 0; on the grid against the trader", () => {
  assert.equal(protectionLimitOf("BUY", -1, 575.35, 0.05), 586.9); // 586.857 → 586.90
  assert.equal(protectionLimitOf("SELL", -1, 575.35, 0.05), 563.8); // 563.843 → 563.80
  assert.equal(protectionLimitOf("BUY", 5, 100, 0.05), 105);
  assert.equal(protectionLimitOf("SELL", 0, 100, 0.05), null);
});

test("checkSlippage negative or NaN → throws; zero and positive → accepted", () => {
  assert.throws(() => checkSlippage({ ticks: -1 }), RangeError);
  assert.throws(() => checkSlippage({ percent: Number.NaN }), RangeError);
  checkSlippage({ ticks: 0 });
  checkSlippage({ percent: 0.5 });
});
