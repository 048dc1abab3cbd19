import type { OrderSide, OrderType } from "../../ports/broker.js";
import { protectionLimitOf, type Slippage, slippedPrice } from "./prices.js";

/*
 * Whether a paper order trades on a tick, and at what price. The paper broker sees trades
 * (last prices), not the order book, so the rules are the exchange's reduced to the LTP:
 *
 * - An order "arrives" at the first tick after it was placed (or modified, or its stop was
 *   triggered). On arrival it is a taker: it fills at the tick's price moved by the slippage,
 *   but never beyond its limit (a LIMIT's price, a MARKET's market-protection bound).
 * - An order that did not fill on arrival rests in the book: it then fills only at its own
 *   limit, when the price reaches it (a BUY at or below, a SELL at or above). A resting order
 *   is a maker: no slippage, and no price improvement from a tick that gapped through it.
 * - MARKET without protection (0) always fills on arrival. With protection (-1: automatic,
 *   or a percent) it is bounded like Kite's: the bound comes from the last price when placed
 *   (or, with none known, from the arrival tick); beyond it the order rests as a limit there.
 * - SL / SL-M trigger when the price reaches the trigger (BUY at or above, SELL at or below),
 *   then arrive at once, on the same tick, as LIMIT at `price` / MARKET bounded from that tick.
 */

/** What the rules read of an order. */
export interface MatchableOrder {
  side: OrderSide;
  type: OrderType;
  /** LIMIT and SL. */
  price: number;
  /** SL and SL-M. */
  triggerPrice: number;
  marketProtection: number;
  triggered: boolean;
  /** The MARKET bound: undefined until fixed, null when unbounded. */
  protectionLimit: number | null | undefined;
  /** The next tick is the order's arrival (see above). */
  arriving: boolean;
}

/** How the market is simulated. */
export interface FillModel {
  slippage: Slippage;
  tickSize: number;
}

/** What happens to an order on one tick. */
export interface MatchOutcome {
  /** A stop order's trigger was reached on this tick. */
  triggers: boolean;
  /** The fill price; null when the order does not trade on this tick. */
  fillPrice: number | null;
  /** The MARKET bound after this tick (fixed on arrival or trigger). */
  protectionLimit: number | null | undefined;
}

/** What `order` does on a trade at `price`. */
export function matchOrder(order: MatchableOrder, price: number, model: FillModel): MatchOutcome {
  const buy = order.side === "BUY";
  let triggers = false;
  let arriving = order.arriving;
  let protectionLimit = order.protectionLimit;
  let type = order.type;
  if (type === "SL" || type === "SL-M") {
    if (!order.triggered) {
      const reached = buy ? price >= order.triggerPrice : price <= order.triggerPrice;
      if (!reached) return { triggers: false, fillPrice: null, protectionLimit };
      triggers = true;
      arriving = true;
      // The exchange turns a triggered SL-M into a market order then: its bound is from this price.
      if (type === "SL-M") protectionLimit = undefined;
    }
    type = type === "SL" ? "LIMIT" : "MARKET";
  }
  let limit: number;
  if (type === "MARKET") {
    if (protectionLimit === undefined) {
      protectionLimit = protectionLimitOf(order.side, order.marketProtection, price, model.tickSize);
    }
    if (protectionLimit === null) {
      return {
        triggers,
        fillPrice: slippedPrice(price, order.side, model.slippage, model.tickSize),
        protectionLimit,
      };
    }
    limit = protectionLimit;
  } else {
    limit = order.price;
  }
  const reached = buy ? price <= limit : price >= limit;
  if (!reached) return { triggers, fillPrice: null, protectionLimit };
  if (!arriving) return { triggers, fillPrice: limit, protectionLimit };
  const slipped = slippedPrice(price, order.side, model.slippage, model.tickSize);
  return { triggers, fillPrice: buy ? Math.min(slipped, limit) : Math.max(slipped, limit), protectionLimit };
}
