import type { Schedule } from "../../src/engine/postback-confirmer.js";

/** Real time stepped by hand for a `Schedule` user: timers fire as `advance` passes them. */
export function manualSchedule() {
  let now = 0;
  let timers: Array<{ at: number; fn: () => void }> = [];
  const schedule: Schedule = (fn, ms) => {
    const timer = { at: now + ms, fn };
    timers.push(timer);
    return () => {
      timers = timers.filter((t) => t !== timer);
    };
  };
  return {
    schedule,
    now: () => now,
    /** Moves time on by `ms`, firing the timers due on the way and letting the work they start settle. */
    async advance(ms: number): Promise<void> {
      const until = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = Math.max(now, due.at);
        due.fn();
        for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      }
      now = until;
    },
  };
}
