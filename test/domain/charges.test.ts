import assert from "node:assert/strict";
import { test } from "node:test";
import { type ChargeRates, DEFAULT_CHARGE_RATES, paise, roundTripCharges } from "../../src/domain/charges.js";

test("DEFAULT_CHARGE_RATES → the rates of STRATEGY.md section 7", () => {
  assert.deepEqual(DEFAULT_CHARGE_RATES, {
    brokeragePerOrder: 20,
    sttSellPct: 0.1,
    exchangePct: 0.0325,
    sebiPerCrore: 10,
    gstPct: 18,
    stampBuyPct: 0.003,
  });
});

test("roundTripCharges buy 100, sell 110, qty 20 → total 51.08 as worked by hand", () => {
  // Buy value 2000, sell value 2200, turnover 4200.
  // brokerage 2 × 20 = 40; STT 0.1% × 2200 = 2.2; exchange 0.0325% × 4200 = 1.365 → 1.37;
  // SEBI 4200 × 10 / 1e7 = 0.0042 → 0; GST 18% × (40 + 1.365 + 0.0042) = 7.446456 → 7.45;
  // stamp 0.003% × 2000 = 0.06; total 51.075656 → 51.08.
  assert.deepEqual(roundTripCharges(100, 110, 20), {
    brokerage: 40,
    stt: 2.2,
    exchange: 1.37,
    sebi: 0,
    gst: 7.45,
    stamp: 0.06,
    total: 51.08,
  });
});

test("roundTripCharges of a losing trade buy 110, sell 100, qty 20 → STT on the sell, stamp on the buy", () => {
  // STT 0.1% × 2000 = 2; exchange 1.365 → 1.37; GST 7.446456 → 7.45; stamp 0.003% × 2200 = 0.066 → 0.07.
  // The total is the sum of the rounded parts, so the breakdown adds up: 40 + 2 + 1.37 + 0 + 7.45 + 0.07 = 50.89
  // (rounding the unrounded sum 50.881656 would give 50.88).
  assert.deepEqual(roundTripCharges(110, 100, 20), {
    brokerage: 40,
    stt: 2,
    exchange: 1.37,
    sebi: 0,
    gst: 7.45,
    stamp: 0.07,
    total: 50.89,
  });
});

test("roundTripCharges with a turnover of one crore → SEBI fee 10 and GST on it", () => {
  // 1000 × 5000 each side: turnover 1e7. brokerage 40; STT 5000; exchange 3250; SEBI 10;
  // GST 18% × (40 + 3250 + 10) = 594; stamp 0.003% × 5e6 = 150; total 9044.
  assert.deepEqual(roundTripCharges(5000, 5000, 1000), {
    brokerage: 40,
    stt: 5000,
    exchange: 3250,
    sebi: 10,
    gst: 594,
    stamp: 150,
    total: 9044,
  });
});

test("roundTripCharges with custom rates → each rate applied as configured", () => {
  const rates: ChargeRates = {
    brokeragePerOrder: 15,
    sttSellPct: 0.0625,
    exchangePct: 0.05,
    sebiPerCrore: 100,
    gstPct: 10,
    stampBuyPct: 0.01,
  };
  // Buy 200 × 100 = 20000, sell 300 × 100 = 30000, turnover 50000.
  // brokerage 30; STT 0.0625% × 30000 = 18.75; exchange 0.05% × 50000 = 25; SEBI 50000 × 100 / 1e7 = 0.5;
  // GST 10% × (30 + 25 + 0.5) = 5.55; stamp 0.01% × 20000 = 2; total 81.8.
  assert.deepEqual(roundTripCharges(200, 300, 100, rates), {
    brokerage: 30,
    stt: 18.75,
    exchange: 25,
    sebi: 0.5,
    gst: 5.55,
    stamp: 2,
    total: 81.8,
  });
});

test("roundTripCharges with every rate zero → all zero", () => {
  const zero: ChargeRates = {
    brokeragePerOrder: 0,
    sttSellPct: 0,
    exchangePct: 0,
    sebiPerCrore: 0,
    gstPct: 0,
    stampBuyPct: 0,
  };
  assert.deepEqual(roundTripCharges(100, 110, 20, zero), {
    brokerage: 0,
    stt: 0,
    exchange: 0,
    sebi: 0,
    gst: 0,
    stamp: 0,
    total: 0,
  });
});

test("roundTripCharges with only brokerage → two orders, GST on brokerage", () => {
  const rates: ChargeRates = {
    ...DEFAULT_CHARGE_RATES,
    sttSellPct: 0,
    exchangePct: 0,
    sebiPerCrore: 0,
    stampBuyPct: 0,
  };
  const c = roundTripCharges(100, 110, 20, rates);
  assert.equal(c.brokerage, 40);
  assert.equal(c.gst, 7.2);
  assert.equal(c.total, 47.2);
});

test("paise → rupees rounded to 2 decimals", () => {
  assert.equal(paise(1.365), 1.37);
  assert.equal(paise(7.446456), 7.45);
  assert.equal(paise(0.0042), 0);
  assert.equal(paise(0.005), 0.01);
  assert.equal(paise(51.075656), 51.08);
  assert.equal(paise(-2.344), -2.34);
  assert.equal(paise(123), 123);
});
