import type { OrderSide, OrderType } from "../../ports/broker.js";
import { isOnTick } from "./prices.js";

/*
 * What Kite refuses, so that paper mode fails where live mode would. Two kinds, as at Kite:
 * requests refused outright (HTTP 400 InputException, no order id: bad quantity, lot size,
 * prices off the tick grid, stop triggers on the wrong side) and orders accepted then
 * REJECTED (an order id and a REJECTED update: SL-M on an index option, refused by the
 * exchange). Messages are Kite's wording as the simulator writes it.
 */

/** The fields the checks read (prices 0 when not given). */
export interface CheckedOrder {
  side: OrderSide;
  type: OrderType;
  quantity: number;
  price: number;
  triggerPrice: number;
  marketProtection: number;
}

/** What the checks know of the instrument. */
export interface InstrumentFacts {
  tradingsymbol: string;
  tickSize: number;
  /** Unknown lot size: quantities are not checked against it. */
  lotSize: number | undefined;
  /** Last traded price, when a tick has been seen (stop triggers are checked against it). */
  lastPrice: number | undefined;
  indexOption: boolean;
}

/** Kite's message for SL-M on index options (UNCONFIRMED wording, as the simulator's). */
export const SLM_INDEX_OPTION_REJECTION =
  "SL-M orders are blocked for index options by the exchange. Use SL (stop-loss limit) orders instead.";

const TAG = /^[A-Za-z0-9]{1,20}$/;
const INDEX_OPTION = /^(SENSEX50|SENSEX|BANKEX|NIFTY|BANKNIFTY|FINNIFTY|MIDCPNIFTY|NIFTYNXT50)\d.*(CE|PE)$/;

/** True for options on an index (SENSEX, BANKEX, NIFTY, ...) on BFO or NFO. */
export function isIndexOption(exchange: string, tradingsymbol: string): boolean {
  return (exchange === "BFO" || exchange === "NFO") && INDEX_OPTION.test(tradingsymbol);
}

/** Why Kite would refuse a tag (null when fine). */
export function tagProblem(tag: unknown): string | null {
  return typeof tag === "string" && TAG.test(tag)
    ? null
    : "every order needs a tag of 1-20 letters or digits (it is how a lost answer is found again)";
}

/** Why Kite would refuse the order outright (null when it takes it). `minQuantity`: the filled quantity of a modified order. */
export function inputProblem(o: CheckedOrder, i: InstrumentFacts, minQuantity = 1): string | null {
  if (!Number.isInteger(o.quantity) || o.quantity < Math.max(1, minQuantity)) return "Invalid `quantity`.";
  if (i.lotSize !== undefined && i.lotSize > 0 && o.quantity % i.lotSize !== 0) {
    return `Quantity should be a multiple of the lot size (${i.lotSize}) for ${i.tradingsymbol}.`;
  }
  const needsPrice = o.type === "LIMIT" || o.type === "SL";
  const needsTrigger = o.type === "SL" || o.type === "SL-M";
  if (needsPrice && !(o.price > 0)) return "Invalid `price`: a LIMIT or SL order needs a price above 0.";
  if (needsTrigger && !(o.triggerPrice > 0))
    return "Invalid `trigger_price`: an SL or SL-M order needs one above 0.";
  if (
    (needsPrice && !isOnTick(o.price, i.tickSize)) ||
    (needsTrigger && !isOnTick(o.triggerPrice, i.tickSize))
  ) {
    return `Tick size for this script is ${i.tickSize}. Kindly enter prices in the multiple of tick size for this script`;
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

/** Why the exchange would reject an accepted order (null when it takes it). */
export function rejectionOf(o: CheckedOrder, i: InstrumentFacts): string | null {
  if (o.type === "SL-M" && i.indexOption) return SLM_INDEX_OPTION_REJECTION;
  return null;
}
