/**
 * The one matching engine of `pivot sim` and paper mode: each rule with hand-computed prices
 * (tick 0.05, lot 20).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type MarketRules,
  type MatchableOrder,
  matchOrder,
} from "../../../src/domain/matching/match-order.js";
import { orderProblem } from "../../../src/domain/matching/order-checks.js";

const RULES: MarketRules = { tickSize: 0.05, slippage: { ticks: 1 }, lotSize: 20 };
const order = (o: Partial<MatchableOrder> & Pick<MatchableOrder, "side" | "type">): MatchableOrder => ({
  price: 0,
  triggerPrice: 0,
  marketProtection: 0,
  triggered: false,
  protectionLimit: undefined,
  arriving: true,
  pendingQuantity: 40,
  ...o,
});
const depth = (bid: number, ask: number, quantity = 1000) => ({
  bestBid: { price: bid, quantity },
  bestAsk: { price: ask, quantity },
});

test("matchOrder arriving MARKET with depth → BUY at the best ask, SELL at the best bid (crosses the spread)", () => {
  const buy = matchOrder(
    order({ side: "BUY", type: "MARKET" }),
    { price: 100, ...depth(99.9, 100.2) },
    RULES,
  );
  assert.deepEqual(buy.fill, { price: 100.2, quantity: 40 });
  const sell = matchOrder(
    order({ side: "SELL", type: "MARKET" }),
    { price: 100, ...depth(99.9, 100.2) },
    RULES,
  );
  assert.deepEqual(sell.fill, { price: 99.9, quantity: 40 });
});

test("matchOrder arriving MARKET without depth → the last price ± the slippage ticks", () => {
  const buy = matchOrder(order({ side: "BUY", type: "MARKET" }), { price: 100 }, RULES);
  assert.equal(buy.fill?.price, 100.05);
  const sell = matchOrder(order({ side: "SELL", type: "MARKET" }), { price: 100 }, RULES);
  assert.equal(sell.fill?.price, 99.95);
  const none = matchOrder(
    order({ side: "BUY", type: "MARKET" }),
    { price: 100 },
    { ...RULES, slippage: { ticks: 0 } },
  );
  assert.equal(none.fill?.price, 100);
});

test("matchOrder protected MARKET → a LIMIT at the protection price: capped there, rests when the ask is beyond it", () => {
  // -1 = 2% of 100 = 102.00.
  const capped = matchOrder(
    order({ side: "BUY", type: "MARKET", marketProtection: -1 }),
    { price: 101.98 },
    {
      ...RULES,
      slippage: { ticks: 3 },
    },
  );
  assert.equal(capped.protectionLimit, 104.05); // bound fixed from the arrival trade when none was known
  const bounded = order({ side: "BUY", type: "MARKET", marketProtection: -1, protectionLimit: 102 });
  assert.equal(matchOrder(bounded, { price: 101.98 }, { ...RULES, slippage: { ticks: 3 } }).fill?.price, 102);
  const beyond = matchOrder(bounded, { price: 101, ...depth(100.9, 102.5) }, RULES);
  assert.equal(beyond.fill, null);
  assert.equal(beyond.arriving, false, "it now rests as a limit at 102");
  const resting = { ...bounded, arriving: false };
  assert.equal(matchOrder(resting, { price: 102 }, RULES).fill, null, "a trade at the limit: queue ahead");
  assert.deepEqual(matchOrder(resting, { price: 101.5 }, RULES).fill, { price: 102, quantity: 40 });
});

test("matchOrder resting LIMIT → fills only when the market trades through it, at the limit (no improvement)", () => {
  const buy = order({ side: "BUY", type: "LIMIT", price: 95, arriving: false });
  assert.equal(matchOrder(buy, { price: 95 }, RULES).fill, null);
  assert.deepEqual(matchOrder(buy, { price: 90 }, RULES).fill, { price: 95, quantity: 40 });
  const sell = order({ side: "SELL", type: "LIMIT", price: 110, arriving: false });
  assert.equal(matchOrder(sell, { price: 110 }, RULES).fill, null);
  assert.deepEqual(matchOrder(sell, { price: 110.05 }, RULES).fill, { price: 110, quantity: 40 });
});

test("matchOrder arriving LIMIT → marketable fills at the taker price within the limit; else it rests", () => {
  const buy = order({ side: "BUY", type: "LIMIT", price: 101 });
  assert.equal(matchOrder(buy, { price: 100, ...depth(99.95, 100.1) }, RULES).fill?.price, 100.1);
  const notMarketable = matchOrder(buy, { price: 100.95, ...depth(100.9, 101.05) }, RULES);
  assert.equal(notMarketable.fill, null);
  assert.equal(notMarketable.arriving, false);
});

test("matchOrder SL SELL → triggers on the last price at or below the trigger, then sells at the best bid within its limit", () => {
  const stop = order({ side: "SELL", type: "SL", triggerPrice: 90, price: 88 });
  const above = matchOrder(stop, { price: 90.05 }, RULES);
  assert.deepEqual([above.triggers, above.fill], [false, null]);
  const hit = matchOrder(stop, { price: 89.9, ...depth(89.5, 90) }, RULES);
  assert.equal(hit.triggers, true);
  assert.deepEqual(hit.fill, { price: 89.5, quantity: 40 });
  const gap = matchOrder(stop, { price: 85 }, RULES);
  assert.deepEqual(
    [gap.triggers, gap.fill, gap.arriving],
    [true, null, false],
    "gapped below its limit: rests at 88",
  );
});

test("matchOrder SL-M SELL → triggered, bounded from the trigger trade (2%: 88.10 from 89.90), slippage capped there", () => {
  const stop = order({ side: "SELL", type: "SL-M", triggerPrice: 90, marketProtection: -1 });
  const out = matchOrder(stop, { price: 89.9 }, { ...RULES, slippage: { ticks: 100 } });
  assert.equal(out.protectionLimit, 88.1);
  assert.equal(out.fill?.price, 88.1);
});

test("matchOrder quantity → capped by the depth level crossed, the traded quantity of a resting order, or the available cap; whole lots, at least one", () => {
  const taker = matchOrder(
    order({ side: "BUY", type: "MARKET", pendingQuantity: 100 }),
    { price: 100, ...depth(99.95, 100.05, 50) },
    RULES,
  );
  assert.deepEqual(taker.fill, { price: 100.05, quantity: 40 });
  assert.equal(taker.arriving, true, "the rest still takes on the next trade");
  const maker = order({ side: "SELL", type: "LIMIT", price: 110, arriving: false, pendingQuantity: 60 });
  assert.equal(matchOrder(maker, { price: 111, quantity: 5 }, RULES).fill?.quantity, 20);
  assert.equal(matchOrder(maker, { price: 111, quantity: 500 }, RULES).fill?.quantity, 60);
  const fault = matchOrder(order({ side: "BUY", type: "MARKET" }), { price: 100, available: 20 }, RULES);
  assert.equal(fault.fill?.quantity, 20);
});

test("orderProblem → Kite's refusals: lot size, tick grid, stop on the wrong side of the last price; a good order → null", () => {
  const facts = { tradingsymbol: "X", tickSize: 0.05, lotSize: 20, lastPrice: 100 };
  const base = {
    side: "SELL" as const,
    type: "SL" as const,
    quantity: 20,
    price: 89,
    triggerPrice: 90,
    marketProtection: 0,
  };
  assert.equal(orderProblem(base, facts), null);
  assert.match(orderProblem({ ...base, quantity: 30 }, facts) ?? "", /lot size \(20\)/);
  assert.match(orderProblem({ ...base, price: 89.03 }, facts) ?? "", /Kindly enter price in the multiple/);
  assert.match(
    orderProblem({ ...base, triggerPrice: 101, price: 100 }, facts) ?? "",
    /lower than the last traded price/,
  );
  assert.equal(
    orderProblem({ ...base, triggerPrice: 101, price: 100 }, { ...facts, lastPrice: undefined }),
    null,
  );
});
