import type { Statement, Transaction } from "better-sqlite3";
import type { BrokerOrderStatus, OrderUpdate } from "../../ports/broker.js";
import type { Clock } from "../../ports/clock.js";
import type { OrderStateUpdate } from "../../ports/store-records.js";
import type { Db } from "./database.js";

/** A distinct update of an order, as first received. */
export interface StoredOrderEvent extends OrderStateUpdate {
  id: number;
  source: OrderUpdate["source"];
  raw: string;
  receivedAtMs: number;
}

/** What recording an arrival did. */
export interface RecordedEvent {
  eventId: number;
  /** False: the same update (order, status, fill, quantity, prices) was already recorded. */
  isNew: boolean;
}

/**
 * The order-update log. An update is identified by order id, status, filled quantity,
 * quantity, price and trigger price (KITE.md: order_id + status + filled_quantity, plus what a
 * modification changes), so the copies arriving by socket, postback and poll are one event.
 * Every arrival is kept too (source, time, raw payload), except a poll repeating a known update.
 * The raw payload is stored once, in the arrival (schema v2): an event's raw is its first
 * arrival's, which always exists.
 */
export class OrderEventsRepository {
  private readonly insertStmt: Statement;
  private readonly findStmt: Statement;
  private readonly arrivalStmt: Statement;
  private readonly byOrderStmt: Statement;
  private readonly arrivalsStmt: Statement;
  /**
   * The transaction of `record`, made once: better-sqlite3 builds four wrapper functions at each
   * `db.transaction` call, a cost that showed in the postback path's profile.
   */
  private readonly recordTx: Transaction<(update: OrderUpdate) => RecordedEvent>;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    this.insertStmt = db.prepare(
      `INSERT INTO order_events (kite_order_id, tag, status, filled_quantity, pending_quantity, quantity, price,
         trigger_price, average_price, status_message, order_timestamp, source, received_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    );
    this.findStmt = db.prepare(
      `SELECT id FROM order_events WHERE kite_order_id = @orderId AND status = @status
         AND filled_quantity = @filledQuantity AND quantity = @quantity AND price = @price
         AND trigger_price = @triggerPrice`,
    );
    this.arrivalStmt = db.prepare(
      "INSERT INTO order_event_arrivals (event_id, source, raw, received_at_ms) VALUES (?, ?, ?, ?)",
    );
    this.recordTx = db.transaction((update: OrderUpdate) => this.recordArrival(update));
    this.byOrderStmt = db.prepare(
      `SELECT e.*, (SELECT a.raw FROM order_event_arrivals a WHERE a.event_id = e.id ORDER BY a.id LIMIT 1) AS raw
       FROM order_events e WHERE e.kite_order_id = ? ORDER BY e.id`,
    );
    this.arrivalsStmt = db.prepare(
      "SELECT source, received_at_ms FROM order_event_arrivals WHERE event_id = ? ORDER BY id",
    );
  }

  /** Records an arrival of an update; `isNew` says whether the update itself was new. */
  record(update: OrderUpdate): RecordedEvent {
    return this.recordTx(update);
  }

  private recordArrival(update: OrderUpdate): RecordedEvent {
    const now = this.clock.now();
    // Positional parameters: binding by name from a copy of the update cost half the insert.
    const u = update;
    const info = this.insertStmt.run(
      u.orderId,
      u.tag,
      u.status,
      u.filledQuantity,
      u.pendingQuantity,
      u.quantity,
      u.price,
      u.triggerPrice,
      u.averagePrice,
      u.statusMessage,
      u.orderTimestamp,
      u.source,
      now,
    );
    const isNew = info.changes > 0;
    const eventId = isNew
      ? Number(info.lastInsertRowid)
      : ((this.findStmt.get(update) as { id: number } | undefined)?.id ?? -1);
    if (eventId < 0) throw new Error(`order event of ${update.orderId} neither inserted nor found`);
    if (isNew || update.source !== "poll") this.arrivalStmt.run(eventId, update.source, update.raw, now);
    return { eventId, isNew };
  }

  /** Records an update; true when it was new (the boolean form of `record`). */
  insertIfNew(update: OrderUpdate): boolean {
    return this.record(update).isNew;
  }

  /** The distinct updates of an order, in the order they first arrived. */
  byKiteOrderId(kiteOrderId: string): StoredOrderEvent[] {
    return (this.byOrderStmt.all(kiteOrderId) as Record<string, unknown>[]).map((r) => ({
      id: r.id as number,
      orderId: r.kite_order_id as string,
      tag: (r.tag as string | null) ?? null,
      status: r.status as BrokerOrderStatus,
      statusMessage: (r.status_message as string | null) ?? null,
      quantity: r.quantity as number,
      filledQuantity: r.filled_quantity as number,
      pendingQuantity: r.pending_quantity as number,
      averagePrice: r.average_price as number,
      price: r.price as number,
      triggerPrice: r.trigger_price as number,
      orderTimestamp: r.order_timestamp as string,
      source: r.source as OrderUpdate["source"],
      raw: r.raw as string,
      receivedAtMs: r.received_at_ms as number,
    }));
  }

  /** Each arrival of an event: by which path and when. */
  arrivalsOf(eventId: number): { source: OrderUpdate["source"]; receivedAtMs: number }[] {
    return (
      this.arrivalsStmt.all(eventId) as { source: OrderUpdate["source"]; received_at_ms: number }[]
    ).map((r) => ({ source: r.source, receivedAtMs: r.received_at_ms }));
  }
}
