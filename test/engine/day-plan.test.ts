import assert from "node:assert/strict";
import { test } from "node:test";
import { TradingCalendar } from "../../src/domain/calendar.js";
import { istEpochMs, parseHhmm } from "../../src/domain/ist.js";
import {
  type DayStep,
  dayScheduleFrom,
  dueSteps,
  loginReminderTimes,
  nextWake,
} from "../../src/engine/day-plan.js";

const calendar = new TradingCalendar();
const schedule = dayScheduleFrom({ start_time: "09:15", end_time: "15:30", eod_exit_time: "15:15" });
const THURSDAY = "2025-09-04";
const NONE: ReadonlySet<DayStep> = new Set();

const due = (time: string, done: ReadonlySet<DayStep> = NONE, date = THURSDAY) =>
  dueSteps({ date, minute: parseHhmm(time) }, done, schedule, calendar);

test("dayScheduleFrom with the default times → 08:00, 09:00, 08:45, 09:15, 15:15, 15:30, 15:35", () => {
  assert.deepEqual(schedule, {
    sessionCheck: 480,
    loginGiveUp: 540,
    preMarket: 525,
    open: 555,
    eodExit: 915,
    close: 930,
    summary: 935,
  });
});

test("dayScheduleFrom with a pre-market after the open → throws", () => {
  assert.throws(
    () =>
      dayScheduleFrom(
        { start_time: "09:15", end_time: "15:30", eod_exit_time: "15:15" },
        { preMarket: "09:20" },
      ),
    /pre-market < open/,
  );
});

test("dueSteps with nothing done, through a trading day → the steps whose window holds the minute", () => {
  const expected: [string, DayStep[]][] = [
    ["07:00", []],
    ["08:00", ["SESSION_CHECK"]],
    ["08:44", ["SESSION_CHECK"]],
    ["08:45", ["SESSION_CHECK", "PRE_MARKET"]],
    ["09:14", ["SESSION_CHECK", "PRE_MARKET"]],
    ["09:15", ["SESSION_CHECK", "PRE_MARKET", "MARKET_OPEN"]],
    ["11:00", ["SESSION_CHECK", "PRE_MARKET", "MARKET_OPEN"]],
    ["15:14", ["SESSION_CHECK", "PRE_MARKET", "MARKET_OPEN"]],
    ["15:15", ["SESSION_CHECK", "EOD_EXIT"]],
    ["15:29", ["SESSION_CHECK", "EOD_EXIT"]],
    ["15:31", []],
    ["15:35", ["DAY_SUMMARY"]],
    ["16:00", ["DAY_SUMMARY"]],
    ["23:00", ["DAY_SUMMARY"]],
    ["23:59", ["DAY_SUMMARY"]],
  ];
  for (const [time, steps] of expected) assert.deepEqual(due(time), steps, `at ${time}`);
});

test("dueSteps with earlier steps done → only the steps not done", () => {
  assert.deepEqual(due("08:45", new Set(["SESSION_CHECK"])), ["PRE_MARKET"]);
  assert.deepEqual(due("09:15", new Set(["SESSION_CHECK", "PRE_MARKET"])), ["MARKET_OPEN"]);
  assert.deepEqual(due("11:00", new Set(["SESSION_CHECK", "PRE_MARKET", "MARKET_OPEN"])), []);
  assert.deepEqual(due("15:15", new Set(["SESSION_CHECK", "PRE_MARKET", "MARKET_OPEN"])), ["EOD_EXIT"]);
  assert.deepEqual(due("16:00", new Set(["SESSION_CHECK", "EOD_EXIT", "DAY_SUMMARY"])), []);
});

test("dueSteps on a Saturday → none", () => {
  for (const time of ["08:00", "09:15", "15:15", "16:00"])
    assert.deepEqual(due(time, NONE, "2025-09-06"), []);
});

test("dueSteps on the 2025-10-02 BSE holiday → none", () => {
  for (const time of ["08:00", "09:15", "15:15", "16:00"])
    assert.deepEqual(due(time, NONE, "2025-10-02"), []);
});

test("dueSteps on a config holiday → none", () => {
  const withHoliday = new TradingCalendar([THURSDAY]);
  assert.deepEqual(dueSteps({ date: THURSDAY, minute: 600 }, NONE, schedule, withHoliday), []);
});

const wake = (date: string, time: string, done: ReadonlySet<DayStep> = NONE) =>
  nextWake({ date, minute: parseHhmm(time) }, done, schedule, calendar);

test("nextWake early on a trading day → the same day's session check", () => {
  assert.equal(wake(THURSDAY, "07:00"), istEpochMs(THURSDAY, 480));
});

test("nextWake between steps → the start of the next step not done", () => {
  assert.equal(wake(THURSDAY, "08:00", new Set(["SESSION_CHECK"])), istEpochMs(THURSDAY, 525));
  assert.equal(
    wake(THURSDAY, "09:15", new Set(["SESSION_CHECK", "PRE_MARKET", "MARKET_OPEN"])),
    istEpochMs(THURSDAY, 915),
  );
  assert.equal(wake(THURSDAY, "15:31"), istEpochMs(THURSDAY, 935));
});

test("nextWake on Friday 2025-09-26 evening → Monday 2025-09-29 08:00", () => {
  const all = new Set<DayStep>(["SESSION_CHECK", "PRE_MARKET", "MARKET_OPEN", "EOD_EXIT", "DAY_SUMMARY"]);
  assert.equal(wake("2025-09-26", "18:00", all), istEpochMs("2025-09-29", 480));
});

test("nextWake on a Saturday → Monday 08:00", () => {
  assert.equal(wake("2025-09-27", "10:00"), istEpochMs("2025-09-29", 480));
});

test("nextWake on 2025-10-01 evening → 2025-10-03 08:00 (10-02 is a holiday)", () => {
  assert.equal(wake("2025-10-01", "16:00", new Set(["DAY_SUMMARY"])), istEpochMs("2025-10-03", 480));
});

test("loginReminderTimes every 10 minutes → 08:00 … 08:50, none at the 09:00 give-up", () => {
  assert.deepEqual(loginReminderTimes(schedule), [480, 490, 500, 510, 520, 530]);
  assert.deepEqual(loginReminderTimes(schedule, 25), [480, 505, 530]);
});

test("loginReminderTimes with a zero interval → throws", () => {
  assert.throws(() => loginReminderTimes(schedule, 0), /positive/);
});
