/*
 * The ticker's reconnect delays: capped exponential backoff with jitter, counted in attempts
 * since the last stable connection.
 */

/** See the file comment. */
export class ReconnectBackoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private attempts = 0;

  /** Default 1 s .. 30 s; `random` is the jitter source in [0, 1). */
  constructor(
    limits: { initialMs: number; maxMs: number } | undefined,
    private readonly random: () => number,
  ) {
    this.initialMs = Math.max(1, limits?.initialMs ?? 1_000);
    this.maxMs = Math.max(this.initialMs, limits?.maxMs ?? 30_000);
  }

  /** Consecutive attempts since the last reset. */
  get attempt(): number {
    return this.attempts;
  }

  /** A connection stayed up (or a new start): the next delay is the initial one again. */
  reset(): void {
    this.attempts = 0;
  }

  /**
   * The next reconnect delay: jitter over [floor, cap] with cap = min(max, initial * 2^(n-1)).
   * The floor (a tenth of the initial delay) keeps a jitter source that returns 0 from making
   * the client spin.
   */
  next(): number {
    this.attempts++;
    const cap = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempts - 1, 30));
    const floor = Math.min(cap, this.initialMs / 10);
    const r = Math.min(Math.max(this.random(), 0), 1);
    return Math.round(floor + r * (cap - floor));
  }
}
