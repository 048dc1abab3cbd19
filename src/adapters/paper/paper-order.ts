import { istPartsOf } from "../../domain/ist.js";
import type {
  BrokerOrderStatus,
  OrderRequest,
  OrderSide,
  OrderType,
  OrderUpdate,
  Product,
} from "../../ports/broker.js";

/** A paper order: the request, its Kite-like state, and what the fill rules need. */
export interface PaperOrder {
  orderId: string;
  tag: string;
  exchange: OrderRequest["exchange"];
  tradingsymbol: string;
  side: OrderSide;
  type: OrderType;
  product: Product;
  quantity: number;
  price: number;
  triggerPrice: number;
  marketProtection: number;
  status: BrokerOrderStatus;
  statusMessage: string | null;
  filledQuantity: number;
  averagePrice: number;
  /** Placement (or last modification) time, epoch ms: only later ticks may fill it. */
  armedAfterMs: number;
  /** Kite's order_timestamp text of the placement (or last modification). */
  orderTimestamp: string;
  /** Kite's exchange_update_timestamp text of the last change. */
  updatedAt: string;
  triggered: boolean;
  /** The MARKET bound: undefined until fixed, null when unbounded. */
  protectionLimit: number | null | undefined;
  /** The next tick is the order's arrival (see domain/matching). */
  arriving: boolean;
  /** Sum of price × quantity of the fills, for the average price. */
  fillValue: number;
  /** The IST date of the placement (the paper book is the day's, as Kite's). */
  date: string;
}

/** Quantity still to fill. */
export function pendingOf(o: PaperOrder): number {
  return isLive(o) ? o.quantity - o.filledQuantity : 0;
}

/** True while the order may still trade or be cancelled. */
export function isLive(o: PaperOrder): boolean {
  return o.status === "OPEN" || o.status === "TRIGGER PENDING";
}

/** The order's current state as the engine sees it (source "paper"; raw is a Kite-shaped payload). */
export function updateOf(o: PaperOrder): OrderUpdate {
  const pending = pendingOf(o);
  const raw = {
    order_id: o.orderId,
    status: o.status,
    status_message: o.statusMessage,
    order_timestamp: o.orderTimestamp,
    exchange_update_timestamp: o.updatedAt,
    variety: "regular",
    exchange: o.exchange,
    tradingsymbol: o.tradingsymbol,
    order_type: o.type,
    transaction_type: o.side,
    validity: "DAY",
    product: o.product,
    quantity: o.quantity,
    price: o.price,
    trigger_price: o.triggerPrice,
    average_price: o.averagePrice,
    filled_quantity: o.filledQuantity,
    pending_quantity: pending,
    cancelled_quantity: o.status === "CANCELLED" ? o.quantity - o.filledQuantity : 0,
    market_protection: o.marketProtection,
    tag: o.tag,
  };
  return {
    orderId: o.orderId,
    tag: o.tag,
    tradingsymbol: o.tradingsymbol,
    side: o.side,
    type: o.type,
    status: o.status,
    statusMessage: o.statusMessage,
    quantity: o.quantity,
    filledQuantity: o.filledQuantity,
    pendingQuantity: pending,
    averagePrice: o.averagePrice,
    price: o.price,
    triggerPrice: o.triggerPrice,
    orderTimestamp: o.orderTimestamp,
    source: "paper",
    raw: JSON.stringify(raw),
  };
}

const pad2 = (n: number) => String(n).padStart(2, "0");

/** Kite's `YYYY-MM-DD HH:MM:SS` (IST) text of an instant. */
export function kiteTimestampOf(epochMs: number): string {
  const p = istPartsOf(epochMs);
  return `${p.date} ${pad2(Math.floor(p.minute / 60))}:${pad2(p.minute % 60)}:${pad2(p.second)}`;
}
