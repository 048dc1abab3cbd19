/*
 * The polling path by which fills are learned when the socket and postbacks miss them: while
 * orders or positions are open at the broker, its order book is reconciled every so often.
 */

import type { Store } from "../ports/store.js";

export interface ReconcileCadenceDeps {
  store: Pick<Store, "positions" | "orders">;
  /** Between two reconciliations (default 30 s). */
  everyMs?: number | undefined;
  /** Starts a reconciliation with the broker (the work is tracked by the caller). */
  reconcile: () => void;
}

/** See the file comment. */
export class ReconcileCadence {
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly d: ReconcileCadenceDeps) {}

  /** At a poll: reconciles when the last one is old enough and anything is open at the broker. */
  whenDue(now: number): void {
    if (now - this.lastAt < (this.d.everyMs ?? 30_000)) return;
    const busy = this.d.store.positions.open().length > 0 || this.d.store.orders.live().length > 0;
    if (!busy) return;
    this.lastAt = now;
    this.d.reconcile();
  }
}
