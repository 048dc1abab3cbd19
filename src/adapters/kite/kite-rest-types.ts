import type { KiteOrder } from "./kite-payloads.js";
import type { RateLimiter, Sleep } from "./rate-limiter.js";

/* The parameters and options of KiteRest (kite-rest.ts). */

/** Exchanges the system uses. */
export type KiteExchange = "BFO" | "BSE" | "NSE" | "NFO";

/** Kite's candle intervals. */
export type KiteInterval =
  | "minute"
  | "3minute"
  | "5minute"
  | "10minute"
  | "15minute"
  | "30minute"
  | "60minute"
  | "day";

/** How GETs are retried. */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  maxAttempts: number;
  /** The first pause; each next one doubles, up to `maxDelayMs` (then jittered). */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 300, maxDelayMs: 2000 };

/** An order to place. Every order carries a tag: it is how a lost answer is found again. */
export interface PlaceOrderParams {
  exchange: KiteExchange;
  tradingsymbol: string;
  transaction_type: "BUY" | "SELL";
  order_type: "MARKET" | "LIMIT" | "SL" | "SL-M";
  quantity: number;
  product: "MIS" | "NRML" | "CNC";
  price?: number;
  trigger_price?: number;
  validity?: "DAY" | "IOC";
  /** Required by Kite on MARKET and SL-M orders; -1 (automatic) is sent when left out. */
  market_protection?: number;
  /** 1-20 letters or digits, unique to this order (never reused). */
  tag: string;
}

/** Changes to an open order. */
export interface ModifyOrderParams {
  quantity?: number;
  price?: number;
  trigger_price?: number;
  order_type?: "MARKET" | "LIMIT" | "SL" | "SL-M";
  validity?: "DAY" | "IOC";
  /** Required by Kite when the order becomes MARKET or SL-M (-1: automatic). */
  market_protection?: number;
}

/** A placed order: from Kite's answer, from the order book after a lost answer, or from the one retry. */
export interface PlacedOrder {
  order_id: string;
  via: "response" | "lookup" | "retry";
  /** The order as the book showed it (via "lookup"). */
  order?: KiteOrder;
}

export interface KiteRestOptions {
  apiKey: string;
  /** `kite.api_root`. */
  apiRoot: string;
  /** `kite.request_timeout_ms`. */
  timeoutMs: number;
  /** Shared by every client of the api_key. */
  limiter: RateLimiter;
  accessToken?: string | null;
  /** Told, once per token, that Kite answered TokenException to a call made with it. */
  onSessionExpired?: (accessToken: string) => void;
  sleep?: Sleep;
  /** Uniform in [0, 1): the back-off jitter. */
  random?: () => number;
  retry?: Partial<RetryPolicy>;
  /** Pauses before each look-up of an order whose placement got no clear answer. */
  placeLookupDelaysMs?: readonly number[];
  /** `execution.algo_id`: sent as `algo_id` with every order placed (empty or absent: not sent). */
  algoId?: string;
}
