import assert from "node:assert/strict";
import { test } from "node:test";
import { TradingCalendar } from "../../src/domain/calendar.js";
import { formatHhmm, type IsoDate, istEpochMs, istPartsOf, parseHhmm } from "../../src/domain/ist.js";
import { type DayStep, dayScheduleFrom } from "../../src/engine/day-plan.js";
import { DayScheduler, type DaySchedulerOptions, MemoryDayProgress } from "../../src/engine/scheduler.js";
import { ManualClock } from "../../src/ports/clock.js";
import type { SetTimer } from "../../src/ports/timer.js";

const schedule = dayScheduleFrom({ start_time: "09:15", end_time: "15:30", eod_exit_time: "15:15" });
const calendar = new TradingCalendar();
const THURSDAY = "2025-09-04";
const FRIDAY = "2025-09-05";

/** Timers that fire only when the test moves the clock to them. */
class FakeTimers {
  private pending: { at: number; fn: () => void; id: number }[] = [];
  private seq = 0;
  constructor(private readonly clock: ManualClock) {}

  readonly set: SetTimer = (ms, fn) => {
    const id = ++this.seq;
    this.pending.push({ at: this.clock.now() + ms, fn, id });
    return () => {
      this.pending = this.pending.filter((t) => t.id !== id);
    };
  };

  get count(): number {
    return this.pending.length;
  }

  /** Fires every timer due up to `until`, in time order, letting the scheduler finish each pass. */
  async runUntil(until: number, scheduler: DayScheduler): Promise<void> {
    for (;;) {
      this.pending.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.pending[0];
      if (!next || next.at > until) break;
      this.pending.shift();
      this.clock.set(Math.max(next.at, this.clock.now()));
      next.fn();
      await scheduler.idle();
    }
    this.clock.set(until);
  }
}

interface Harness {
  clock: ManualClock;
  timers: FakeTimers;
  progress: MemoryDayProgress;
  scheduler: DayScheduler;
  /** `date HH:MM event` lines, in order. */
  log: string[];
  errors: string[];
  session: { valid: boolean };
  /** Runs until `date HH:MM` IST. */
  until(date: IsoDate, time: string): Promise<void>;
}

function harness(
  startDate: IsoDate,
  startTime: string,
  overrides: Partial<DaySchedulerOptions> & { failing?: Map<DayStep, number> } = {},
  progress = new MemoryDayProgress(),
): Harness {
  const clock = new ManualClock(istEpochMs(startDate, parseHhmm(startTime)));
  const timers = new FakeTimers(clock);
  const log: string[] = [];
  const errors: string[] = [];
  const session = { valid: true };
  const stamp = () => {
    const p = istPartsOf(clock.now());
    return `${p.date} ${formatHhmm(p.minute)}`;
  };
  const failing = overrides.failing ?? new Map<DayStep, number>();
  const scheduler = new DayScheduler({
    clock,
    setTimer: timers.set,
    calendar,
    schedule,
    progress,
    onStep: async (_date, step) => {
      const left = failing.get(step) ?? 0;
      if (left > 0) {
        failing.set(step, left - 1);
        log.push(`${stamp()} ${step} failed`);
        throw new Error(`${step} broke`);
      }
      log.push(`${stamp()} ${step}`);
    },
    hasSession: () => session.valid,
    onLoginNeeded: () => log.push(`${stamp()} LOGIN_NEEDED`),
    onGiveUp: () => log.push(`${stamp()} GIVE_UP`),
    onError: (error, ctx) => errors.push(`${stamp()} ${ctx.step ?? "-"} ${(error as Error).message}`),
    ...overrides,
  });
  const h: Harness = {
    clock,
    timers,
    progress,
    scheduler,
    log,
    errors,
    session,
    until: (date, time) => timers.runUntil(istEpochMs(date, parseHhmm(time)), scheduler),
  };
  return h;
}

async function started(h: Harness): Promise<Harness> {
  h.scheduler.start();
  await h.scheduler.idle();
  return h;
}

const fullDay = (date: IsoDate) => [
  `${date} 08:00 SESSION_CHECK`,
  `${date} 08:45 PRE_MARKET`,
  `${date} 09:15 MARKET_OPEN`,
  `${date} 15:15 EOD_EXIT`,
  `${date} 15:35 DAY_SUMMARY`,
];

test("DayScheduler over two consecutive trading days → every step once, at its time, each day", async () => {
  const h = await started(harness(THURSDAY, "07:00"));
  await h.until(FRIDAY, "23:00");
  assert.deepEqual(h.log, [...fullDay(THURSDAY), ...fullDay(FRIDAY)]);
  assert.deepEqual(h.errors, []);
  assert.deepEqual(
    [...h.progress.get(FRIDAY)],
    ["SESSION_CHECK", "PRE_MARKET", "MARKET_OPEN", "EOD_EXIT", "DAY_SUMMARY"],
  );
  h.scheduler.stop();
});

test("DayScheduler from Friday evening → nothing over the weekend, Monday's steps from 08:00", async () => {
  const h = await started(harness("2025-09-26", "18:00"));
  await h.until("2025-09-29", "08:50");
  assert.deepEqual(h.log, [
    "2025-09-26 18:00 DAY_SUMMARY",
    "2025-09-29 08:00 SESSION_CHECK",
    "2025-09-29 08:45 PRE_MARKET",
  ]);
  h.scheduler.stop();
});

test("DayScheduler across the 2025-10-02 holiday → no step on 10-02, next on 10-03 08:00", async () => {
  const h = await started(harness("2025-10-01", "16:00"));
  await h.until("2025-10-03", "08:01");
  assert.deepEqual(h.log, ["2025-10-01 16:00 DAY_SUMMARY", "2025-10-03 08:00 SESSION_CHECK"]);
  h.scheduler.stop();
});

test("DayScheduler cold start at 11:00 → SESSION_CHECK, PRE_MARKET, MARKET_OPEN at once, then EOD at 15:15", async () => {
  const h = await started(harness(THURSDAY, "11:00"));
  assert.deepEqual(h.log, [
    `${THURSDAY} 11:00 SESSION_CHECK`,
    `${THURSDAY} 11:00 PRE_MARKET`,
    `${THURSDAY} 11:00 MARKET_OPEN`,
  ]);
  await h.until(THURSDAY, "15:16");
  assert.equal(h.log.at(-1), `${THURSDAY} 15:15 EOD_EXIT`);
  h.scheduler.stop();
});

test("DayScheduler restarted with steps marked done → they are not redone", async () => {
  const progress = new MemoryDayProgress();
  for (const s of ["SESSION_CHECK", "PRE_MARKET", "MARKET_OPEN"] as const) progress.mark(THURSDAY, s);
  const h = await started(harness(THURSDAY, "11:00", {}, progress));
  assert.deepEqual(h.log, []);
  await h.until(THURSDAY, "16:00");
  assert.deepEqual(h.log, [`${THURSDAY} 15:15 EOD_EXIT`, `${THURSDAY} 15:35 DAY_SUMMARY`]);
  h.scheduler.stop();
});

test("DayScheduler with a PRE_MARKET handler that throws twice → reported, retried a minute later, MARKET_OPEN waits for it", async () => {
  const h = await started(harness(THURSDAY, "09:14", { failing: new Map([["PRE_MARKET", 2]]) }));
  await h.until(THURSDAY, "09:20");
  assert.deepEqual(h.log, [
    `${THURSDAY} 09:14 SESSION_CHECK`,
    `${THURSDAY} 09:14 PRE_MARKET failed`,
    `${THURSDAY} 09:15 PRE_MARKET failed`,
    `${THURSDAY} 09:16 PRE_MARKET`,
    `${THURSDAY} 09:16 MARKET_OPEN`,
  ]);
  assert.deepEqual(h.errors, [
    `${THURSDAY} 09:14 PRE_MARKET PRE_MARKET broke`,
    `${THURSDAY} 09:15 PRE_MARKET PRE_MARKET broke`,
  ]);
  h.scheduler.stop();
});

test("DayScheduler with an EOD_EXIT handler that throws → reported, retried, and the summary still runs", async () => {
  const progress = new MemoryDayProgress();
  for (const s of ["SESSION_CHECK", "PRE_MARKET", "MARKET_OPEN"] as const) progress.mark(THURSDAY, s);
  const h = await started(harness(THURSDAY, "15:00", { failing: new Map([["EOD_EXIT", 1]]) }, progress));
  await h.until(THURSDAY, "16:00");
  assert.deepEqual(h.log, [
    `${THURSDAY} 15:15 EOD_EXIT failed`,
    `${THURSDAY} 15:16 EOD_EXIT`,
    `${THURSDAY} 15:35 DAY_SUMMARY`,
  ]);
  assert.equal(h.errors.length, 1);
  h.scheduler.stop();
});

test("DayScheduler whose onError throws too → the loop goes on", async () => {
  const h = await started(
    harness(THURSDAY, "15:15", {
      failing: new Map([["EOD_EXIT", 1]]),
      onError: () => {
        throw new Error("reporter down");
      },
    }),
  );
  await h.until(THURSDAY, "15:20");
  assert.ok(h.log.includes(`${THURSDAY} 15:16 EOD_EXIT`), h.log.join("\n"));
  h.scheduler.stop();
});

test("DayScheduler without a session → login needed every 10 minutes from 08:00, one give-up at 09:00, no trading", async () => {
  const h = harness(THURSDAY, "07:30");
  h.session.valid = false;
  await started(h);
  await h.until(THURSDAY, "16:00");
  assert.deepEqual(h.log, [
    `${THURSDAY} 08:00 SESSION_CHECK`,
    `${THURSDAY} 08:00 LOGIN_NEEDED`,
    `${THURSDAY} 08:10 LOGIN_NEEDED`,
    `${THURSDAY} 08:20 LOGIN_NEEDED`,
    `${THURSDAY} 08:30 LOGIN_NEEDED`,
    `${THURSDAY} 08:40 LOGIN_NEEDED`,
    `${THURSDAY} 08:50 LOGIN_NEEDED`,
    `${THURSDAY} 09:00 GIVE_UP`,
    `${THURSDAY} 15:15 EOD_EXIT`,
    `${THURSDAY} 15:35 DAY_SUMMARY`,
  ]);
  assert.equal(h.scheduler.gaveUpToday, true);
  h.scheduler.stop();
});

test("DayScheduler with a login at 08:52 → PRE_MARKET at the next look, no give-up, trading at 09:15", async () => {
  const h = harness(THURSDAY, "07:30");
  h.session.valid = false;
  await started(h);
  await h.until(THURSDAY, "08:52");
  h.session.valid = true;
  h.scheduler.poke(); // the login callback tells the scheduler
  await h.scheduler.idle();
  await h.until(THURSDAY, "09:20");
  assert.deepEqual(h.log.slice(-3), [
    `${THURSDAY} 08:50 LOGIN_NEEDED`,
    `${THURSDAY} 08:52 PRE_MARKET`,
    `${THURSDAY} 09:15 MARKET_OPEN`,
  ]);
  assert.ok(!h.log.some((l) => l.endsWith("GIVE_UP")));
  h.scheduler.stop();
});

test("DayScheduler with a login at 08:46 and no poke → PRE_MARKET held, run within the retry minute", async () => {
  const h = harness(THURSDAY, "08:44");
  h.session.valid = false;
  await started(h);
  await h.until(THURSDAY, "08:46");
  h.session.valid = true;
  await h.until(THURSDAY, "08:48");
  assert.deepEqual(h.log, [
    `${THURSDAY} 08:44 SESSION_CHECK`,
    `${THURSDAY} 08:44 LOGIN_NEEDED`,
    `${THURSDAY} 08:47 PRE_MARKET`,
  ]);
  h.scheduler.stop();
});

test("DayScheduler cold start at 11:00 without a session → one give-up at once, EOD and summary later", async () => {
  const h = harness(THURSDAY, "11:00");
  h.session.valid = false;
  await started(h);
  await h.until(THURSDAY, "16:00");
  assert.deepEqual(h.log, [
    `${THURSDAY} 11:00 SESSION_CHECK`,
    `${THURSDAY} 11:00 GIVE_UP`,
    `${THURSDAY} 15:15 EOD_EXIT`,
    `${THURSDAY} 15:35 DAY_SUMMARY`,
  ]);
  h.scheduler.stop();
});

test("DayScheduler gave up yesterday → the next day starts afresh", async () => {
  const h = harness(THURSDAY, "08:55");
  h.session.valid = false;
  await started(h);
  await h.until(THURSDAY, "20:00");
  h.session.valid = true;
  await h.until(FRIDAY, "09:16");
  assert.equal(h.scheduler.gaveUpToday, false);
  assert.deepEqual(h.log.slice(-3), fullDay(FRIDAY).slice(0, 3));
  h.scheduler.stop();
});

test("DayScheduler stop() → its timer is cleared and nothing more runs", async () => {
  const h = await started(harness(THURSDAY, "07:00"));
  assert.equal(h.timers.count, 1);
  h.scheduler.stop();
  assert.equal(h.timers.count, 0);
  await h.until(FRIDAY, "23:00");
  assert.deepEqual(h.log, []);
});

test("DayScheduler on a quiet weekend → sleeps at most an hour at a time", async () => {
  const armed: number[] = [];
  const h = harness("2025-09-27", "10:00");
  const inner = h.timers.set;
  const s = new DayScheduler({
    clock: h.clock,
    setTimer: (ms, fn) => {
      armed.push(ms);
      return inner(ms, fn);
    },
    calendar,
    schedule,
    progress: new MemoryDayProgress(),
    onStep: () => {},
    hasSession: () => true,
    onLoginNeeded: () => {},
    onGiveUp: () => {},
    onError: () => {},
  });
  s.start();
  await s.idle();
  assert.deepEqual(armed, [3_600_000]);
  s.stop();
});

test("DayScheduler whose hasSession throws → reported, and the held step runs once it answers", async () => {
  let broken = true;
  const h = await started(
    harness(THURSDAY, "08:45", {
      hasSession: () => {
        if (broken) throw new Error("token store unreadable");
        return true;
      },
    }),
  );
  assert.deepEqual(h.errors, [`${THURSDAY} 08:45 - token store unreadable`]);
  broken = false;
  await h.until(THURSDAY, "08:47");
  assert.deepEqual(h.log, [`${THURSDAY} 08:45 SESSION_CHECK`, `${THURSDAY} 08:46 PRE_MARKET`]);
  h.scheduler.stop();
});

test("DayScheduler whose hasSession throws after the give-up time → reported, the day is not given up", async () => {
  let broken = true;
  const h = await started(
    harness(THURSDAY, "09:30", {
      hasSession: () => {
        if (broken) throw new Error("profile call timed out");
        return true;
      },
    }),
  );
  broken = false;
  await h.until(THURSDAY, "09:32");
  assert.ok(!h.log.some((l) => l.endsWith("GIVE_UP")), h.log.join("\n"));
  assert.deepEqual(h.log.slice(-2), [`${THURSDAY} 09:31 PRE_MARKET`, `${THURSDAY} 09:31 MARKET_OPEN`]);
  assert.equal(h.errors.length, 1);
  h.scheduler.stop();
});
