/**
 * Orders and trades as the simulator keeps them, and as Kite writes them (kite-mocks
 * orders.json, order_info.json, trades.json, order_trades.json).
 */
import type { SimInstrument } from "./instruments.js";
import { kiteTimeOfDay, kiteTimestamp } from "./kite-time.js";

export type OrderStatus =
  | "PUT ORDER REQ RECEIVED"
  | "VALIDATION PENDING"
  | "OPEN PENDING"
  | "OPEN"
  | "TRIGGER PENDING"
  | "MODIFY VALIDATION PENDING"
  | "MODIFY PENDING"
  | "MODIFIED"
  | "CANCEL PENDING"
  | "COMPLETE"
  | "CANCELLED"
  | "REJECTED";

export type OrderType = "MARKET" | "LIMIT" | "SL" | "SL-M";
export type TransactionType = "BUY" | "SELL";

/** What an order asks for, after validation. */
export interface OrderRequest {
  instrument: SimInstrument;
  transactionType: TransactionType;
  orderType: OrderType;
  quantity: number;
  product: "MIS" | "NRML";
  price: number;
  triggerPrice: number;
  validity: "DAY" | "IOC";
  disclosedQuantity: number;
  tag: string | null;
  /** -1 automatic, 0 none, 1-100 percent. */
  marketProtection: number;
}

/** An order of the simulator's order book. */
export interface SimOrder extends OrderRequest {
  orderId: string;
  exchangeOrderId: string | null;
  placedBy: string;
  /** The api_key it was placed with: postbacks go to that app only. */
  apiKey: string;
  status: OrderStatus;
  statusMessage: string | null;
  statusMessageRaw: string | null;
  orderTimestamp: number;
  exchangeTimestamp: number | null;
  exchangeUpdateTimestamp: number | null;
  modified: boolean;
  averagePrice: number;
  filledQuantity: number;
  pendingQuantity: number;
  cancelledQuantity: number;
  guid: string;
  /** Every status the order went through, as Kite's order history lists them. */
  history: OrderPayload[];
  modifications: number;
  /** Worst price a MARKET (or triggered SL-M) order may fill at; null = no bound; undefined = fixed on its first trade. */
  protectionLimit: number | null | undefined;
  /** The next trade is the order's arrival: it takes liquidity (see domain/matching). */
  arriving: boolean;
  /** A stop order whose trigger price has been crossed. */
  triggered: boolean;
  /** First tick (sequence number) this order may match: ticks after placement or modification. */
  armedFromSeq: number;
  /** Fraction of the order to fill first (the partial-fill fault). */
  partialFraction: number | null;
  /** Sum of price × quantity of the fills, for the average price. */
  fillValue: number;
}

/** A fill. */
export interface SimTrade {
  tradeId: string;
  order: SimOrder;
  price: number;
  quantity: number;
  time: number;
}

/** An order as Kite's JSON writes it. */
export type OrderPayload = Record<string, unknown> & { order_id: string; status: string };

/** The order's Kite JSON at this moment. */
export function orderPayload(o: SimOrder): OrderPayload {
  const payload: OrderPayload = {
    placed_by: o.placedBy,
    order_id: o.orderId,
    exchange_order_id: o.exchangeOrderId,
    parent_order_id: null,
    status: o.status,
    status_message: o.statusMessage,
    status_message_raw: o.statusMessageRaw,
    order_timestamp: kiteTimestamp(o.orderTimestamp),
    exchange_update_timestamp:
      o.exchangeUpdateTimestamp === null ? null : kiteTimestamp(o.exchangeUpdateTimestamp),
    exchange_timestamp: o.exchangeTimestamp === null ? null : kiteTimestamp(o.exchangeTimestamp),
    variety: "regular",
    modified: o.modified,
    exchange: o.instrument.exchange,
    tradingsymbol: o.instrument.tradingsymbol,
    instrument_token: o.instrument.instrumentToken,
    order_type: o.orderType,
    transaction_type: o.transactionType,
    validity: o.validity,
    product: o.product,
    quantity: o.quantity,
    disclosed_quantity: o.disclosedQuantity,
    price: o.price,
    trigger_price: o.triggerPrice,
    average_price: o.averagePrice,
    filled_quantity: o.filledQuantity,
    pending_quantity: o.pendingQuantity,
    cancelled_quantity: o.cancelledQuantity,
    market_protection: o.marketProtection,
    meta: {},
    tag: o.tag,
    guid: o.guid,
  };
  if (o.tag !== null) payload.tags = [o.tag];
  return payload;
}

/** A trade as Kite's JSON writes it (its `order_timestamp` is a bare time of day, as Kite's is). */
export function tradePayload(t: SimTrade): Record<string, unknown> {
  return {
    trade_id: t.tradeId,
    order_id: t.order.orderId,
    exchange: t.order.instrument.exchange,
    tradingsymbol: t.order.instrument.tradingsymbol,
    instrument_token: t.order.instrument.instrumentToken,
    product: t.order.product,
    average_price: t.price,
    quantity: t.quantity,
    exchange_order_id: t.order.exchangeOrderId,
    transaction_type: t.order.transactionType,
    fill_timestamp: kiteTimestamp(t.time),
    order_timestamp: kiteTimeOfDay(t.time),
    exchange_timestamp: kiteTimestamp(t.time),
  };
}
