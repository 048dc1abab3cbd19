/*
 * Runs the trading day, day after day, in one long-lived process: at each wake it asks the
 * day plan what is due, runs those steps through the engine's handler, and sleeps until the
 * next step (or the next trading day). Time comes from the injected clock and sleeping from
 * the injected timer, so tests drive whole days without waiting.
 *
 * Rules on top of the day plan:
 * - PRE_MARKET and MARKET_OPEN need a broker session: without one they are held (not run,
 *   not failed) and looked at again after `retryDelayMs` or on `poke()` (a login callback).
 * - While SESSION_CHECK is done and there is no session, "login needed" is sent at the
 *   session check and every reminder interval until the give-up time. At the give-up time,
 *   or on any later wake before the EOD exit when trading has not started, no session means
 *   the day is given up once: PRE_MARKET and MARKET_OPEN are not run today; EOD_EXIT and
 *   DAY_SUMMARY still run (they cost nothing and report the day). The give-up lives in this
 *   process only: a restart with a session (after a late login) does the missing steps.
 * - A step whose prerequisite is not done (MARKET_OPEN without PRE_MARKET) waits for it.
 * - A `hasSession()` that throws is reported and counts as "unknown": steps are held, but no
 *   reminder and no give-up follow from it (a flaky check must not cost a day of trading).
 * - A handler that throws is reported through `onError`, is not marked done, and is tried
 *   again at the next wake (within `retryDelayMs`); the other due steps still run.
 * - Done steps are read from and marked in `DayProgress`, which the engine persists: a
 *   restart never redoes a step marked done.
 */

import type { TradingCalendar } from "../domain/calendar.js";
import { type IsoDate, istEpochMs, istPartsOf } from "../domain/ist.js";
import type { Clock } from "../ports/clock.js";
import type { SetTimer } from "../ports/timer.js";
import {
  type DaySchedule,
  type DayStep,
  DEFAULT_LOGIN_REMINDER_MINUTES,
  dueSteps,
  loginReminderTimes,
  nextWake,
  STEP_PREREQUISITE,
} from "./day-plan.js";

/**
 * The steps done per date. The engine persists them for crash recovery. A step whose effect
 * lives only in the process (MARKET_OPEN's tick subscription) should either not be persisted
 * or be re-established by the engine on start-up, since a restart will not run it again.
 */
export interface DayProgress {
  /** Steps done on `date`. */
  get(date: IsoDate): ReadonlySet<DayStep>;
  /** Records that `step` is done on `date`. */
  mark(date: IsoDate, step: DayStep): void;
}

/** DayProgress kept in memory (tests, paper runs without a database). */
export class MemoryDayProgress implements DayProgress {
  private readonly byDate = new Map<IsoDate, Set<DayStep>>();

  get(date: IsoDate): ReadonlySet<DayStep> {
    return this.byDate.get(date) ?? new Set();
  }

  mark(date: IsoDate, step: DayStep): void {
    let set = this.byDate.get(date);
    if (!set) {
      set = new Set();
      this.byDate.set(date, set);
    }
    set.add(step);
  }
}

/** What went wrong where, for `onError`. */
export interface SchedulerErrorContext {
  date: IsoDate;
  /** The step whose handler failed; undefined for a failure of the scheduler's own pass. */
  step?: DayStep;
}

/** What the scheduler is given: time, a timer, the plan, the progress store and the engine's handlers. */
export interface DaySchedulerOptions {
  clock: Clock;
  setTimer: SetTimer;
  calendar: TradingCalendar;
  schedule: DaySchedule;
  progress: DayProgress;
  /** Runs one step; resolving marks it done. */
  onStep(date: IsoDate, step: DayStep): Promise<void> | void;
  /** True when a valid broker session exists. */
  hasSession(): Promise<boolean> | boolean;
  /** "Login needed" (with the login URL, the engine's business): at the session check and each reminder. */
  onLoginNeeded(date: IsoDate): void;
  /** No session by the give-up time: no trading today. Once per day. */
  onGiveUp(date: IsoDate): void;
  /** A failing handler or pass; never thrown further. */
  onError(error: unknown, context: SchedulerErrorContext): void;
  /** Minutes between "login needed" reminders (default 10). */
  loginReminderMinutes?: number;
  /** Pause before a failed or held step is tried again (default 60 s). */
  retryDelayMs?: number;
  /** Longest sleep: a wake that finds nothing to do just sleeps again, and a long sleep would miss a clock jump (default 1 h). */
  maxSleepMs?: number;
}

/** Steps that start trading and so need a broker session. */
const NEEDS_SESSION: ReadonlySet<DayStep> = new Set(["PRE_MARKET", "MARKET_OPEN"]);

/** What the scheduler remembers about the current date, in this process only. */
interface DayState {
  date: IsoDate;
  /** The latest reminder slot (minute of day) for which "login needed" was sent; -1 none. */
  remindedSlot: number;
  gaveUp: boolean;
}

/** The long-lived runner of the trading day schedule (see the file comment for its rules). */
export class DayScheduler {
  private readonly reminders: number[];
  private readonly retryDelayMs: number;
  private readonly maxSleepMs: number;
  private cancelTimer: (() => void) | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private day: DayState = { date: "", remindedSlot: -1, gaveUp: false };

  constructor(private readonly o: DaySchedulerOptions) {
    this.reminders = loginReminderTimes(o.schedule, o.loginReminderMinutes ?? DEFAULT_LOGIN_REMINDER_MINUTES);
    this.retryDelayMs = o.retryDelayMs ?? 60_000;
    this.maxSleepMs = o.maxSleepMs ?? 3_600_000;
  }

  /** Starts the loop: does whatever is due now (a mid-day start catches up), then sleeps. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.poke();
  }

  /** Stops the loop and clears its timer; a step already running finishes. */
  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  /** Looks at the schedule now (e.g. right after a login) instead of at the next wake. */
  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true; // one more pass once the current one ends, so the poke is not lost
      return;
    }
    this.running = this.loop();
  }

  /** Resolves when no pass is running (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** True when today has been given up for lack of a session (status pages). */
  get gaveUpToday(): boolean {
    return this.day.gaveUp && this.day.date === istPartsOf(this.o.clock.now()).date;
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        this.cancelTimer?.();
        this.cancelTimer = null;
        let wakeAt: number;
        try {
          wakeAt = await this.pass();
        } catch (error) {
          this.report(error, { date: istPartsOf(this.o.clock.now()).date });
          wakeAt = this.o.clock.now() + this.retryDelayMs;
        }
        if (!this.stopped && !this.again) this.arm(wakeAt);
      } while (this.again && !this.stopped);
    } finally {
      this.running = null;
    }
  }

  private arm(wakeAt: number): void {
    const delay = Math.min(Math.max(wakeAt - this.o.clock.now(), 1), this.maxSleepMs);
    this.cancelTimer = this.o.setTimer(delay, () => {
      this.cancelTimer = null;
      this.poke();
    });
  }

  /** Runs what is due; returns the epoch ms of the next wake. */
  private async pass(): Promise<number> {
    const { clock, calendar, schedule, progress } = this.o;
    const now = clock.now();
    const { date, minute } = istPartsOf(now);
    if (this.day.date !== date) this.day = { date, remindedSlot: -1, gaveUp: false };
    const day = this.day;
    let retry = false;
    let session: boolean | undefined;
    let sessionUnknown = false;
    // Asked lazily and once per pass, after SESSION_CHECK has had its chance to load the token.
    // A check that throws counts as "no session" for this pass but never gives the day up:
    // a flaky check must not cost a day of trading.
    const hasSession = async () => {
      if (session === undefined) {
        try {
          session = await this.o.hasSession();
        } catch (error) {
          this.report(error, { date });
          session = false;
          sessionUnknown = true;
          retry = true;
        }
      }
      return session;
    };

    for (const step of dueSteps({ date, minute }, progress.get(date), schedule, calendar)) {
      if (this.stopped) break;
      if (NEEDS_SESSION.has(step)) {
        if (day.gaveUp) continue;
        if (!(await hasSession())) {
          if (minute >= schedule.loginGiveUp && !sessionUnknown) {
            this.giveUp(day);
            continue;
          }
          retry = true; // held: the login may come any moment
          continue;
        }
      }
      const before = STEP_PREREQUISITE[step];
      if (before && !progress.get(date).has(before)) {
        retry = true;
        continue;
      }
      try {
        await this.o.onStep(date, step);
        progress.mark(date, step);
      } catch (error) {
        this.report(error, { date, step });
        retry = true;
      }
    }

    const done = progress.get(date);
    if (calendar.isTradingDay(date) && !this.stopped) {
      const trading = done.has("MARKET_OPEN") || day.gaveUp;
      if (!trading && minute >= schedule.loginGiveUp && minute < schedule.eodExit) {
        // Normally decided above; this covers a give-up time with nothing else due.
        if (!(await hasSession()) && !sessionUnknown) this.giveUp(day);
      } else if (!trading && done.has("SESSION_CHECK") && minute < schedule.loginGiveUp) {
        const slot = latestAtOrBefore(this.reminders, minute);
        if (slot !== undefined && slot > day.remindedSlot && !(await hasSession()) && !sessionUnknown) {
          day.remindedSlot = slot;
          this.safely(() => this.o.onLoginNeeded(date), date);
        }
      }
    }

    let wakeAt = nextWake({ date, minute }, done, schedule, calendar);
    if (calendar.isTradingDay(date) && !done.has("MARKET_OPEN") && !day.gaveUp) {
      // Reminder slots and the give-up time are wakes too while a login may be outstanding.
      const next = [...this.reminders, schedule.loginGiveUp].find((m) => m > minute);
      if (next !== undefined) wakeAt = Math.min(wakeAt, istEpochMs(date, next));
    }
    if (retry) wakeAt = Math.min(wakeAt, now + this.retryDelayMs);
    return wakeAt;
  }

  private giveUp(day: DayState): void {
    if (day.gaveUp) return;
    day.gaveUp = true;
    this.safely(() => this.o.onGiveUp(day.date), day.date);
  }

  private safely(fn: () => void, date: IsoDate): void {
    try {
      fn();
    } catch (error) {
      this.report(error, { date });
    }
  }

  private report(error: unknown, context: SchedulerErrorContext): void {
    try {
      this.o.onError(error, context);
    } catch {
      // An error reporter that fails has nowhere left to report to; the loop must go on.
    }
  }
}

function latestAtOrBefore(sorted: readonly number[], minute: number): number | undefined {
  let found: number | undefined;
  for (const m of sorted) if (m <= minute) found = m;
  return found;
}
