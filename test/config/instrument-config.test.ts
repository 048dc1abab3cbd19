import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfig } from "../../src/config/load.js";
import { tradingCalendarOf, underlyingOf } from "../../src/config/underlying.js";
import { executionConfigFrom } from "../../src/engine/execution-config.js";
import { strategyParamsFrom } from "../../src/strategy/params.js";

/** `trading.instrument`: the underlying, and the defaults that follow from it. */

function valid(raw: unknown) {
  const r = parseConfig(raw);
  assert.ok(r.ok, r.ok ? "" : r.errors.join("\n"));
  return r.config;
}

test("trading.instrument NIFTY alone → 50-point strikes ± 250, lot 65, NSE's 0.03503 % charge, orders on NFO", () => {
  const c = valid({ trading: { instrument: "NIFTY" } });
  assert.equal(c.trading.strike_interval, 50);
  assert.equal(c.trading.strike_range, 250);
  assert.equal(c.trading.lot_size, 65);
  assert.equal(c.charges.exchange_pct, 0.03503);
  assert.equal(executionConfigFrom(c).exchange, "NFO");
  assert.equal(strategyParamsFrom(c).charges.exchangePct, 0.03503);
  assert.equal(underlyingOf(c).index.tradingsymbol, "NIFTY 50");
});

test("no trading.instrument → SENSEX with the defaults it always had (100, ± 500, lot 20, 0.0325 %, BFO)", () => {
  const c = valid({});
  assert.equal(c.trading.instrument, "SENSEX");
  assert.equal(c.trading.strike_interval, 100);
  assert.equal(c.trading.strike_range, 500);
  assert.equal(c.trading.lot_size, 20);
  assert.equal(c.charges.exchange_pct, 0.0325);
  assert.equal(executionConfigFrom(c).exchange, "BFO");
});

test("trading.instrument NIFTY with keys set → the keys win over the underlying's defaults", () => {
  const c = valid({
    trading: { instrument: "NIFTY", strike_interval: 100, strike_range: 300, lot_size: 75 },
    charges: { exchange_pct: 0.05 },
  });
  assert.equal(c.trading.strike_interval, 100);
  assert.equal(c.trading.strike_range, 300);
  assert.equal(c.trading.lot_size, 75);
  assert.equal(c.charges.exchange_pct, 0.05);
});

test("an unsupported trading.instrument → a configuration error listing the supported ones", () => {
  const r = parseConfig({ trading: { instrument: "BANKNIFTY" } });
  assert.ok(!r.ok);
  assert.deepEqual(r.errors, [
    'trading.instrument: expected a supported underlying (SENSEX, NIFTY), found "BANKNIFTY"',
  ]);
});

test("trading.strike_range of NIFTY not a multiple of its 50-point default step → an error naming the step", () => {
  const r = parseConfig({ trading: { instrument: "NIFTY", strike_range: 120 } });
  assert.ok(!r.ok);
  assert.match(
    r.errors.join("\n"),
    /trading\.strike_range: expected a multiple of trading\.strike_interval \(50\), found 120/,
  );
});

test("tradingCalendarOf NIFTY → NSE's holidays and market.holidays", () => {
  const cal = tradingCalendarOf(
    valid({ trading: { instrument: "NIFTY" }, market: { holidays: ["2026-07-07"] } }),
  );
  assert.equal(cal.holidayName("2026-01-15"), "Municipal Corporation Election - Maharashtra");
  assert.equal(cal.isTradingDay("2026-07-07"), false);
  assert.equal(cal.isTradingDay("2026-07-08"), true);
});
