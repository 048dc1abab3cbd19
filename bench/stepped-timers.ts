import type { Clock } from "../src/ports/clock.js";
import type { SetTimer } from "../src/ports/timer.js";

/**
 * The service's timers, fired by the benchmark at the market time they are due: the market is
 * stepped by hand, so a candle close can be made to come from a tick (never from the poll
 * timer) and the run is the same every time.
 */
export class SteppedTimers {
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

  /** Fires every timer due by now, earliest first (timers armed meanwhile included when due). */
  fireDue(): void {
    for (;;) {
      const now = this.clock.now();
      const due = this.list.filter((t) => t.at <= now).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) return;
      this.list.splice(this.list.indexOf(due), 1);
      due.fn();
    }
  }
}
