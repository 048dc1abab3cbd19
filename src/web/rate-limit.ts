import type { Clock } from "../ports/clock.js";

/*
 * Per-key (per client address) fixed-window counters: at most `limit` hits a `windowMs`. Time
 * comes from the injected clock, so tests step through windows without waiting. The number of
 * keys is bounded: a flood of addresses cannot grow the map without limit.
 */

export type RateDecision =
  | { allowed: true; count: number }
  | { allowed: false; count: number; retryAfterS: number };

export interface RateLimiterOptions {
  limit: number;
  windowMs: number;
  clock: Clock;
  /** Keys kept at most (oldest windows dropped first). Default 10,000. */
  maxKeys?: number;
}

/** Counts hits per key and says whether one more is allowed. */
export class RateLimiter {
  private readonly windows = new Map<string, { startMs: number; count: number }>();

  constructor(private readonly options: RateLimiterOptions) {}

  /** Counts a hit of `key`; not allowed once the window already holds `limit` hits. */
  hit(key: string): RateDecision {
    const now = this.options.clock.now();
    let w = this.windows.get(key);
    if (!w || now - w.startMs >= this.options.windowMs) {
      if (w) this.windows.delete(key); // re-inserted below: the map stays in window order
      w = { startMs: now, count: 0 };
      this.windows.set(key, w);
      this.prune();
    }
    w.count++;
    if (w.count <= this.options.limit) return { allowed: true, count: w.count };
    return {
      allowed: false,
      count: w.count,
      retryAfterS: Math.max(1, Math.ceil((w.startMs + this.options.windowMs - now) / 1000)),
    };
  }

  /** Forgets a key (e.g. after a successful login). */
  reset(key: string): void {
    this.windows.delete(key);
  }

  /** Drops the oldest windows (map order is window start order) beyond the cap. */
  private prune(): void {
    const max = this.options.maxKeys ?? 10_000;
    for (const key of this.windows.keys()) {
      if (this.windows.size <= max) return;
      this.windows.delete(key);
    }
  }
}
