/**
 * The checks Kite makes before an order exists (HTTP 400 InputException, no order id): missing
 * or malformed fields, lot size, tick size, tag length, market protection, stop-loss trigger
 * against price and last price. Rejections that Kite makes after accepting an order (RMS,
 * exchange) happen in the order book, with status REJECTED.
 */
import { modifiedMarketProtection, orderProblem } from "../domain/matching/order-checks.js";
import type { SimInstrument, SimInstruments } from "./instruments.js";
import { inputError } from "./kite-errors.js";
import type { OrderRequest, OrderType } from "./orders.js";

/** Form fields as they arrive (strings; repeated ones are joined by the parser's last value). */
export type FormFields = Record<string, string | undefined>;

const ORDER_TYPES: readonly OrderType[] = ["MARKET", "LIMIT", "SL", "SL-M"];
const MAX_TAG_LENGTH = 20;

/** Validates the fields of `POST /orders/regular` into a request; throws KiteError (InputException). */
export function validatePlaceFields(
  f: FormFields,
  instruments: SimInstruments,
  lastPrice: (i: SimInstrument) => number,
): OrderRequest {
  const exchange = required(f, "exchange");
  const symbol = required(f, "tradingsymbol");
  const instrument = instruments.find(exchange, symbol);
  if (!instrument)
    throw inputError(`Invalid \`tradingsymbol\`: ${exchange}:${symbol} is not a listed instrument.`);
  if (instrument.isIndex) throw inputError(`${exchange}:${symbol} is an index and cannot be traded.`);
  const transactionType = oneOf(f, "transaction_type", ["BUY", "SELL"] as const);
  const orderType = oneOf(f, "order_type", ORDER_TYPES);
  const product = oneOf(f, "product", ["MIS", "NRML"] as const);
  const validity =
    f.validity === undefined || f.validity === "" ? "DAY" : oneOf(f, "validity", ["DAY", "IOC"] as const);
  const tag = f.tag === undefined || f.tag === "" ? null : f.tag;
  if (tag !== null && tag.length > MAX_TAG_LENGTH) {
    throw inputError(`Tag length should not exceed ${MAX_TAG_LENGTH} characters.`);
  }
  let marketProtection = 0;
  if (orderType === "MARKET" || orderType === "SL-M") {
    if (f.market_protection === undefined || f.market_protection === "") {
      throw inputError("Market orders without market protection are not allowed");
    }
    marketProtection = number(f, "market_protection");
    if (marketProtection !== -1 && (marketProtection < 0 || marketProtection > 100)) {
      throw inputError("Invalid `market_protection`: expected -1 (automatic) or 0 to 100.");
    }
  } else if (f.market_protection !== undefined && f.market_protection !== "") {
    marketProtection = number(f, "market_protection");
  }
  const request: OrderRequest = {
    instrument,
    transactionType,
    orderType,
    quantity: wholeNumber(f, "quantity"),
    product,
    price: optionalNumber(f, "price"),
    triggerPrice: optionalNumber(f, "trigger_price"),
    validity,
    disclosedQuantity: f.disclosed_quantity ? wholeNumber(f, "disclosed_quantity") : 0,
    tag,
    marketProtection,
  };
  checkOrderValues(request, lastPrice(instrument));
  return request;
}

/** The checks shared by placement and modification (domain/matching's, as Kite words them); throws InputException. */
export function checkOrderValues(r: OrderRequest, lastPrice: number, minQuantity = 1): void {
  const problem = orderProblem(
    {
      side: r.transactionType,
      type: r.orderType,
      quantity: r.quantity,
      price: r.price,
      triggerPrice: r.triggerPrice,
      marketProtection: r.marketProtection,
    },
    {
      tradingsymbol: r.instrument.tradingsymbol,
      tickSize: r.instrument.tickSize,
      lotSize: r.instrument.lotSize || 1,
      lastPrice: lastPrice > 0 ? lastPrice : undefined,
    },
    minQuantity,
  );
  if (problem) throw inputError(problem);
}

/** The fields `PUT /orders/regular/:id` may change, applied over the order's current ones. */
export function applyModifyFields(current: OrderRequest, f: FormFields): OrderRequest {
  const next: OrderRequest = { ...current };
  if (present(f.quantity)) next.quantity = wholeNumber(f, "quantity");
  if (present(f.price)) next.price = number(f, "price");
  if (present(f.trigger_price)) next.triggerPrice = number(f, "trigger_price");
  if (present(f.order_type)) next.orderType = oneOf(f, "order_type", ORDER_TYPES);
  if (present(f.validity)) next.validity = oneOf(f, "validity", ["DAY", "IOC"] as const);
  if (present(f.disclosed_quantity)) next.disclosedQuantity = wholeNumber(f, "disclosed_quantity");
  next.marketProtection = modifiedMarketProtection(
    next.orderType,
    current.marketProtection,
    present(f.market_protection) ? number(f, "market_protection") : undefined,
  );
  return next;
}

function present(v: string | undefined): v is string {
  return v !== undefined && v !== "";
}

function required(f: FormFields, name: string): string {
  const v = f[name];
  if (!present(v)) throw inputError(`Missing or empty field \`${name}\`.`);
  return v;
}

function oneOf<T extends string>(f: FormFields, name: string, allowed: readonly T[]): T {
  const v = required(f, name);
  if (!allowed.includes(v as T))
    throw inputError(`Invalid \`${name}\`: expected one of ${allowed.join(", ")}.`);
  return v as T;
}

function number(f: FormFields, name: string): number {
  const v = required(f, name);
  const n = Number(v);
  if (!Number.isFinite(n)) throw inputError(`Invalid \`${name}\`.`);
  return n;
}

function optionalNumber(f: FormFields, name: string): number {
  return present(f[name]) ? number(f, name) : 0;
}

function wholeNumber(f: FormFields, name: string): number {
  const n = number(f, name);
  if (!Number.isInteger(n) || n < 0) throw inputError(`Invalid \`${name}\`.`);
  return n;
}
