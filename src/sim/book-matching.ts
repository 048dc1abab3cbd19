/**
 * The simulator's orders as domain/matching sees them. The simulator is the exchange: its
 * fills are the replay's trades, so a taker trades at the tape's price (no slippage, no
 * depth), in the instrument's lots; the partial-fill fault caps what may fill on a trade.
 */
import type { MarketRules, MarketTrade, MatchableOrder } from "../domain/matching/match-order.js";
import { NO_SLIPPAGE } from "../domain/matching/prices.js";
import type { SimInstrument } from "./instruments.js";
import type { ReplayTick } from "./market-replay.js";
import type { SimOrder } from "./orders.js";

export function rulesOf(instrument: SimInstrument): MarketRules {
  return { tickSize: instrument.tickSize, slippage: NO_SLIPPAGE, lotSize: instrument.lotSize || 1 };
}

export function matchableOf(order: SimOrder): MatchableOrder {
  return {
    side: order.transactionType,
    type: order.orderType,
    price: order.price,
    triggerPrice: order.triggerPrice,
    marketProtection: order.marketProtection,
    triggered: order.triggered,
    protectionLimit: order.protectionLimit,
    arriving: order.arriving,
    pendingQuantity: order.pendingQuantity,
  };
}

/** The tick as a trade; with the partial-fill fault pending, at most that share of the order (whole lots, one lot left over at least). */
export function tradeFor(order: SimOrder, tick: ReplayTick): MarketTrade {
  if (order.partialFraction === null) return { price: tick.price };
  const lot = order.instrument.lotSize || 1;
  const lots = order.pendingQuantity / lot;
  return {
    price: tick.price,
    available: Math.min(lots - 1, Math.max(1, Math.floor(lots * order.partialFraction))) * lot,
  };
}
