import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeSetups, encodeSetups } from "../../src/backtest/stored-setups.js";
import { classicPivots } from "../../src/domain/pivots.js";
import type { ContractSetup } from "../../src/strategy/types.js";

const setups: ContractSetup[] = [
  {
    symbol: "SENSEX2591180500CE",
    strike: 80500,
    optionType: "CE",
    quantity: 20,
    pivots: classicPivots({ high: 120.35, low: 80.1, close: 110.05 }),
    structure: "BULLISH",
    priorSizes: [0.1 + 0.2, 1 / 3, -0, 7.25],
  },
  {
    symbol: "SENSEX2591180500PE",
    strike: 80500,
    optionType: "PE",
    quantity: 40,
    pivots: null,
    structure: null,
    priorSizes: [],
  },
  {
    symbol: "SENSEX2591180600PE",
    strike: 80600,
    optionType: "PE",
    quantity: 20,
    pivots: classicPivots({ high: 99.95, low: 60, close: 61.3 }),
    structure: "BEARISH",
    priorSizes: [2.5],
  },
];

const walks = [
  { candles: 125, slots: [0xffffffff, 0xffffffff, 0xffffffff, 0x1fffffff] },
  { candles: 0, slots: [0, 0, 0, 0] },
  { candles: 2, slots: [0x80000001, 0, 0, 0] },
];
const day = { setups, walks };

test("setups and walks as stored numbers and back → the very same (every double, -0, null pivots, level order, bit 31)", () => {
  const values = encodeSetups(day);
  assert.ok(values);
  const back = decodeSetups(
    setups.map((s) => s.symbol),
    values,
  );
  assert.deepEqual(back, day);
  assert.ok(Object.is(back?.setups[0]?.priorSizes[2], -0));
  assert.deepEqual(Object.keys(back?.setups[0]?.pivots ?? {}), Object.keys(setups[0]?.pivots ?? {}));
});

test("stored numbers that do not fit the symbols → null, not made-up setups", () => {
  const values = encodeSetups(day) as Float64Array;
  const symbols = setups.map((s) => s.symbol);
  assert.equal(decodeSetups(symbols, values.subarray(0, values.length - 1)), null);
  assert.equal(decodeSetups([...symbols, "EXTRA"], values), null);
  assert.equal(decodeSetups(symbols.slice(0, 2), values), null);
  const badType = Float64Array.from(values);
  badType[2] = 5;
  assert.equal(decodeSetups(symbols, badType), null);
});

test("a setup with an option type the form has no code for, or without its walk → not stored (null)", () => {
  const odd = { ...setups[0], optionType: "XX" } as unknown as ContractSetup;
  assert.equal(encodeSetups({ setups: [odd], walks: [walks[0] as (typeof walks)[number]] }), null);
  assert.equal(encodeSetups({ setups, walks: walks.slice(1) }), null);
});
