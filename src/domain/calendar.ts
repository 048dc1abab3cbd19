import { BSE_HOLIDAYS } from "./bse-holidays.js";
import { addDays, type IsoDate, weekdayOf } from "./ist.js";

/** Session times of the market, in minutes since midnight IST. */
export interface SessionTimes {
  /** Session start, also the start of the first candle (09:15). */
  start: number;
  /** Session end (15:30). */
  end: number;
  /** Time from which no entry is taken and every position is closed (15:15). */
  eodExit: number;
}

/** Where a moment stands in the trading day. */
export type SessionPhase =
  | "HOLIDAY" // not a trading day (weekend or exchange holiday)
  | "PRE_MARKET" // a trading day, before the session start
  | "OPEN" // entries allowed: session start up to the EOD exit time
  | "EXIT_ONLY" // from the EOD exit time to the session end: positions are closed, none opened
  | "CLOSED"; // after the session end

/** Longest run of non-trading days the calendar will walk through before giving up. */
const MAX_GAP_DAYS = 30;

/**
 * The IST trading calendar: weekends and exchange holidays are skipped. The built-in holidays
 * are BSE's unless others are given (an underlying's profile gives its exchange's: calendarOf).
 */
export class TradingCalendar {
  private readonly holidays: ReadonlySet<IsoDate>;
  private readonly names: ReadonlyMap<IsoDate, string>;

  constructor(
    extraHolidays: readonly IsoDate[] = [],
    builtIn: ReadonlyMap<IsoDate, string> | Iterable<IsoDate> = BSE_HOLIDAYS,
  ) {
    this.names = builtIn instanceof Map ? builtIn : new Map();
    const builtInDates = builtIn instanceof Map ? builtIn.keys() : builtIn;
    this.holidays = new Set([...builtInDates, ...extraHolidays]);
  }

  /** True on weekdays that are not holidays. */
  isTradingDay(date: IsoDate): boolean {
    const wd = weekdayOf(date);
    return wd !== 0 && wd !== 6 && !this.holidays.has(date);
  }

  /** The holiday's name when `date` is a built-in exchange holiday. */
  holidayName(date: IsoDate): string | undefined {
    return this.names.get(date) ?? (this.holidays.has(date) ? "holiday (config)" : undefined);
  }

  /** The last trading day strictly before `date`. */
  previousTradingDay(date: IsoDate): IsoDate {
    return this.step(date, -1);
  }

  /** The first trading day strictly after `date`. */
  nextTradingDay(date: IsoDate): IsoDate {
    return this.step(date, 1);
  }

  /** `date` itself when it is a trading day, else the previous trading day (used for expiry shifts). */
  onOrBefore(date: IsoDate): IsoDate {
    return this.isTradingDay(date) ? date : this.previousTradingDay(date);
  }

  /** Trading days from `from` to `to`, both included, in order. */
  tradingDaysBetween(from: IsoDate, to: IsoDate): IsoDate[] {
    const days: IsoDate[] = [];
    for (let d = from; d <= to; d = addDays(d, 1)) if (this.isTradingDay(d)) days.push(d);
    return days;
  }

  /** The phase of the day at `minute` (minutes since midnight IST) of `date`. */
  phaseAt(date: IsoDate, minute: number, session: SessionTimes): SessionPhase {
    if (!this.isTradingDay(date)) return "HOLIDAY";
    if (minute < session.start) return "PRE_MARKET";
    if (minute < session.eodExit) return "OPEN";
    if (minute < session.end) return "EXIT_ONLY";
    return "CLOSED";
  }

  private step(date: IsoDate, direction: 1 | -1): IsoDate {
    let d = date;
    for (let i = 0; i < MAX_GAP_DAYS; i++) {
      d = addDays(d, direction);
      if (this.isTradingDay(d)) return d;
    }
    throw new Error(
      `no trading day within ${MAX_GAP_DAYS} days ${direction < 0 ? "before" : "after"} ${date}`,
    );
  }
}

/**
 * Start of the candle that contains `minute`, with candles aligned to the session start
 * ([09:15, 09:18), [09:18, 09:21), … for 3-minute candles). Returns -1 before the session.
 */
export function candleStartOf(minute: number, intervalMinutes: number, sessionStart: number): number {
  if (minute < sessionStart) return -1;
  return sessionStart + Math.floor((minute - sessionStart) / intervalMinutes) * intervalMinutes;
}
