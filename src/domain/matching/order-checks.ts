import type { MatchOrderType } from "./match-order.js";
import { isOnTick, type Side } from "./prices.js";

/*
 * The checks Kite makes before an order exists (HTTP 400 InputException, no order id): bad
 * quantity, lot size, prices off the tick grid, market protection out of range, stop triggers
 * on the wrong side of the price or of the last traded price. The simulator and paper mode ask
 * the same questions and give Kite's wording (as the simulator writes it).
 */

/** Kite's message for SL-M on index options, which the exchange refuses (UNCONFIRMED wording). */
export const SLM_INDEX_OPTION_REJECTION =
  "SL-M orders are blocked for index options by the exchange. Use SL (stop-loss limit) orders instead.";

/** The fields the checks read (prices 0 when not given). */
export interface CheckedOrder {
  side: Side;
  type: MatchOrderType;
  quantity: number;
  price: number;
  triggerPrice: number;
  /** -1 automatic, 0 none, 1-100 percent. */
  marketProtection: number;
}

/** What the checks know of the instrument. */
export interface InstrumentFacts {
  tradingsymbol: string;
  tickSize: number;
  /** Unknown (undefined or 0): quantities are not checked against it. */
  lotSize: number | undefined;
  /** Last traded price, when known and when stop triggers must be checked against it. */
  lastPrice: number | undefined;
}

/** Why Kite would refuse the order outright (null when it takes it). `minQuantity`: a modified order's filled quantity. */
export function orderProblem(o: CheckedOrder, i: InstrumentFacts, minQuantity = 1): string | null {
  if (!Number.isInteger(o.quantity) || o.quantity < Math.max(1, minQuantity)) return "Invalid `quantity`.";
  if (i.lotSize !== undefined && i.lotSize > 0 && o.quantity % i.lotSize !== 0) {
    return `Quantity should be a multiple of the lot size (${i.lotSize}) for ${i.tradingsymbol}.`;
  }
  const needsPrice = o.type === "LIMIT" || o.type === "SL";
  const needsTrigger = o.type === "SL" || o.type === "SL-M";
  if (needsPrice && !(o.price > 0)) return "Invalid `price`: a LIMIT or SL order needs a price above 0.";
  if (needsTrigger && !(o.triggerPrice > 0))
    return "Invalid `trigger_price`: an SL or SL-M order needs one above 0.";
  const offGrid =
    needsPrice && !isOnTick(o.price, i.tickSize)
      ? "price"
      : needsTrigger && !isOnTick(o.triggerPrice, i.tickSize)
        ? "trigger price"
        : null;
  if (offGrid) {
    return `Tick size for this script is ${i.tickSize}. Kindly enter ${offGrid} in the multiple of tick size for this script`;
  }
  if (o.type === "MARKET" || o.type === "SL-M") {
    const mp = o.marketProtection;
    if (mp !== -1 && !(mp >= 0 && mp <= 100))
      return "Invalid `market_protection`: expected -1 (automatic) or 0 to 100.";
  }
  if (o.type === "SL") {
    if (o.side === "BUY" && o.triggerPrice > o.price)
      return "Trigger price for stoploss buy orders should be lower than or equal to the price.";
    if (o.side === "SELL" && o.triggerPrice < o.price)
      return "Trigger price for stoploss sell orders should be higher than or equal to the price.";
  }
  if (needsTrigger && i.lastPrice !== undefined && i.lastPrice > 0) {
    if (o.side === "BUY" && o.triggerPrice <= i.lastPrice)
      return "Trigger price for stoploss buy orders should be higher than the last traded price";
    if (o.side === "SELL" && o.triggerPrice >= i.lastPrice)
      return "Trigger price for stoploss sell orders should be lower than the last traded price";
  }
  return null;
}

/**
 * A modified order's market protection: the one given, else its own; an order turned into
 * MARKET or SL-M without any gets automatic protection (-1), as Kite requires one.
 */
export function modifiedMarketProtection(type: MatchOrderType, current: number, given?: number): number {
  if (given !== undefined) return given;
  return (type === "MARKET" || type === "SL-M") && current === 0 ? -1 : current;
}
