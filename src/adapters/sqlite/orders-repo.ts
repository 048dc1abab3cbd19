import type { Statement, Transaction } from "better-sqlite3";
import type { OrderRequest, OrderSide, OrderType, Product } from "../../ports/broker.js";
import type { Clock } from "../../ports/clock.js";
import type {
  AppliedUpdate,
  OrderPurpose,
  OrderStateUpdate,
  StoredOrder,
  StoredOrderStatus,
} from "../../ports/store-records.js";
import type { Db } from "./database.js";

const TERMINAL: ReadonlySet<StoredOrderStatus> = new Set(["COMPLETE", "CANCELLED", "REJECTED"]);

/** How far along an order is: an update never takes an order back. */
function progress(status: StoredOrderStatus): number {
  if (TERMINAL.has(status)) return 3;
  if (status === "OPEN") return 2;
  if (status === "TRIGGER PENDING") return 1;
  return 0; // NEW, PLACED, FAILED: what we know locally, which any word from Kite supersedes
}

/** True when the order is final at Kite: COMPLETE, CANCELLED or REJECTED. */
export function isTerminalStatus(status: StoredOrderStatus): boolean {
  return TERMINAL.has(status);
}

/**
 * Orders, written NEW before they are sent. Updates from Kite (socket, postback, poll, in any
 * order and any number of times) are applied only when they move the order forward: more
 * filled, or a later status, or (same status and fill) a later modification. A final status
 * is never changed.
 */
export class OrdersRepository {
  private readonly insertStmt: Statement;
  private readonly byLocalIdStmt: Statement;
  private readonly byTagStmt: Statement;
  private readonly byKiteIdStmt: Statement;
  private readonly byTradeStmt: Statement;
  private readonly liveStmt: Statement;
  private readonly sinceStmt: Statement;
  private readonly markPlacedStmt: Statement;
  private readonly markFailedStmt: Statement;
  private readonly applyStmt: Statement;
  private readonly modifiedStmt: Statement;
  /**
   * `applyUpdate`'s transaction, made once: better-sqlite3 builds four wrapper functions at each
   * `db.transaction` call, which cost more than the lookups themselves on the postback path.
   */
  private readonly applyTx: Transaction<(update: OrderStateUpdate) => AppliedUpdate>;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    this.applyTx = db.transaction((update: OrderStateUpdate) => this.applyInTransaction(update));
    this.insertStmt = db.prepare(
      `INSERT INTO orders (tag, trade_id, purpose, exchange, tradingsymbol, side, order_type, product, quantity,
         price, trigger_price, market_protection, status, created_at_ms, updated_at_ms)
       VALUES (@tag, @trade_id, @purpose, @exchange, @tradingsymbol, @side, @order_type, @product, @quantity,
         @price, @trigger_price, @market_protection, 'NEW', @now, @now)`,
    );
    this.byLocalIdStmt = db.prepare("SELECT * FROM orders WHERE local_id = ?");
    this.byTagStmt = db.prepare("SELECT * FROM orders WHERE tag = ?");
    this.byKiteIdStmt = db.prepare("SELECT * FROM orders WHERE kite_order_id = ?");
    this.byTradeStmt = db.prepare("SELECT * FROM orders WHERE trade_id = ? ORDER BY local_id");
    this.liveStmt = db.prepare(
      "SELECT * FROM orders WHERE status IN ('NEW', 'PLACED', 'OPEN', 'TRIGGER PENDING') ORDER BY local_id",
    );
    this.sinceStmt = db.prepare("SELECT * FROM orders WHERE created_at_ms >= ? ORDER BY local_id");
    this.markPlacedStmt = db.prepare(
      `UPDATE orders SET kite_order_id = @kite, updated_at_ms = @now,
         status = CASE WHEN status IN ('NEW', 'FAILED') THEN 'PLACED' ELSE status END
       WHERE local_id = @id AND (kite_order_id IS NULL OR kite_order_id = @kite)
         AND (kite_order_id IS NULL OR status IN ('NEW', 'FAILED'))`,
    );
    this.markFailedStmt = db.prepare(
      `UPDATE orders SET status = 'FAILED', status_message = @message, updated_at_ms = @now
       WHERE local_id = @id AND status = 'NEW'`,
    );
    this.applyStmt = db.prepare(
      `UPDATE orders SET kite_order_id = @kite, status = @status, status_message = @message, quantity = @quantity,
         filled_quantity = @filled, pending_quantity = @pending, average_price = @average, price = @price,
         trigger_price = @trigger, order_type = COALESCE(@type, order_type), order_timestamp = @timestamp,
         updated_at_ms = @now
       WHERE local_id = @id`,
    );
    this.modifiedStmt = db.prepare(
      `UPDATE orders SET order_type = @type, quantity = @quantity, price = @price, trigger_price = @trigger,
         market_protection = @protection, updated_at_ms = @now
       WHERE local_id = @id AND status IN ('PLACED', 'OPEN', 'TRIGGER PENDING')`,
    );
  }

  /** Records an order before it is sent (status NEW); its tag must never have been used. */
  insertNew(request: OrderRequest, meta: { purpose: OrderPurpose; tradeId?: string | null }): StoredOrder {
    const info = this.insertStmt.run({
      tag: request.tag,
      trade_id: meta.tradeId ?? null,
      purpose: meta.purpose,
      exchange: request.exchange,
      tradingsymbol: request.tradingsymbol,
      side: request.side,
      order_type: request.type,
      product: request.product,
      quantity: request.quantity,
      price: request.price ?? null,
      trigger_price: request.triggerPrice ?? null,
      market_protection: request.marketProtection ?? null,
      now: this.clock.now(),
    });
    return this.byLocalId(Number(info.lastInsertRowid)) as StoredOrder;
  }

  /**
   * Records Kite's order id for an order (its acknowledgement, or found by tag) and makes a NEW
   * or FAILED order PLACED. False when nothing changed: the order already carries this id (an
   * update got there first) or, a bug, another one.
   */
  markPlaced(localId: number, kiteOrderId: string): boolean {
    return this.markPlacedStmt.run({ id: localId, kite: kiteOrderId, now: this.clock.now() }).changes > 0;
  }

  /** Records that Kite refused the placement; only an order still NEW. A later update from Kite still applies. */
  markFailed(localId: number, message: string): boolean {
    return this.markFailedStmt.run({ id: localId, message, now: this.clock.now() }).changes > 0;
  }

  /** Applies an update from Kite if it moves the order forward; see the class comment. */
  applyUpdate(update: OrderStateUpdate): AppliedUpdate {
    return this.applyTx(update);
  }

  private applyInTransaction(update: OrderStateUpdate): AppliedUpdate {
    let order = this.byKiteId(update.orderId);
    if (!order && update.tag) {
      const byTag = this.byTag(update.tag);
      if (byTag && byTag.kiteOrderId === null) order = byTag;
    }
    if (!order) return { order: null, changed: false };
    if (!moves(order, update)) return { order, changed: false };
    this.applyStmt.run({
      id: order.localId,
      kite: update.orderId,
      status: update.status,
      message: update.statusMessage,
      quantity: update.quantity,
      filled: update.filledQuantity,
      pending: update.pendingQuantity,
      average: update.averagePrice,
      price: update.price,
      trigger: update.triggerPrice,
      type: update.type ?? null,
      timestamp: update.orderTimestamp,
      now: this.clock.now(),
    });
    return { order: this.byLocalId(order.localId), changed: true };
  }

  /**
   * Records a modification the broker acknowledged (a stop resized, or turned into the exit): the
   * order's type, quantity and prices as asked. Only a live order; its updates still supersede it.
   */
  recordModification(
    localId: number,
    m: Pick<StoredOrder, "type" | "quantity" | "price" | "triggerPrice" | "marketProtection">,
  ): boolean {
    return (
      this.modifiedStmt.run({
        id: localId,
        type: m.type,
        quantity: m.quantity,
        price: m.price,
        trigger: m.triggerPrice,
        protection: m.marketProtection,
        now: this.clock.now(),
      }).changes > 0
    );
  }

  byLocalId(localId: number): StoredOrder | null {
    return toOrder(this.byLocalIdStmt.get(localId));
  }

  byTag(tag: string): StoredOrder | null {
    return toOrder(this.byTagStmt.get(tag));
  }

  byKiteId(kiteOrderId: string): StoredOrder | null {
    return toOrder(this.byKiteIdStmt.get(kiteOrderId));
  }

  /** The orders of a trade, in the order they were written. */
  byTrade(tradeId: string): StoredOrder[] {
    return this.byTradeStmt.all(tradeId).map((r) => toOrder(r) as StoredOrder);
  }

  /** Orders not final: NEW, PLACED, OPEN, TRIGGER PENDING (what reconciliation must look at). */
  live(): StoredOrder[] {
    return this.liveStmt.all().map((r) => toOrder(r) as StoredOrder);
  }

  /** Orders written at or after `fromMs` (a day's orders), oldest first. */
  since(fromMs: number): StoredOrder[] {
    return this.sinceStmt.all(fromMs).map((r) => toOrder(r) as StoredOrder);
  }
}

/** Whether an update moves the stored order forward. */
function moves(order: StoredOrder, u: OrderStateUpdate): boolean {
  if (TERMINAL.has(order.status)) return false;
  if (u.filledQuantity !== order.filledQuantity) return u.filledQuantity > order.filledQuantity;
  const from = progress(order.status);
  const to = progress(u.status);
  if (to !== from) return to > from;
  // Same status and fill: a modification (price, trigger, quantity), applied unless it is older.
  const older = order.orderTimestamp !== null && u.orderTimestamp < order.orderTimestamp;
  const differs =
    u.status !== order.status ||
    u.quantity !== order.quantity ||
    u.price !== order.price ||
    u.triggerPrice !== order.triggerPrice ||
    u.pendingQuantity !== order.pendingQuantity ||
    u.averagePrice !== order.averagePrice ||
    u.statusMessage !== order.statusMessage ||
    (u.type !== undefined && u.type !== order.type) ||
    order.kiteOrderId === null;
  return differs && !older;
}

function toOrder(row: unknown): StoredOrder | null {
  if (row === undefined) return null;
  const r = row as Record<string, unknown>;
  return {
    localId: r.local_id as number,
    tag: r.tag as string,
    kiteOrderId: (r.kite_order_id as string | null) ?? null,
    tradeId: (r.trade_id as string | null) ?? null,
    purpose: r.purpose as OrderPurpose,
    exchange: r.exchange as OrderRequest["exchange"],
    tradingsymbol: r.tradingsymbol as string,
    side: r.side as OrderSide,
    type: r.order_type as OrderType,
    product: r.product as Product,
    quantity: r.quantity as number,
    price: (r.price as number | null) ?? null,
    triggerPrice: (r.trigger_price as number | null) ?? null,
    marketProtection: (r.market_protection as number | null) ?? null,
    status: r.status as StoredOrderStatus,
    statusMessage: (r.status_message as string | null) ?? null,
    filledQuantity: r.filled_quantity as number,
    pendingQuantity: r.pending_quantity as number,
    averagePrice: r.average_price as number,
    orderTimestamp: (r.order_timestamp as string | null) ?? null,
    createdAtMs: r.created_at_ms as number,
    updatedAtMs: r.updated_at_ms as number,
  };
}
