import type { Config } from "../config/schema.js";
import { type OptionExchange, underlyingProfile } from "../domain/underlyings.js";

/** How the order manager places orders (see order-manager.ts). */
export interface ExecutionConfig {
  entryOrder: "LIMIT" | "MARKET";
  /** LIMIT entry price = LTP × (1 + pct/100), rounded up to the tick. */
  entryLimitBufferPct: number;
  /** For MARKET orders (-1: automatic). */
  marketProtection: number;
  /** Exits must happen: MARKET by default. */
  exitOrder: "LIMIT" | "MARKET";
  /** LIMIT exit price = LTP × (1 - pct/100), rounded down to the tick. */
  exitLimitBufferPct: number;
  /** An entry not fully filled by then is cancelled; a filled part is kept as the position. */
  entryTimeoutMs: number;
  /** STRATEGY.md 8: the protective stop's trigger = stop_loss × (1 - pct/100), rounded down. */
  disasterStopPct: number;
  /** The protective stop's limit = trigger × (1 - pct/100), rounded down: room to fill in a fall. */
  stopLimitGapPct: number;
  product: "MIS" | "NRML";
  /** Where the options trade: the underlying's (`trading.instrument`) option exchange. */
  exchange: OptionExchange;
  /** Entries beyond this many placements in the last 60 s are refused (stops and exits are not). */
  maxOrdersPerMinute: number;
  /**
   * An order written NEW whose answer never came (crash, lost answer) and that the broker's
   * book does not show after this long was never taken: it is marked FAILED and the step redone.
   */
  unsentAfterMs: number;
  /** Exits placed for one trade before giving up with a critical alert. */
  maxExitAttempts: number;
  /**
   * An exit still unfilled after this long is cancelled and placed again at the new price: a
   * MARKET order that Kite's market protection turned into a limit can rest while the price
   * falls away, and the position has no protective stop any more at that point.
   */
  exitRepriceMs: number;
  /**
   * A quantity at the broker above what the trades' tagged orders explain (a late duplicate, an
   * order by hand) is sold at market (always alerted); `risk_management.flatten_unexplained`.
   */
  flattenUnexplained: boolean;
}

export const DEFAULT_EXECUTION_CONFIG: ExecutionConfig = {
  entryOrder: "LIMIT",
  entryLimitBufferPct: 0.5,
  marketProtection: -1,
  exitOrder: "MARKET",
  exitLimitBufferPct: 1,
  entryTimeoutMs: 30_000,
  disasterStopPct: 10,
  stopLimitGapPct: 2,
  product: "MIS",
  exchange: "BFO",
  maxOrdersPerMinute: 20,
  unsentAfterMs: 15_000,
  maxExitAttempts: 10,
  exitRepriceMs: 10_000,
  flattenUnexplained: true,
};

/** The execution settings of a configuration (`execution`, `risk_management.disaster_stop_pct` and `flatten_unexplained`). */
export function executionConfigFrom(config: Config): ExecutionConfig {
  const e = config.execution;
  return executionConfig({
    entryOrder: e.entry_order,
    entryLimitBufferPct: e.entry_limit_buffer_pct,
    marketProtection: e.market_protection,
    exitOrder: e.exit_order,
    exitLimitBufferPct: e.exit_limit_buffer_pct,
    entryTimeoutMs: e.entry_timeout_seconds * 1000,
    maxOrdersPerMinute: e.max_orders_per_minute,
    product: e.product,
    exchange: underlyingProfile(config.trading.instrument).optionExchange,
    disasterStopPct: config.risk_management.disaster_stop_pct,
    flattenUnexplained: config.risk_management.flatten_unexplained,
  });
}

/** The defaults with some values changed. */
export function executionConfig(changes: Partial<ExecutionConfig> = {}): ExecutionConfig {
  return { ...DEFAULT_EXECUTION_CONFIG, ...changes };
}

/**
 * How long a protective stop whose fate is unknown (its answer lost, and the order book
 * unreadable at that moment: a burst of 429s or 5xx) waits before the book decides it. A stop
 * is what keeps a held position from being naked, so it is looked up again after a few seconds
 * rather than the full `unsentAfterMs`: Kite's book shows an order as soon as it is accepted,
 * and a second stop, should the first one surface late, is cancelled as a duplicate.
 */
export const UNCERTAIN_STOP_MS = 3_000;

/** How long an order written NEW without an answer waits before the book may mark it FAILED. */
export function unsentAfterMsOf(order: { purpose: string }, config: ExecutionConfig): number {
  return order.purpose === "STOP_LOSS"
    ? Math.min(config.unsentAfterMs, UNCERTAIN_STOP_MS)
    : config.unsentAfterMs;
}
