import assert from "node:assert/strict";
import { test } from "node:test";
import { BSE_HOLIDAYS } from "../../src/domain/bse-holidays.js";
import { isIsoDate, weekdayOf } from "../../src/domain/ist.js";
import { NSE_HOLIDAYS } from "../../src/domain/nse-holidays.js";
import { formatWeeklySymbol, parseOptionSymbol } from "../../src/domain/symbols.js";
import {
  calendarOf,
  masterExchangesOf,
  SUPPORTED_UNDERLYINGS,
  underlyingProfile,
  weeklyExpiryOnOrAfter,
} from "../../src/domain/underlyings.js";

const NIFTY = underlyingProfile("NIFTY");
const SENSEX = underlyingProfile("SENSEX");
const TUESDAY = 2;
const THURSDAY = 4;

test("underlyingProfile NIFTY → NSE:NIFTY 50 (token 256265), options on NFO, 50-point strikes, lot 65, Tuesday", () => {
  assert.deepEqual(NIFTY.index, { exchange: "NSE", tradingsymbol: "NIFTY 50", instrumentToken: 256265 });
  assert.equal(NIFTY.optionExchange, "NFO");
  assert.equal(NIFTY.optionSegment, "NFO-OPT");
  assert.equal(NIFTY.strikeStep, 50);
  assert.equal(NIFTY.defaultStrikeRange, 250);
  assert.equal(NIFTY.fallbackLotSize, 65);
  assert.equal(NIFTY.weeklyExpiryWeekday, TUESDAY);
  assert.equal(NIFTY.holidays, NSE_HOLIDAYS);
  assert.equal(NIFTY.exchangeChargePct, 0.03503);
  assert.deepEqual(masterExchangesOf(NIFTY), ["NFO", "NSE"]);
});

test("underlyingProfile SENSEX → the values the system always used (BSE:SENSEX 265, BFO, 100, lot 20, Thursday)", () => {
  assert.deepEqual(SENSEX.index, { exchange: "BSE", tradingsymbol: "SENSEX", instrumentToken: 265 });
  assert.equal(SENSEX.optionExchange, "BFO");
  assert.equal(SENSEX.strikeStep, 100);
  assert.equal(SENSEX.defaultStrikeRange, 500);
  assert.equal(SENSEX.fallbackLotSize, 20);
  assert.equal(SENSEX.weeklyExpiryWeekday, THURSDAY);
  assert.equal(SENSEX.holidays, BSE_HOLIDAYS);
  assert.equal(SENSEX.exchangeChargePct, 0.0325);
  assert.deepEqual(masterExchangesOf(SENSEX), ["BFO", "BSE"]);
});

test("underlyingProfile of an unknown name → an error that lists the supported ones", () => {
  assert.deepEqual(SUPPORTED_UNDERLYINGS, ["SENSEX", "NIFTY"]);
  assert.throws(
    () => underlyingProfile("BANKNIFTY"),
    /unsupported underlying "BANKNIFTY": expected one of SENSEX, NIFTY/,
  );
});

test("weeklyExpiryOnOrAfter NIFTY on plain weeks → the Tuesday of the week, the day itself on a Tuesday", () => {
  const cal = calendarOf(NIFTY);
  assert.equal(weeklyExpiryOnOrAfter(NIFTY, cal, "2025-09-03"), "2025-09-09"); // Wednesday → next Tuesday
  assert.equal(weeklyExpiryOnOrAfter(NIFTY, cal, "2025-09-08"), "2025-09-09"); // Monday
  assert.equal(weeklyExpiryOnOrAfter(NIFTY, cal, "2025-09-09"), "2025-09-09"); // Tuesday itself
  assert.equal(weekdayOf(weeklyExpiryOnOrAfter(NIFTY, cal, "2026-06-10")), TUESDAY);
});

test("weeklyExpiryOnOrAfter NIFTY when the Tuesday is an NSE holiday → the previous trading day", () => {
  const cal = calendarOf(NIFTY);
  assert.equal(weeklyExpiryOnOrAfter(NIFTY, cal, "2025-10-20"), "2025-10-20"); // 21 Oct 2025 Diwali → Monday
  assert.equal(weeklyExpiryOnOrAfter(NIFTY, cal, "2026-03-02"), "2026-03-02"); // 3 Mar 2026 Holi → Monday
  assert.equal(weeklyExpiryOnOrAfter(NIFTY, cal, "2026-03-25"), "2026-03-30"); // 31 Mar 2026 Mahavir Jayanti
  // The week after a moved expiry starts with its own Tuesday.
  assert.equal(weeklyExpiryOnOrAfter(NIFTY, cal, "2025-10-23"), "2025-10-28");
});

test("weeklyExpiryOnOrAfter SENSEX → Thursday, and 2 Oct 2025 (a holiday) moves to 1 Oct", () => {
  const cal = calendarOf(SENSEX);
  assert.equal(weeklyExpiryOnOrAfter(SENSEX, cal, "2025-09-08"), "2025-09-11");
  assert.equal(weeklyExpiryOnOrAfter(SENSEX, cal, "2025-09-29"), "2025-10-01");
});

test("NSE_HOLIDAYS → named weekdays in order: 14 in 2025, 16 in 2026 (15 Jan election, Holi 3 Mar, Christmas)", () => {
  const dates = [...NSE_HOLIDAYS.keys()];
  for (const d of dates) {
    assert.ok(isIsoDate(d), d);
    const wd = weekdayOf(d);
    assert.ok(wd >= 1 && wd <= 5, `${d} falls on a weekend`);
    assert.ok((NSE_HOLIDAYS.get(d) ?? "").length > 0, d);
  }
  assert.deepEqual([...dates].sort(), dates);
  assert.equal(dates.filter((d) => d.startsWith("2025-")).length, 14);
  assert.equal(dates.filter((d) => d.startsWith("2026-")).length, 16);
  for (const d of ["2026-01-15", "2026-03-03", "2026-11-24", "2026-12-25"]) assert.ok(NSE_HOLIDAYS.has(d), d);
});

test("calendarOf NIFTY → NSE holidays closed and named, market.holidays added, plain days open", () => {
  const cal = calendarOf(NIFTY, ["2026-07-07"]);
  assert.equal(cal.isTradingDay("2026-03-03"), false);
  assert.equal(cal.holidayName("2026-03-03"), "Holi");
  assert.equal(cal.isTradingDay("2026-07-07"), false);
  assert.equal(cal.holidayName("2026-07-07"), "holiday (config)");
  assert.equal(cal.isTradingDay("2026-07-08"), true);
  assert.equal(cal.previousTradingDay("2026-03-04"), "2026-03-02");
});

test("NIFTY weekly and monthly symbols → parsed and formatted like SENSEX's (NIFTY2590924950CE, NIFTY25SEP24950PE)", () => {
  assert.equal(formatWeeklySymbol("NIFTY", "2025-09-09", 24950, "CE"), "NIFTY2590924950CE");
  assert.equal(formatWeeklySymbol("NIFTY", "2025-10-20", 25100, "PE"), "NIFTY25O2025100PE");
  assert.deepEqual(parseOptionSymbol("NIFTY25O2025100PE"), {
    underlying: "NIFTY",
    strike: 25100,
    optionType: "PE",
    kind: "weekly",
    expiry: "2025-10-20",
    expiryMonth: "2025-10",
  });
  assert.deepEqual(parseOptionSymbol("NIFTY25SEP24950PE"), {
    underlying: "NIFTY",
    strike: 24950,
    optionType: "PE",
    kind: "monthly",
    expiryMonth: "2025-09",
  });
});
