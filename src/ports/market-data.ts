/*
 * Market data as the engine sees it: ticks of the subscribed instruments, from whichever feed
 * the mode has (Kite's ticker, the simulator's, a replay). Adapters decode their feed into
 * MarketTick before anything reaches the engine.
 */

/** How much a subscription delivers: the last price, a quote, or the full depth. */
export type TickMode = "ltp" | "quote" | "full";

export interface DepthLevel {
  price: number;
  quantity: number;
  orders: number;
}

/**
 * One instrument's market state at a tick. The field names follow Kite's JSON ticks, which the
 * ticker adapter decodes into it (../kite-mocks/ticker_*.json); another feed would fill the same.
 */
export interface MarketTick {
  mode: TickMode;
  /** False for indices (segment 9), which have no orders. */
  tradable: boolean;
  instrument_token: number;
  last_price: number;
  last_quantity?: number;
  average_price?: number;
  volume?: number;
  buy_quantity?: number;
  sell_quantity?: number;
  ohlc?: { open: number; high: number; low: number; close: number };
  /** Change from the previous close in percent ((last - close) / close * 100), as the official clients compute it. */
  change?: number;
  /** Last trade time, epoch seconds. */
  last_trade_time?: number;
  oi?: number;
  oi_day_high?: number;
  oi_day_low?: number;
  /** Exchange timestamp, epoch seconds. */
  timestamp?: number;
  depth?: { buy: DepthLevel[]; sell: DepthLevel[] };
}

/** The part of a tick feed a trading day uses (adapters/kite TickerClient fits). */
export interface TickFeed {
  subscribe(tokens: readonly number[], mode?: TickMode): void;
  unsubscribe(tokens: readonly number[]): void;
  on(event: "ticks", listener: (ticks: MarketTick[]) => void): unknown;
  off(event: "ticks", listener: (ticks: MarketTick[]) => void): unknown;
}
