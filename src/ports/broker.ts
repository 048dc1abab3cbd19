/**
 * What the trading engine needs of a broker: Kite in live mode (against Zerodha or `pivot
 * sim`), a paper broker in paper mode. Broker acknowledgement is not execution: fills are
 * learned from order updates (socket, postback, polling), which may come late, twice or out
 * of order, and are applied idempotently.
 */

export type OrderSide = "BUY" | "SELL";
export type OrderType = "MARKET" | "LIMIT" | "SL" | "SL-M";
export type Product = "MIS" | "NRML";

/** Kite's order statuses that matter to the engine; transient ones map to OPEN. */
export type BrokerOrderStatus = "OPEN" | "TRIGGER PENDING" | "COMPLETE" | "CANCELLED" | "REJECTED";

/** An order request. `tag` (1-20 letters or digits) identifies it for ever: it is never reused. */
export interface OrderRequest {
  exchange: "BFO" | "BSE" | "NFO" | "NSE";
  tradingsymbol: string;
  side: OrderSide;
  type: OrderType;
  quantity: number;
  product: Product;
  /** LIMIT and SL. */
  price?: number;
  /** SL and SL-M. */
  triggerPrice?: number;
  /** MARKET and SL-M through the API (-1: automatic). */
  marketProtection?: number;
  tag: string;
}

/**
 * Changes to a live order (Kite's PUT /orders/regular/{id}). A stop may change its type: into a
 * LIMIT at a marketable price or a MARKET with `marketProtection`, which is how an exit replaces
 * the protective stop without a moment with nothing resting.
 */
export interface OrderChanges {
  quantity?: number;
  price?: number;
  triggerPrice?: number;
  type?: OrderType;
  /** MARKET and SL-M (-1: automatic). */
  marketProtection?: number;
}

/** The state of one order as the broker reports it. */
export interface OrderUpdate {
  orderId: string;
  tag: string | null;
  tradingsymbol: string;
  side: OrderSide;
  type: OrderType;
  status: BrokerOrderStatus;
  /** Kite's status message (the reason of a rejection). */
  statusMessage: string | null;
  quantity: number;
  filledQuantity: number;
  pendingQuantity: number;
  /** Average fill price; 0 before any fill. */
  averagePrice: number;
  price: number;
  triggerPrice: number;
  /** Kite's order timestamp text (`YYYY-MM-DD HH:MM:SS`, IST), as received. */
  orderTimestamp: string;
  /** Where the update came from. */
  source: "postback" | "socket" | "poll" | "place" | "paper";
  /** The payload as received, for the order_events log. */
  raw: string;
}

/** A position as the broker reports it (net, for the day). */
export interface BrokerPosition {
  tradingsymbol: string;
  exchange: string;
  product: Product;
  quantity: number;
  averagePrice: number;
  lastPrice: number;
  pnl: number;
}

/** A broker failure, with the broker's message kept. `uncertain`: the order may have reached the broker. */
export interface BrokerFailure {
  kind:
    | "session_expired"
    | "input"
    | "order"
    | "margin"
    | "source_ip" // refused: the request's address is not registered with the broker (static IP)
    | "network"
    | "rate_limited"
    | "server"
    | "unknown";
  message: string;
  uncertain?: boolean;
}

export type BrokerResult<T> = { ok: true; value: T } | { ok: false; error: BrokerFailure };

/** The broker as the engine sees it. */
export interface Broker {
  /** Places an order; the answer is the broker's order id (looked up by tag when the answer was lost). */
  placeOrder(request: OrderRequest): Promise<BrokerResult<{ orderId: string }>>;
  modifyOrder(orderId: string, changes: OrderChanges): Promise<BrokerResult<{ orderId: string }>>;
  cancelOrder(orderId: string): Promise<BrokerResult<{ orderId: string }>>;
  /** Today's orders, each at its latest state (for polling and reconciliation). */
  orders(): Promise<BrokerResult<OrderUpdate[]>>;
  positions(): Promise<BrokerResult<BrokerPosition[]>>;
  /** Order updates pushed by the broker (socket and postbacks); returns the function that stops listening. */
  onOrderUpdate(listener: (update: OrderUpdate) => void): () => void;
}

/**
 * An order's history as the broker keeps it (Kite: GET /orders/{id}): every state it went
 * through, oldest first. What a postback claims is checked against it (postback-confirmer.ts).
 * Apart from Broker: only a real broker's updates need confirming (KiteBroker has both).
 */
export interface OrderHistorySource {
  orderHistory(orderId: string): Promise<BrokerResult<OrderUpdate[]>>;
}
