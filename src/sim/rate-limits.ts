/**
 * Kite's per-api_key rate limits as token buckets (KITE.md "REST basics"): quotes 1 request a
 * second, historical candles 3, order placement 10 a second and 400 a minute, everything else
 * 10. Real time, not market time: limits protect Kite's servers, whatever the replay speed.
 */

export type RateClass = "quote" | "historical" | "order_place" | "other";

interface BucketSpec {
  capacity: number;
  perSecond: number;
}

const LIMITS: Record<RateClass, readonly BucketSpec[]> = {
  quote: [{ capacity: 1, perSecond: 1 }],
  historical: [{ capacity: 3, perSecond: 3 }],
  order_place: [
    { capacity: 10, perSecond: 10 },
    { capacity: 400, perSecond: 400 / 60 },
  ],
  other: [{ capacity: 10, perSecond: 10 }],
};

interface Bucket {
  spec: BucketSpec;
  tokens: number;
  at: number;
}

/** Token buckets per api_key and rate class. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket[]>();

  /** `now` is real time in ms; a disabled limiter lets everything through (tests). */
  constructor(
    private readonly now: () => number,
    private readonly enabled = true,
  ) {}

  /** Takes one request of `cls` for `apiKey`; false when it is over the limit (HTTP 429). */
  take(apiKey: string, cls: RateClass): boolean {
    if (!this.enabled) return true;
    const key = `${apiKey}|${cls}`;
    let buckets = this.buckets.get(key);
    const now = this.now();
    if (!buckets) {
      buckets = LIMITS[cls].map((spec) => ({ spec, tokens: spec.capacity, at: now }));
      this.buckets.set(key, buckets);
    }
    for (const b of buckets) {
      b.tokens = Math.min(b.spec.capacity, b.tokens + ((now - b.at) / 1000) * b.spec.perSecond);
      b.at = now;
    }
    if (buckets.some((b) => b.tokens < 1)) return false;
    for (const b of buckets) b.tokens -= 1;
    return true;
  }
}

/** The rate class of a Kite route. */
export function rateClassOf(method: string, path: string): RateClass {
  if (path === "/quote" || path.startsWith("/quote/")) return "quote";
  if (path.startsWith("/instruments/historical/")) return "historical";
  if (method === "POST" && /^\/orders\/[^/]+$/.test(path)) return "order_place";
  return "other";
}
