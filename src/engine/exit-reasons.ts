import type { PositionsStore } from "../ports/store.js";

/**
 * The reason of each exit the order manager decided (a strategy exit's STOP_LOSS, TARGET, EOD…,
 * EMERGENCY, PANIC, protective_stop), as the exit path reads it. It is not held in memory: the
 * desk writes it on the position with the CLOSING state (one transaction), and it is read back
 * from there, so an exit in flight across a restart keeps its reason (a MARKET sale for an
 * emergency, the right exit reason on the trade) instead of becoming MANUAL.
 */
export class ExitReasons {
  /** `positions`: read when asked (the desk's store is set after its fields). */
  constructor(private readonly positions: () => Pick<PositionsStore, "byTradeId">) {}

  /** The exit's reason; undefined when none was decided (or one decided before schema v7). */
  get(tradeId: string): string | undefined {
    return this.positions().byTradeId(tradeId)?.exitReason ?? undefined;
  }
}
