import type {
  Broker,
  BrokerFailure,
  BrokerOrderStatus,
  BrokerPosition,
  BrokerResult,
  OrderChanges,
  OrderHistorySource,
  OrderRequest,
  OrderType,
  OrderUpdate,
} from "../../ports/broker.js";
import { type OrderUpdateListener, OrderUpdateListeners } from "../order-update-listeners.js";
import type { KiteFailure, KiteResult } from "./kite-errors.js";
import { type KiteOrder, type KitePosition, orderSchema } from "./kite-payloads.js";
import type { KiteRest, ModifyOrderParams, PlaceOrderParams } from "./kite-rest.js";
import type { PostbackUpdate } from "./postback-verify.js";

/*
 * The engine's Broker port over Kite: KiteRest for the calls, and the order updates Kite pushes
 * (ticker socket frames and verified postbacks) fed in by whoever holds those feeds. Updates are
 * not de-duplicated here (the same fill arrives by socket, postback and poll; the engine's order
 * store applies them idempotently), and nothing here ever throws into a feed: a malformed
 * payload is reported through `onFeedProblem` and dropped, a throwing listener through
 * `onListenerError`, and the other listeners still hear the update.
 */

/** The KiteRest calls the broker uses (a narrow type, so tests may pass a fake). */
export type KiteBrokerRest = Pick<
  KiteRest,
  "placeOrder" | "modifyOrder" | "cancelOrder" | "orders" | "positions"
> &
  Partial<Pick<KiteRest, "orderHistory">>;

/** Why a pushed payload was not delivered. */
export interface FeedProblem {
  source: "socket" | "postback" | "poll";
  reason: string;
  raw: string;
}

export interface KiteBrokerOptions {
  rest: KiteBrokerRest;
  /** A payload that could not be read as an order update (it is dropped, never thrown). */
  onFeedProblem?: (problem: FeedProblem) => void;
  /** A listener threw (the other listeners still get the update). */
  onListenerError?: (error: unknown, update: OrderUpdate) => void;
  /** Kite refused an order request because of this server's address (static IP rule). */
  onSourceAddressRefused?: (action: "place" | "modify" | "cancel", failure: BrokerFailure) => void;
}

type Listener = OrderUpdateListener;

/** Broker over Kite Connect: REST calls through KiteRest, updates from the socket and postbacks. */
export class KiteBroker implements Broker, OrderHistorySource {
  private readonly rest: KiteBrokerRest;
  private readonly listeners: OrderUpdateListeners;
  private readonly onFeedProblem: (problem: FeedProblem) => void;
  private readonly onSourceAddressRefused: KiteBrokerOptions["onSourceAddressRefused"];

  constructor(options: KiteBrokerOptions) {
    this.rest = options.rest;
    this.onSourceAddressRefused = options.onSourceAddressRefused;
    this.onFeedProblem = options.onFeedProblem ?? (() => {});
    this.listeners = new OrderUpdateListeners(options.onListenerError);
  }

  async placeOrder(request: OrderRequest): Promise<BrokerResult<{ orderId: string }>> {
    const placed = await this.rest.placeOrder(toPlaceParams(request));
    if (!placed.ok) return this.failed("place", placed.error);
    // A lost answer found in the order book: that sighting is an order state worth telling.
    if (placed.value.order) this.deliverOrder(placed.value.order, "poll", JSON.stringify(placed.value.order));
    return { ok: true, value: { orderId: placed.value.order_id } };
  }

  async modifyOrder(orderId: string, changes: OrderChanges): Promise<BrokerResult<{ orderId: string }>> {
    const r = await this.rest.modifyOrder(orderId, toModifyParams(changes));
    return r.ok ? idResult(r) : this.failed("modify", r.error);
  }

  async cancelOrder(orderId: string): Promise<BrokerResult<{ orderId: string }>> {
    const r = await this.rest.cancelOrder(orderId);
    return r.ok ? idResult(r) : this.failed("cancel", r.error);
  }

  /** A failed order request; a refusal for this server's address is also told (never thrown). */
  private failed<T>(action: "place" | "modify" | "cancel", error: KiteFailure): BrokerResult<T> {
    const result = fail<T>(error);
    if (!result.ok && result.error.kind === "source_ip") {
      try {
        this.onSourceAddressRefused?.(action, result.error);
      } catch {
        // telling is best effort: the caller still gets the failure
      }
    }
    return result;
  }

  async orders(): Promise<BrokerResult<OrderUpdate[]>> {
    const book = await this.rest.orders();
    if (!book.ok) return fail(book.error);
    const updates: OrderUpdate[] = [];
    for (const order of book.value) {
      const raw = JSON.stringify(order);
      const update = orderUpdateOf(order, "poll", raw);
      // Orders the engine cannot have placed (another order type or side, e.g. placed by hand).
      if (update) updates.push(update);
      else this.problem("poll", `order ${order.order_id} has an unknown type or side`, raw);
    }
    return { ok: true, value: updates };
  }

  /** GET /orders/{id}: each state the order went through, oldest first (types the engine reads only). */
  async orderHistory(orderId: string): Promise<BrokerResult<OrderUpdate[]>> {
    if (!this.rest.orderHistory)
      return { ok: false, error: { kind: "unknown", message: "no order history here" } };
    const history = await this.rest.orderHistory(orderId);
    if (!history.ok) return fail(history.error);
    return {
      ok: true,
      value: history.value.flatMap((state) => orderUpdateOf(state, "poll", JSON.stringify(state)) ?? []),
    };
  }

  async positions(): Promise<BrokerResult<BrokerPosition[]>> {
    const positions = await this.rest.positions();
    if (!positions.ok) return fail(positions.error);
    return { ok: true, value: positions.value.net.flatMap((p) => positionOf(p) ?? []) };
  }

  onOrderUpdate(listener: Listener): () => void {
    return this.listeners.add(listener);
  }

  /** Feeds the data of a ticker `{"type":"order"}` frame; returns whether it was delivered. Never throws. */
  feedSocketOrder(data: unknown): boolean {
    const raw = safeJson(data);
    try {
      const parsed = orderSchema.safeParse(data);
      if (!parsed.success) {
        this.problem("socket", "not an order payload", raw);
        return false;
      }
      return this.deliverOrder(parsed.data, "socket", raw);
    } catch (e) {
      this.problem("socket", `unreadable order payload: ${String(e)}`, raw);
      return false;
    }
  }

  /** Feeds a verified postback (`verifyPostback(...).update`; `rawBody` as received, for the log). Never throws. */
  feedPostback(update: PostbackUpdate, rawBody?: string): boolean {
    const raw = rawBody ?? safeJson(update);
    try {
      return this.deliverOrder(update, "postback", raw);
    } catch (e) {
      this.problem("postback", `unreadable postback: ${String(e)}`, raw);
      return false;
    }
  }

  private deliverOrder(order: KiteOrder, source: OrderUpdate["source"], raw: string): boolean {
    const update = orderUpdateOf(order, source, raw);
    if (!update) {
      this.problem(
        source === "postback" ? "postback" : source === "socket" ? "socket" : "poll",
        `order ${order.order_id}: unknown order type "${order.order_type}" or side "${order.transaction_type}"`,
        raw,
      );
      return false;
    }
    this.emit(update);
    return true;
  }

  private emit(update: OrderUpdate): void {
    this.listeners.emit(update);
  }

  private problem(source: FeedProblem["source"], reason: string, raw: string): void {
    try {
      this.onFeedProblem({ source, reason, raw });
    } catch {
      // the feed must survive its own reporter
    }
  }
}

/** The Kite place parameters of an order request: prices only where the type uses them; MARKET and SL-M carry market protection (-1 when not given). */
export function toPlaceParams(r: OrderRequest): PlaceOrderParams {
  const params: PlaceOrderParams = {
    exchange: r.exchange,
    tradingsymbol: r.tradingsymbol,
    transaction_type: r.side,
    order_type: r.type,
    quantity: r.quantity,
    product: r.product,
    validity: "DAY",
    tag: r.tag,
  };
  if ((r.type === "LIMIT" || r.type === "SL") && r.price !== undefined) params.price = r.price;
  if ((r.type === "SL" || r.type === "SL-M") && r.triggerPrice !== undefined)
    params.trigger_price = r.triggerPrice;
  if (r.type === "MARKET" || r.type === "SL-M") params.market_protection = r.marketProtection ?? -1;
  return params;
}

function toModifyParams(changes: OrderChanges): ModifyOrderParams {
  const params: ModifyOrderParams = {};
  if (changes.quantity !== undefined) params.quantity = changes.quantity;
  if (changes.price !== undefined) params.price = changes.price;
  if (changes.triggerPrice !== undefined) params.trigger_price = changes.triggerPrice;
  if (changes.type !== undefined) params.order_type = changes.type;
  // Kite refuses a MARKET or SL-M order without market protection, modified ones too.
  if (changes.type === "MARKET" || changes.type === "SL-M")
    params.market_protection = changes.marketProtection ?? -1;
  return params;
}

const ORDER_TYPES: ReadonlySet<string> = new Set<OrderType>(["MARKET", "LIMIT", "SL", "SL-M"]);
const TERMINAL: ReadonlySet<string> = new Set(["COMPLETE", "CANCELLED", "REJECTED"]);

/**
 * The engine's status of a Kite status. COMPLETE, CANCELLED, REJECTED, OPEN and TRIGGER PENDING
 * are themselves; "CANCELLED AMO" is CANCELLED. Every other status (PUT ORDER REQ RECEIVED,
 * VALIDATION PENDING, OPEN PENDING, MODIFY PENDING, CANCEL PENDING, MODIFIED, ...) is transient
 * and reads as OPEN: an order is never taken for done until Kite says so. A postback's "UPDATE"
 * (a modification or partial fill) does not say whether a stop has triggered: a stop order with
 * nothing filled is read as still TRIGGER PENDING (both are "live, unfilled" to the engine).
 */
export function mapKiteStatus(status: string, orderType: string, filledQuantity: number): BrokerOrderStatus {
  const s = status.trim().toUpperCase();
  if (TERMINAL.has(s)) return s as BrokerOrderStatus;
  if (s.startsWith("CANCELLED")) return "CANCELLED";
  if (s === "TRIGGER PENDING") return "TRIGGER PENDING";
  if (s === "UPDATE" && (orderType === "SL" || orderType === "SL-M") && filledQuantity === 0) {
    return "TRIGGER PENDING";
  }
  return "OPEN";
}

/** The OrderUpdate of a Kite order payload (null when its type or side is not one the engine uses). */
export function orderUpdateOf(
  order: KiteOrder,
  source: OrderUpdate["source"],
  raw: string,
): OrderUpdate | null {
  const side = order.transaction_type;
  if ((side !== "BUY" && side !== "SELL") || !ORDER_TYPES.has(order.order_type)) return null;
  const type = order.order_type as OrderType;
  const status = mapKiteStatus(order.status, type, order.filled_quantity);
  const filled = order.filled_quantity;
  return {
    orderId: order.order_id,
    tag: order.tag ?? order.tags?.[0] ?? null,
    tradingsymbol: order.tradingsymbol,
    side,
    type,
    status,
    statusMessage: order.status_message,
    quantity: order.quantity,
    filledQuantity: filled,
    // A finished order has nothing pending, whatever a terminal payload's pending_quantity says.
    pendingQuantity: status === "OPEN" || status === "TRIGGER PENDING" ? order.pending_quantity : 0,
    averagePrice: order.average_price,
    price: order.price,
    triggerPrice: order.trigger_price,
    orderTimestamp: order.order_timestamp ?? "",
    source,
    raw,
  };
}

/** The BrokerPosition of a Kite net position (null for products the engine does not trade, e.g. CNC). */
export function positionOf(p: KitePosition): BrokerPosition | null {
  if (p.product !== "MIS" && p.product !== "NRML") return null;
  return {
    tradingsymbol: p.tradingsymbol,
    exchange: p.exchange,
    product: p.product,
    quantity: p.quantity,
    averagePrice: p.average_price,
    lastPrice: p.last_price,
    pnl: p.pnl,
  };
}

/** A Kite failure as the port's failure (the `uncertain` flag kept: the order may exist). */
export function brokerFailureOf(error: KiteFailure): BrokerFailure {
  const failure: BrokerFailure = { kind: error.kind, message: error.message };
  if (error.uncertain) failure.uncertain = true;
  return failure;
}

function fail<T>(error: KiteFailure): BrokerResult<T> {
  return { ok: false, error: brokerFailureOf(error) };
}

function idResult(r: KiteResult<{ order_id: string }>): BrokerResult<{ orderId: string }> {
  return r.ok ? { ok: true, value: { orderId: r.value.order_id } } : fail(r.error);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
