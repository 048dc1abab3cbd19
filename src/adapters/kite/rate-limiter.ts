import type { Clock } from "../../ports/clock.js";

/*
 * Kite's rate limits, kept on our side so that the system never earns a 429 by itself (repeated
 * breaches can get the app blocked). Each endpoint class is a set of sliding windows ("at most
 * `limit` requests in any `windowMs`"); a call waits its turn, first come first served within
 * its class. Time comes from the injected clock and waiting from the injected sleep, so tests
 * run without real waiting.
 *
 * The limits are per api_key: one limiter must be shared by every REST client of the process.
 * Another process using the same api_key at the same time (a CLI beside the service) is not
 * counted.
 */

/** Kite's endpoint classes. */
export type RateClass = "quote" | "historical" | "orders" | "others";

/** At most `limit` requests in any window of `windowMs`. */
export interface RateWindow {
  limit: number;
  windowMs: number;
}

/** Kite's published limits: quote 1/s, historical 3/s, orders 10/s and 400/min, others 10/s. */
export const KITE_RATE_LIMITS: Readonly<Record<RateClass, readonly RateWindow[]>> = {
  quote: [{ limit: 1, windowMs: 1000 }],
  historical: [{ limit: 3, windowMs: 1000 }],
  orders: [
    { limit: 10, windowMs: 1000 },
    { limit: 400, windowMs: 60_000 },
  ],
  others: [{ limit: 10, windowMs: 1000 }],
};

/** Waits `ms` milliseconds. */
export type Sleep = (ms: number) => Promise<void>;

/** A sleep on the event loop's timers. */
export const timerSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export interface RateLimiterOptions {
  clock: Clock;
  sleep?: Sleep;
  limits?: Readonly<Record<RateClass, readonly RateWindow[]>>;
  /**
   * Added to every window: requests leave here spaced by the window, but network jitter can
   * bring two of them closer together at Kite's end.
   */
  safetyMarginMs?: number;
}

interface ClassState {
  waiters: Array<() => void>;
  /** Grant times, oldest first. */
  grants: number[];
  pumping: boolean;
}

/** FIFO sliding-window rate limiter for Kite's endpoint classes. */
export class RateLimiter {
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly limits: Readonly<Record<RateClass, readonly RateWindow[]>>;
  private readonly margin: number;
  private readonly states = new Map<RateClass, ClassState>();

  constructor(options: RateLimiterOptions) {
    this.clock = options.clock;
    this.sleep = options.sleep ?? timerSleep;
    this.limits = options.limits ?? KITE_RATE_LIMITS;
    this.margin = options.safetyMarginMs ?? 50;
  }

  /** Resolves when a request of class `cls` may be sent (the grant is counted from then). */
  acquire(cls: RateClass): Promise<void> {
    const state = this.stateOf(cls);
    return new Promise<void>((resolve) => {
      state.waiters.push(resolve);
      if (!state.pumping) void this.pump(cls, state);
    });
  }

  /** Runs `send` once its class allows it. */
  async schedule<T>(cls: RateClass, send: () => Promise<T>): Promise<T> {
    await this.acquire(cls);
    return send();
  }

  /** How many calls of a class are waiting. */
  waiting(cls: RateClass): number {
    return this.stateOf(cls).waiters.length;
  }

  private stateOf(cls: RateClass): ClassState {
    let state = this.states.get(cls);
    if (!state) {
      state = { waiters: [], grants: [], pumping: false };
      this.states.set(cls, state);
    }
    return state;
  }

  /** Grants the waiters of one class in order, sleeping whenever a window is full. */
  private async pump(cls: RateClass, state: ClassState): Promise<void> {
    state.pumping = true;
    try {
      while (state.waiters.length > 0) {
        const now = this.clock.now();
        const wait = this.waitMs(cls, state, now);
        if (wait > 0) {
          try {
            await this.sleep(wait);
          } catch {
            // a failing sleep must not strand the queue: check the clock again
          }
          continue;
        }
        state.grants.push(now);
        (state.waiters.shift() as () => void)();
      }
    } finally {
      state.pumping = false;
    }
  }

  /** How long until one more request of the class fits in every window (0: now). */
  private waitMs(cls: RateClass, state: ClassState, now: number): number {
    const windows = this.limits[cls];
    let longest = 0;
    for (const w of windows) longest = Math.max(longest, w.windowMs + this.margin);
    // Forget grants no window can see any more.
    while (state.grants.length > 0 && (state.grants[0] as number) <= now - longest) state.grants.shift();
    let wait = 0;
    for (const w of windows) {
      const span = w.windowMs + this.margin;
      let inWindow = 0;
      for (let i = state.grants.length - 1; i >= 0 && (state.grants[i] as number) > now - span; i--)
        inWindow++;
      if (inWindow < w.limit) continue;
      // The limit-th most recent grant must leave the window.
      const oldestCounted = state.grants[state.grants.length - w.limit] as number;
      wait = Math.max(wait, oldestCounted + span - now);
    }
    // A clock set back (NTP) must not park the queue for longer than one window.
    return Math.min(wait, longest);
  }
}
