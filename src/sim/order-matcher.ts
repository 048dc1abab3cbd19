/**
 * Whether an order trades on a tick, and at what price: the exchange's matching reduced to the
 * last traded price, since the replay has trades but no order book.
 *
 * - MARKET: fills at the tick's price, unless market protection bounds it (then it rests as a
 *   limit at the bound, as Kite converts protected market orders).
 * - LIMIT: a BUY fills when the price is at or below its limit, a SELL at or above, at the
 *   tick's price (the better one).
 * - SL / SL-M: trigger when the price reaches the trigger price (BUY at or above, SELL at or
 *   below), then behave as LIMIT at `price` / MARKET, on the same tick.
 */
import type { OrderType, TransactionType } from "./orders.js";

export interface MatchableOrder {
  orderType: OrderType;
  transactionType: TransactionType;
  price: number;
  triggerPrice: number;
  triggered: boolean;
  protectionLimit: number | null;
}

export interface MatchOutcome {
  /** The stop order's trigger was reached on this tick. */
  triggers: boolean;
  /** The fill price, or null when the order does not trade on this tick. */
  fillPrice: number | null;
}

/** What happens to `order` on a trade at `price`. */
export function matchOrder(order: MatchableOrder, price: number): MatchOutcome {
  const buy = order.transactionType === "BUY";
  let triggers = false;
  let type = order.orderType;
  if (type === "SL" || type === "SL-M") {
    if (!order.triggered) {
      const reached = buy ? price >= order.triggerPrice : price <= order.triggerPrice;
      if (!reached) return { triggers: false, fillPrice: null };
      triggers = true;
    }
    type = type === "SL" ? "LIMIT" : "MARKET";
  }
  if (type === "MARKET") {
    const limit = order.protectionLimit;
    const within = limit === null || (buy ? price <= limit : price >= limit);
    return { triggers, fillPrice: within ? price : null };
  }
  const fills = buy ? price <= order.price : price >= order.price;
  return { triggers, fillPrice: fills ? price : null };
}

/** Automatic market protection (`market_protection = -1`), in percent. UNCONFIRMED: Kite's own table is not published in the docs. */
export const AUTO_MARKET_PROTECTION_PCT = 2;

/** The worst price a protected market order may trade at, from the last price; null = unbounded. */
export function protectionLimitOf(
  transactionType: TransactionType,
  marketProtection: number,
  lastPrice: number,
  tickSize: number,
): number | null {
  const pct = marketProtection === -1 ? AUTO_MARKET_PROTECTION_PCT : marketProtection;
  if (pct <= 0 || lastPrice <= 0) return null;
  const raw = transactionType === "BUY" ? lastPrice * (1 + pct / 100) : lastPrice * (1 - pct / 100);
  const steps =
    transactionType === "BUY" ? Math.ceil(raw / tickSize - 1e-9) : Math.floor(raw / tickSize + 1e-9);
  return Math.max(tickSize, Math.round(steps * tickSize * 100) / 100);
}
