import { isIP } from "node:net";
import type { Clock } from "../ports/clock.js";

/*
 * Per-key (per client address) fixed-window counters: at most `limit` hits a `windowMs`. Time
 * comes from the injected clock, so tests step through windows without waiting; the service
 * gives its limiters the wall clock (a limit a minute means a real minute, also in the demo,
 * whose engine clock runs many times faster). The number of keys is bounded: a flood of
 * addresses cannot grow the map without limit.
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
  /** What a key is counted as (e.g. `addressGroupOf`: an IPv6 address as its /64); default itself. */
  keyOf?: (key: string) => string;
}

/**
 * The group a client address is limited as: an IPv6 address as its /64 (one subscriber, one
 * machine even, holds a whole /64 and can pick a fresh address for every request), an
 * IPv4-mapped IPv6 address as its IPv4 address, an IPv4 address (or anything else) as itself.
 */
export function addressGroupOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1] as string;
  if (isIP(address) !== 6) return address;
  const [head = "", tail = ""] = address.toLowerCase().split("%", 1)[0]?.split("::", 2) ?? [];
  const headGroups = head === "" ? [] : head.split(":");
  // An embedded IPv4 tail (::1.2.3.4) lies in the last 32 bits, past the /64.
  const tailGroups = address.includes("::") ? (tail === "" ? [] : tail.split(":")) : [];
  const missing = 8 - headGroups.length - tailGroups.length - (tail.includes(".") ? 1 : 0);
  const groups = [...headGroups, ...Array<string>(Math.max(0, missing)).fill("0"), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}

/** Counts hits per key and says whether one more is allowed. */
export class RateLimiter {
  private readonly windows = new Map<string, { startMs: number; count: number }>();

  constructor(private readonly options: RateLimiterOptions) {}

  /** Counts a hit of `key` (as `keyOf` groups it); not allowed once the window already holds `limit` hits. */
  hit(hitKey: string): RateDecision {
    const key = this.keyOf(hitKey);
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
    this.windows.delete(this.keyOf(key));
  }

  private keyOf(key: string): string {
    return this.options.keyOf ? this.options.keyOf(key) : key;
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
