/*
 * The steps of a trading day and which of them are due, as pure functions of the IST date,
 * the minute of day, the steps already done and the calendar. The scheduler (scheduler.ts)
 * drives the engine with them; a process started at any time asks the same question
 * ("what is due now?"), so a cold start and a normal day are one code path.
 *
 * Each step has a window [start, deadline) in which running it still makes sense. A step is
 * due when it is not done and the minute is inside its window; a missed window is skipped:
 *
 * | step          | start        | deadline     | why the deadline                                  |
 * |---------------|--------------|--------------|---------------------------------------------------|
 * | SESSION_CHECK | sessionCheck | close        | a session is needed up to the close (EOD exit)    |
 * | PRE_MARKET    | preMarket    | eodExit      | no entry after the EOD exit time: no universe use |
 * | MARKET_OPEN   | open         | eodExit      | same: subscribing to trade nothing is pointless   |
 * | EOD_EXIT      | eodExit      | close        | orders can be placed only while the market is open|
 * | DAY_SUMMARY   | summary      | midnight     | after midnight it is another date's business      |
 *
 * So a start at 11:00 runs SESSION_CHECK, PRE_MARKET and MARKET_OPEN at once; a start at
 * 15:20 runs SESSION_CHECK and EOD_EXIT (a restart with positions open still closes them);
 * a start at 15:31 runs nothing until the 15:35 summary; on a non-trading day nothing is due.
 */

import type { TradingCalendar } from "../domain/calendar.js";
import { type IsoDate, istEpochMs, parseHhmm } from "../domain/ist.js";

/** One step of the trading day, in the order they run. */
export type DayStep = "SESSION_CHECK" | "PRE_MARKET" | "MARKET_OPEN" | "EOD_EXIT" | "DAY_SUMMARY";

/** Every step, in running order. */
export const DAY_STEPS: readonly DayStep[] = [
  "SESSION_CHECK",
  "PRE_MARKET",
  "MARKET_OPEN",
  "EOD_EXIT",
  "DAY_SUMMARY",
];

/** The step that must be done before a step may run (the universe needs a session, trading needs a universe). */
export const STEP_PREREQUISITE: Readonly<Record<DayStep, DayStep | null>> = {
  SESSION_CHECK: null,
  PRE_MARKET: "SESSION_CHECK",
  MARKET_OPEN: "PRE_MARKET",
  EOD_EXIT: null,
  DAY_SUMMARY: null,
};

/** Times of the trading day, in minutes since midnight IST. */
export interface DaySchedule {
  /** Broker session check; the first "login needed" (08:00). */
  sessionCheck: number;
  /** Without a session by then, trading is given up for the day (09:00). */
  loginGiveUp: number;
  /** Instrument master, spot, universe, pivots (08:45). */
  preMarket: number;
  /** Session start: tick subscription and candles (09:15, market.start_time). */
  open: number;
  /** Exit everything (15:15, market.eod_exit_time). */
  eodExit: number;
  /** Session end (15:30, market.end_time). */
  close: number;
  /** Daily summary (15:35). */
  summary: number;
}

/** Times of the day that are not (yet) configuration keys, as `HH:MM` IST. */
export interface DayTimes {
  sessionCheck: string;
  loginGiveUp: string;
  preMarket: string;
  summary: string;
}

/** Defaults of the times that the configuration does not hold. */
export const DEFAULT_DAY_TIMES: Readonly<DayTimes> = {
  sessionCheck: "08:00",
  loginGiveUp: "09:00",
  preMarket: "08:45",
  summary: "15:35",
};

/** The schedule from `market.*` of the configuration and the other times (defaults above); throws when out of order. */
export function dayScheduleFrom(
  market: { start_time: string; end_time: string; eod_exit_time: string },
  times: Partial<DayTimes> = {},
): DaySchedule {
  const t = { ...DEFAULT_DAY_TIMES, ...times };
  const schedule: DaySchedule = {
    sessionCheck: parseHhmm(t.sessionCheck),
    loginGiveUp: parseHhmm(t.loginGiveUp),
    preMarket: parseHhmm(t.preMarket),
    open: parseHhmm(market.start_time),
    eodExit: parseHhmm(market.eod_exit_time),
    close: parseHhmm(market.end_time),
    summary: parseHhmm(t.summary),
  };
  const problem = scheduleProblem(schedule);
  if (problem) throw new Error(`day schedule: ${problem}`);
  return schedule;
}

/** Why a schedule cannot work, or null when it is in order. */
export function scheduleProblem(s: DaySchedule): string | null {
  // The windows below assume this order; a pre-market after the open would trade without pivots.
  if (!(s.sessionCheck <= s.preMarket && s.preMarket < s.open)) {
    return "expected session check <= pre-market < open";
  }
  if (!(s.sessionCheck < s.loginGiveUp && s.loginGiveUp <= s.open)) {
    return "expected session check < login give-up <= open";
  }
  if (!(s.open < s.eodExit && s.eodExit <= s.close && s.close <= s.summary)) {
    return "expected open < EOD exit <= close <= summary";
  }
  return null;
}

/** A moment as the day plan sees it: the IST date and minute of day. */
export interface DayMoment {
  date: IsoDate;
  minute: number;
}

const MINUTES_A_DAY = 1440;

/** Start and deadline (exclusive) of a step's window, minutes of day. */
export function stepWindow(step: DayStep, s: DaySchedule): { start: number; deadline: number } {
  switch (step) {
    case "SESSION_CHECK":
      return { start: s.sessionCheck, deadline: s.close };
    case "PRE_MARKET":
      return { start: s.preMarket, deadline: s.eodExit };
    case "MARKET_OPEN":
      return { start: s.open, deadline: s.eodExit };
    case "EOD_EXIT":
      return { start: s.eodExit, deadline: s.close };
    case "DAY_SUMMARY":
      return { start: s.summary, deadline: MINUTES_A_DAY };
  }
}

/** The steps to run now, in order: not done and inside their window; none on a non-trading day. */
export function dueSteps(
  now: DayMoment,
  done: ReadonlySet<DayStep>,
  schedule: DaySchedule,
  calendar: TradingCalendar,
): DayStep[] {
  if (!calendar.isTradingDay(now.date)) return [];
  return DAY_STEPS.filter((step) => {
    if (done.has(step)) return false;
    const w = stepWindow(step, schedule);
    return w.start <= now.minute && now.minute < w.deadline;
  });
}

/**
 * Epoch ms of the next moment strictly after `now` at which a step becomes due: the start of
 * a later step today that is not done, else the session check of the next trading day.
 * Steps due already are the caller's to run (or to retry after a pause).
 */
export function nextWake(
  now: DayMoment,
  done: ReadonlySet<DayStep>,
  schedule: DaySchedule,
  calendar: TradingCalendar,
): number {
  if (calendar.isTradingDay(now.date)) {
    for (const step of DAY_STEPS) {
      if (!done.has(step) && stepWindow(step, schedule).start > now.minute) {
        return istEpochMs(now.date, stepWindow(step, schedule).start);
      }
    }
  }
  return istEpochMs(calendar.nextTradingDay(now.date), schedule.sessionCheck);
}

/** Default minutes between two "login needed" reminders. */
export const DEFAULT_LOGIN_REMINDER_MINUTES = 10;

/**
 * Minutes of day at which "login needed" is sent while there is no session: the session
 * check, then every `everyMinutes` before the give-up time (08:00, 08:10 … 08:50).
 */
export function loginReminderTimes(
  schedule: DaySchedule,
  everyMinutes: number = DEFAULT_LOGIN_REMINDER_MINUTES,
): number[] {
  if (!(everyMinutes > 0)) throw new Error(`login reminder interval must be positive, found ${everyMinutes}`);
  const times: number[] = [];
  for (let m = schedule.sessionCheck; m < schedule.loginGiveUp; m += everyMinutes) times.push(m);
  return times;
}
