/*
 * The service's work in flight (orders sent, reconciliations, the archive): tracked so that
 * stop() and the tests can wait for it, and so that a failure is reported rather than lost.
 */

/** See the file comment. */
export class InFlightWork {
  private readonly pending = new Set<Promise<unknown>>();

  /** `failed` hears of every tracked work that rejects. */
  constructor(private readonly failed: (error: unknown) => void) {}

  /** How much work is in flight. */
  get size(): number {
    return this.pending.size;
  }

  track(work: Promise<unknown>): void {
    const guarded = work.catch((e) => this.failed(e));
    this.pending.add(guarded);
    void guarded.finally(() => this.pending.delete(guarded));
  }

  /** Resolves once the work in flight (and work it started, up to 20 rounds) has settled. */
  async settled(): Promise<void> {
    for (let i = 0; i < 20 && this.pending.size > 0; i++) await Promise.allSettled([...this.pending]);
  }
}
