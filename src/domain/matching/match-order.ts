import { protectionLimitOf, type Side, type Slippage, slippedPrice } from "./prices.js";

/*
 * Whether an order trades on a market trade, at what price and for how much: the one set of
 * rules behind both `pivot sim`'s exchange and paper mode. Both see trades (last prices) and,
 * sometimes, the best bid and ask; neither sees the queue, so the rules are the exchange's
 * reduced to what is seen:
 *
 * - An order "arrives" at the first trade after it was placed (or modified, or its stop was
 *   triggered). On arrival it is a taker and crosses the spread: a BUY pays the best ask, a
 *   SELL gets the best bid, when the feed gives them; otherwise the trade's price moved
 *   against the order by the slippage. Never beyond its limit (a LIMIT's price, a protected
 *   MARKET's bound); an order whose limit the market is beyond rests in the book.
 * - A resting order is a maker: it fills only when the market trades THROUGH its limit (a BUY
 *   below, a SELL above: a trade at the limit itself may have been another order ahead in the
 *   queue), at its limit: no slippage, and no price improvement from a trade that gapped.
 * - MARKET without protection (0) always fills on arrival. With protection (-1: automatic, or a
 *   percent) Kite converts it into a LIMIT at the protection price: the bound comes from the
 *   last price when placed (or, with none known, from the arrival trade).
 * - SL / SL-M trigger on the last price (BUY at or above the trigger, SELL at or below), then
 *   arrive at once, on the same trade, as LIMIT at `price` / MARKET bounded from that trade.
 * - Quantity: all that is pending, unless the trade says how much there was to take (the depth
 *   level crossed, the trade's quantity, the simulator's partial-fill fault): then that much,
 *   in whole lots, at least one lot. The rest keeps its place (arriving or resting).
 */

export type MatchOrderType = "MARKET" | "LIMIT" | "SL" | "SL-M";

/** What the rules read of an order. */
export interface MatchableOrder {
  side: Side;
  type: MatchOrderType;
  /** LIMIT and SL. */
  price: number;
  /** SL and SL-M. */
  triggerPrice: number;
  /** -1 automatic, 0 none, 1-100 percent. */
  marketProtection: number;
  /** A stop whose trigger has been reached. */
  triggered: boolean;
  /** The MARKET bound: undefined until fixed, null when unbounded. */
  protectionLimit: number | null | undefined;
  /** The next trade is the order's arrival (see above). */
  arriving: boolean;
  /** Quantity still to fill. */
  pendingQuantity: number;
}

/** A trade of the market, with what the feed says beside it. */
export interface MarketTrade {
  price: number;
  /** Best bid and ask with their quantities (from the depth), when the feed has them. */
  bestBid?: { price: number; quantity: number };
  bestAsk?: { price: number; quantity: number };
  /** The quantity traded, when known: a resting order fills at most that much. */
  quantity?: number;
  /** The most that may fill on this trade, whatever the order's role (the simulator's partial-fill fault). */
  available?: number;
}

/** How the market is simulated for one instrument. */
export interface MarketRules {
  tickSize: number;
  /** Slippage of a taker when the feed has no depth. */
  slippage: Slippage;
  /** Fills come in whole lots (1 when unknown). */
  lotSize: number;
}

/** What happens to an order on one trade. */
export interface MatchOutcome {
  /** A stop's trigger was reached on this trade. */
  triggers: boolean;
  /** The fill, or null when the order does not trade now. */
  fill: { price: number; quantity: number } | null;
  /** The order's MARKET bound after this trade (fixed on arrival or trigger). */
  protectionLimit: number | null | undefined;
  /** Whether the order still arrives on the next trade (a taker's unfilled rest does). */
  arriving: boolean;
}

/** What `order` does on `trade`. */
export function matchOrder(order: MatchableOrder, trade: MarketTrade, rules: MarketRules): MatchOutcome {
  const buy = order.side === "BUY";
  let triggers = false;
  let arriving = order.arriving;
  let protectionLimit = order.protectionLimit;
  let type = order.type;
  if (type === "SL" || type === "SL-M") {
    if (!order.triggered) {
      const reached = buy ? trade.price >= order.triggerPrice : trade.price <= order.triggerPrice;
      if (!reached) return { triggers: false, fill: null, protectionLimit, arriving };
      triggers = true;
      arriving = true;
      // The exchange turns a triggered SL-M into a market order then: its bound is from this price.
      if (type === "SL-M") protectionLimit = undefined;
    }
    type = type === "SL" ? "LIMIT" : "MARKET";
  }
  if (type === "MARKET" && protectionLimit === undefined) {
    protectionLimit = protectionLimitOf(order.side, order.marketProtection, trade.price, rules.tickSize);
  }
  const limit = type === "MARKET" ? (protectionLimit ?? null) : order.price;
  const none = (stillArriving: boolean): MatchOutcome => ({
    triggers,
    fill: null,
    protectionLimit,
    arriving: stillArriving,
  });
  if (arriving) {
    const taker = takerSide(order.side, trade, rules);
    // With depth the quote decides; without it, the trade's own price (the slippage is a guess).
    const reference = taker.fromDepth ? taker.price : trade.price;
    if (limit !== null && (buy ? reference > limit : reference < limit)) return none(false);
    const price =
      limit === null ? taker.price : buy ? Math.min(taker.price, limit) : Math.max(taker.price, limit);
    const quantity = fillQuantity(order.pendingQuantity, [taker.quantity, trade.available], rules.lotSize);
    return { triggers, fill: { price, quantity }, protectionLimit, arriving: true };
  }
  if (limit === null) return none(false); // unreachable: an unbounded MARKET fills on arrival
  const through = buy ? trade.price < limit : trade.price > limit;
  if (!through) return none(false);
  const quantity = fillQuantity(order.pendingQuantity, [trade.quantity, trade.available], rules.lotSize);
  return { triggers, fill: { price: limit, quantity }, protectionLimit, arriving: false };
}

/** The price a taker pays (BUY) or gets (SELL) now, and how much is there at it when known. */
function takerSide(
  side: Side,
  trade: MarketTrade,
  rules: MarketRules,
): { price: number; quantity: number | undefined; fromDepth: boolean } {
  const quote = side === "BUY" ? trade.bestAsk : trade.bestBid;
  if (quote && quote.price > 0 && quote.quantity > 0) {
    return { price: quote.price, quantity: quote.quantity, fromDepth: true };
  }
  return {
    price: slippedPrice(trade.price, side, rules.slippage, rules.tickSize),
    quantity: undefined,
    fromDepth: false,
  };
}

/** The pending quantity capped by what is known to be there, in whole lots, at least one lot. */
function fillQuantity(pending: number, caps: ReadonlyArray<number | undefined>, lotSize: number): number {
  const lot = lotSize > 0 ? lotSize : 1;
  let quantity = pending;
  for (const cap of caps) {
    if (cap === undefined || !(cap > 0)) continue;
    quantity = Math.min(quantity, Math.max(lot, Math.floor(cap / lot) * lot));
  }
  return Math.min(pending, quantity);
}
