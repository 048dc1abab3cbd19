import assert from "node:assert/strict";
import { test } from "node:test";
import { BSE_HOLIDAYS } from "../../src/domain/bse-holidays.js";
import { candleStartOf, type SessionTimes, TradingCalendar } from "../../src/domain/calendar.js";
import { isIsoDate, weekdayOf } from "../../src/domain/ist.js";

const SESSION: SessionTimes = { start: 555, end: 930, eodExit: 915 }; // 09:15, 15:30, 15:15

test("isTradingDay on Saturday and Sunday → false; on a plain weekday → true", () => {
  const cal = new TradingCalendar();
  assert.equal(cal.isTradingDay("2025-09-06"), false); // Saturday
  assert.equal(cal.isTradingDay("2025-09-07"), false); // Sunday
  for (const d of ["2025-09-01", "2025-09-02", "2025-09-03", "2025-09-04", "2025-09-05"]) {
    assert.equal(cal.isTradingDay(d), true, d);
  }
});

test("isTradingDay on built-in BSE holidays → false", () => {
  const cal = new TradingCalendar();
  for (const d of [
    "2025-10-02",
    "2025-08-15",
    "2026-01-26",
    "2025-12-25",
    "2025-10-21",
    "2025-10-22",
    "2025-08-27",
  ]) {
    assert.equal(cal.isTradingDay(d), false, d);
  }
});

test("isTradingDay with no built-in holidays → 2025-10-02 (a Thursday) is a trading day", () => {
  const cal = new TradingCalendar([], []);
  assert.equal(cal.isTradingDay("2025-10-02"), true);
  assert.equal(cal.isTradingDay("2025-10-04"), false); // still a Saturday
});

test("built-in holiday list → valid ISO weekdays in ascending order, each named", () => {
  const dates = [...BSE_HOLIDAYS.keys()];
  assert.ok(dates.length >= 14);
  for (const d of dates) {
    assert.ok(isIsoDate(d), d);
    const wd = weekdayOf(d);
    assert.ok(wd >= 1 && wd <= 5, `${d} falls on a weekend (${wd})`);
    assert.ok((BSE_HOLIDAYS.get(d) ?? "").length > 0, d);
  }
  assert.deepEqual([...dates].sort(), dates);
});

test("built-in 2025 holidays → the 14 weekday holidays of BSE's 2025 notice", () => {
  const y2025 = [...BSE_HOLIDAYS.keys()].filter((d) => d.startsWith("2025-"));
  assert.deepEqual(y2025, [
    "2025-02-26",
    "2025-03-14",
    "2025-03-31",
    "2025-04-10",
    "2025-04-14",
    "2025-04-18",
    "2025-05-01",
    "2025-08-15",
    "2025-08-27",
    "2025-10-02",
    "2025-10-21",
    "2025-10-22",
    "2025-11-05",
    "2025-12-25",
  ]);
});

test("built-in 2026 holidays → BSE's 2026 list (15 weekdays, Holi 3 Mar, Muharram 26 Jun)", () => {
  const y2026 = [...BSE_HOLIDAYS.keys()].filter((d) => d.startsWith("2026-"));
  for (const d of [
    "2026-01-26",
    "2026-03-03",
    "2026-03-26",
    "2026-03-31",
    "2026-04-03",
    "2026-04-14",
    "2026-05-01",
    "2026-05-28",
    "2026-06-26",
    "2026-09-14",
    "2026-10-02",
    "2026-10-20",
    "2026-11-10",
    "2026-11-24",
    "2026-12-25",
  ]) {
    assert.ok(y2026.includes(d), `${d} missing`);
  }
});

test("isTradingDay on 2026-01-15 (Maharashtra civic polls, declared by circular in January 2026) → false", () => {
  const cal = new TradingCalendar();
  assert.equal(cal.isTradingDay("2026-01-15"), false);
  assert.equal(cal.onOrBefore("2026-01-15"), "2026-01-14");
});

test("extra holidays from config → skipped too, named as config holidays", () => {
  const cal = new TradingCalendar(["2025-09-03"]);
  assert.equal(cal.isTradingDay("2025-09-03"), false);
  assert.equal(cal.isTradingDay("2025-10-02"), false); // built-ins still apply
  assert.equal(cal.previousTradingDay("2025-09-04"), "2025-09-02");
  assert.equal(cal.nextTradingDay("2025-09-02"), "2025-09-04");
  assert.equal(cal.holidayName("2025-09-03"), "holiday (config)");
  assert.equal(cal.holidayName("2025-10-02"), "Mahatma Gandhi Jayanti / Dussehra");
  assert.equal(cal.holidayName("2025-09-04"), undefined);
  assert.equal(new TradingCalendar().isTradingDay("2025-09-03"), true);
});

test("previousTradingDay of Monday 2025-08-18 → Thursday 2025-08-14 (weekend + 15 Aug holiday)", () => {
  const cal = new TradingCalendar();
  assert.equal(cal.previousTradingDay("2025-08-18"), "2025-08-14");
  assert.equal(cal.nextTradingDay("2025-08-14"), "2025-08-18");
});

test("previousTradingDay across a weekend only → Friday", () => {
  const cal = new TradingCalendar();
  assert.equal(cal.previousTradingDay("2025-09-08"), "2025-09-05");
  assert.equal(cal.previousTradingDay("2025-09-05"), "2025-09-04");
  assert.equal(cal.nextTradingDay("2025-09-05"), "2025-09-08");
  // From a Saturday or a Sunday too.
  assert.equal(cal.previousTradingDay("2025-09-06"), "2025-09-05");
  assert.equal(cal.previousTradingDay("2025-09-07"), "2025-09-05");
});

test("previousTradingDay over the Diwali holidays → skips 21 and 22 October 2025", () => {
  const cal = new TradingCalendar();
  assert.equal(cal.previousTradingDay("2025-10-23"), "2025-10-20");
  assert.equal(cal.nextTradingDay("2025-10-20"), "2025-10-23");
  assert.equal(cal.previousTradingDay("2025-10-03"), "2025-10-01");
});

test("previousTradingDay across a year end → last trading day of December", () => {
  const cal = new TradingCalendar();
  // 2026-01-01 is a Thursday (no built-in holiday); 2025-12-31 a Wednesday.
  assert.equal(cal.previousTradingDay("2026-01-01"), "2025-12-31");
  assert.equal(cal.nextTradingDay("2025-12-24"), "2025-12-26"); // over Christmas
  assert.equal(cal.previousTradingDay("2026-01-27"), "2026-01-23"); // over Republic Day Monday and a weekend
});

test("onOrBefore of a trading day → itself; of a holiday → previous trading day", () => {
  const cal = new TradingCalendar();
  assert.equal(cal.onOrBefore("2025-09-11"), "2025-09-11");
  assert.equal(cal.onOrBefore("2025-10-02"), "2025-10-01");
  assert.equal(cal.onOrBefore("2025-12-25"), "2025-12-24");
  assert.equal(cal.onOrBefore("2025-09-07"), "2025-09-05");
});

test("tradingDaysBetween a fortnight → weekdays without holidays, both ends included", () => {
  const cal = new TradingCalendar();
  assert.deepEqual(cal.tradingDaysBetween("2025-08-11", "2025-08-22"), [
    "2025-08-11",
    "2025-08-12",
    "2025-08-13",
    "2025-08-14",
    "2025-08-18",
    "2025-08-19",
    "2025-08-20",
    "2025-08-21",
    "2025-08-22",
  ]);
  assert.deepEqual(cal.tradingDaysBetween("2025-09-04", "2025-09-04"), ["2025-09-04"]);
  assert.deepEqual(cal.tradingDaysBetween("2025-09-06", "2025-09-07"), []);
  assert.deepEqual(cal.tradingDaysBetween("2025-09-05", "2025-09-04"), []);
});

test("previousTradingDay with more than 30 holidays in a row → throws", () => {
  const many: string[] = [];
  for (let d = 1; d <= 31; d++) many.push(`2025-07-${d < 10 ? "0" : ""}${d}`);
  const cal = new TradingCalendar(many);
  assert.throws(
    () => cal.previousTradingDay("2025-08-01"),
    /no trading day within 30 days before 2025-08-01/,
  );
  assert.throws(() => cal.nextTradingDay("2025-06-30"), /no trading day within 30 days after 2025-06-30/);
});

test("phaseAt on a holiday or weekend → HOLIDAY whatever the time", () => {
  const cal = new TradingCalendar();
  for (const m of [0, 555, 600, 915, 930, 1439]) {
    assert.equal(cal.phaseAt("2025-10-02", m, SESSION), "HOLIDAY");
    assert.equal(cal.phaseAt("2025-09-06", m, SESSION), "HOLIDAY");
  }
});

test("phaseAt around 09:15, 15:15 and 15:30 → exact boundary phases", () => {
  const cal = new TradingCalendar();
  const day = "2025-09-04";
  assert.equal(cal.phaseAt(day, 0, SESSION), "PRE_MARKET");
  assert.equal(cal.phaseAt(day, 554, SESSION), "PRE_MARKET"); // 09:14
  assert.equal(cal.phaseAt(day, 555, SESSION), "OPEN"); // 09:15
  assert.equal(cal.phaseAt(day, 914, SESSION), "OPEN"); // 15:14
  assert.equal(cal.phaseAt(day, 915, SESSION), "EXIT_ONLY"); // 15:15
  assert.equal(cal.phaseAt(day, 929, SESSION), "EXIT_ONLY"); // 15:29
  assert.equal(cal.phaseAt(day, 930, SESSION), "CLOSED"); // 15:30
  assert.equal(cal.phaseAt(day, 1439, SESSION), "CLOSED");
  // Fractional minutes (a clock read with seconds) fall on the right side.
  assert.equal(cal.phaseAt(day, 554.99, SESSION), "PRE_MARKET");
  assert.equal(cal.phaseAt(day, 914.5, SESSION), "OPEN");
  assert.equal(cal.phaseAt(day, 929.99, SESSION), "EXIT_ONLY");
});

test("phaseAt on a config holiday → HOLIDAY", () => {
  const cal = new TradingCalendar(["2025-09-04"]);
  assert.equal(cal.phaseAt("2025-09-04", 600, SESSION), "HOLIDAY");
});

test("candleStartOf with 3-minute candles → aligned to 09:15", () => {
  assert.equal(candleStartOf(555, 3, 555), 555); // 09:15 → 09:15
  assert.equal(candleStartOf(556, 3, 555), 555); // 09:16 → 09:15
  assert.equal(candleStartOf(557, 3, 555), 555); // 09:17 → 09:15
  assert.equal(candleStartOf(558, 3, 555), 558); // 09:18 → 09:18
  assert.equal(candleStartOf(600, 3, 555), 600); // 10:00 is 45 minutes in → a start
  assert.equal(candleStartOf(601, 3, 555), 600);
  assert.equal(candleStartOf(929, 3, 555), 927); // 15:29 → 15:27
  assert.equal(candleStartOf(557.9, 3, 555), 555);
});

test("candleStartOf with 5- and 15-minute candles → aligned to 09:15, not to the hour", () => {
  assert.equal(candleStartOf(600, 5, 555), 600); // 10:00 = 09:15 + 45
  assert.equal(candleStartOf(604, 5, 555), 600);
  assert.equal(candleStartOf(569, 15, 555), 555); // 09:29 → 09:15
  assert.equal(candleStartOf(570, 15, 555), 570); // 09:30
  assert.equal(candleStartOf(600, 60, 555), 555); // 10:00 → 09:15 hour candle
  assert.equal(candleStartOf(615, 60, 555), 615); // 10:15
});

test("candleStartOf before the session start → -1", () => {
  assert.equal(candleStartOf(554, 3, 555), -1);
  assert.equal(candleStartOf(0, 3, 555), -1);
});
