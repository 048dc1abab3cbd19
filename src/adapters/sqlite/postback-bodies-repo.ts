import { createHash } from "node:crypto";
import type { Statement, Transaction } from "better-sqlite3";
import type { BrokerOrderStatus, OrderUpdate } from "../../ports/broker.js";
import type { Clock } from "../../ports/clock.js";
import type {
  PostbackClaim,
  PostbackVerdict,
  RecordedPostback,
  StoredPostback,
} from "../../ports/store-records.js";
import type { Db } from "./database.js";

/*
 * Postbacks as received (schema v5), before anything believes them: each distinct body once,
 * keyed by its order id and SHA-256, with its arrivals counted (a replay adds 1, not a copy), its raw text
 * capped, the state it claims, and the verdict of the order book on that claim.
 */

/** Characters of a body kept; Kite's are about 1 KB, the route refuses over 64 KB. */
export const POSTBACK_RAW_CAP = 8 * 1024;

/** The raw text as stored: whole up to the cap, else its start and how much was cut. */
export function cappedRaw(raw: string): string {
  if (raw.length <= POSTBACK_RAW_CAP) return raw;
  return `${raw.slice(0, POSTBACK_RAW_CAP)}…[cut: ${raw.length - POSTBACK_RAW_CAP} more characters]`;
}

export class PostbackBodiesRepository {
  private readonly insertStmt: Statement;
  private readonly countStmt: Statement;
  private readonly pendingStmt: Statement;
  private readonly pendingOrdersStmt: Statement;
  private readonly settleStmt: Statement;
  private readonly byOrderStmt: Statement;
  private readonly recordTx: Transaction<(updates: readonly OrderUpdate[]) => RecordedPostback[]>;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    // Insert, else count: an upsert with RETURNING cost a third more per new body (the usual case).
    this.insertStmt = db.prepare(
      `INSERT INTO postback_bodies (kite_order_id, body_sha256, status, filled_quantity, quantity, price,
         trigger_price, average_price, raw, raw_bytes, arrivals, first_received_at_ms, last_received_at_ms, verdict)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, 'PENDING')
       ON CONFLICT (kite_order_id, body_sha256) DO NOTHING`,
    );
    this.countStmt = db.prepare(
      `UPDATE postback_bodies SET arrivals = arrivals + 1, last_received_at_ms = ?
       WHERE kite_order_id = ? AND body_sha256 = ?
       RETURNING id, arrivals, verdict`,
    );
    this.pendingStmt = db.prepare(
      "SELECT * FROM postback_bodies WHERE kite_order_id = ? AND verdict = 'PENDING' ORDER BY id",
    );
    this.pendingOrdersStmt = db.prepare(
      "SELECT DISTINCT kite_order_id FROM postback_bodies WHERE verdict = 'PENDING' ORDER BY kite_order_id",
    );
    this.settleStmt = db.prepare(
      `UPDATE postback_bodies SET verdict = ?, verdict_reason = ?, verdict_at_ms = ?
       WHERE id = ? AND verdict = 'PENDING'`,
    );
    this.byOrderStmt = db.prepare("SELECT * FROM postback_bodies WHERE kite_order_id = ? ORDER BY id");
    this.recordTx = db.transaction((updates: readonly OrderUpdate[]) =>
      updates.map((u) => this.recordOne(u)),
    );
  }

  /**
   * Stores the arrivals of postbacks (each update's `raw` is its body as received) in one
   * transaction: a new body as PENDING, a known one by adding to its arrivals. All or none.
   */
  recordArrivals(updates: readonly OrderUpdate[]): RecordedPostback[] {
    return this.recordTx.immediate(updates);
  }

  private recordOne(u: OrderUpdate): RecordedPostback {
    const now = this.clock.now();
    const sha256 = createHash("sha256").update(u.raw).digest();
    const inserted = this.insertStmt.run(
      u.orderId,
      sha256,
      u.status,
      u.filledQuantity,
      u.quantity,
      u.price,
      u.triggerPrice,
      u.averagePrice,
      cappedRaw(u.raw),
      Buffer.byteLength(u.raw),
      now,
      now,
    );
    if (inserted.changes > 0) {
      return { id: Number(inserted.lastInsertRowid), isNewBody: true, arrivals: 1, verdict: "PENDING" };
    }
    const row = this.countStmt.get(now, u.orderId, sha256) as {
      id: number;
      arrivals: number;
      verdict: PostbackVerdict;
    };
    return { id: row.id, isNewBody: false, arrivals: row.arrivals, verdict: row.verdict };
  }

  /** The bodies of an order still waiting for the order book's word, oldest first. */
  pending(orderId: string): PostbackClaim[] {
    return (this.pendingStmt.all(orderId) as Record<string, unknown>[]).map(claimOf);
  }

  /** The orders with bodies still waiting (after a restart, to ask again). */
  pendingOrderIds(): string[] {
    return (this.pendingOrdersStmt.all() as { kite_order_id: string }[]).map((r) => r.kite_order_id);
  }

  /** Records the order book's verdict on a waiting body; false when it had one already. */
  settle(id: number, verdict: Exclude<PostbackVerdict, "PENDING">, reason: string | null): boolean {
    return this.settleStmt.run(verdict, reason, this.clock.now(), id).changes > 0;
  }

  /** Every body of an order, oldest first. */
  byOrder(orderId: string): StoredPostback[] {
    return (this.byOrderStmt.all(orderId) as Record<string, unknown>[]).map((r) => ({
      ...claimOf(r),
      rawBytes: r.raw_bytes as number,
      arrivals: r.arrivals as number,
      firstReceivedAtMs: r.first_received_at_ms as number,
      lastReceivedAtMs: r.last_received_at_ms as number,
      verdict: r.verdict as PostbackVerdict,
      verdictReason: (r.verdict_reason as string | null) ?? null,
    }));
  }
}

function claimOf(r: Record<string, unknown>): PostbackClaim {
  return {
    id: r.id as number,
    orderId: r.kite_order_id as string,
    status: r.status as BrokerOrderStatus,
    filledQuantity: r.filled_quantity as number,
    quantity: r.quantity as number,
    price: r.price as number,
    triggerPrice: r.trigger_price as number,
    averagePrice: r.average_price as number,
    raw: r.raw as string,
  };
}
