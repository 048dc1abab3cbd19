import type { Clock } from "../../src/ports/clock.js";
import type { SetTimer } from "../../src/ports/timer.js";

/** Timers fired by hand at the (market) time they are due: a service driven step by step. */
export class HandTimers {
  private readonly list: Array<{ at: number; fn: () => void; seq: number }> = [];
  private seq = 0;
  constructor(private readonly clock: Clock) {}

  readonly setTimer: SetTimer = (ms, fn) => {
    const t = { at: this.clock.now() + ms, fn, seq: this.seq++ };
    this.list.push(t);
    return () => {
      const i = this.list.indexOf(t);
      if (i >= 0) this.list.splice(i, 1);
    };
  };

  /** Drops every timer (the process that armed them is gone). */
  cancelAll(): void {
    this.list.length = 0;
  }

  /** Fires every timer due by now, earliest first (timers armed meanwhile included when due). */
  fireDue(): number {
    let fired = 0;
    for (;;) {
      const now = this.clock.now();
      const due = this.list.filter((t) => t.at <= now).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) return fired;
      this.list.splice(this.list.indexOf(due), 1);
      due.fn();
      fired++;
    }
  }
}

/** Rate limits that never hold a test back (the simulator's own limits are off in these runs). */
export const UNTHROTTLED_LIMITS = {
  quote: [{ limit: 1000, windowMs: 1000 }],
  historical: [{ limit: 1000, windowMs: 1000 }],
  orders: [{ limit: 1000, windowMs: 1000 }],
  others: [{ limit: 1000, windowMs: 1000 }],
};
