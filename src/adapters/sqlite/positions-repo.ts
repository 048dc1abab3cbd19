import type { Statement } from "better-sqlite3";
import type { IsoDate } from "../../domain/ist.js";
import type { Clock } from "../../ports/clock.js";
import type { PositionState, PositionUpsert, StoredPosition } from "../../ports/store-records.js";
import type { Db } from "./database.js";

/** Positions: upserted as they change, closed once; a closed position is never reopened. */
export class PositionsRepository {
  private readonly upsertStmt: Statement;
  private readonly closeStmt: Statement;
  private readonly byIdStmt: Statement;
  private readonly openStmt: Statement;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    this.upsertStmt = db.prepare(
      `INSERT INTO positions (trade_id, date, symbol, state, quantity, average_price, stop_loss, target,
         candles_held, entry_order_id, exit_order_id, exit_reason, opened_at_ms, updated_at_ms)
       VALUES (@tradeId, @date, @symbol, @state, @quantity, @averagePrice, @stopLoss, @target, @candlesHeld,
         @entryOrderId, @exitOrderId, @exitReason, @now, @now)
       ON CONFLICT (trade_id) DO UPDATE SET state = excluded.state, quantity = excluded.quantity,
         average_price = excluded.average_price, stop_loss = excluded.stop_loss, target = excluded.target,
         candles_held = excluded.candles_held, entry_order_id = excluded.entry_order_id,
         exit_order_id = excluded.exit_order_id,
         exit_reason = coalesce(excluded.exit_reason, positions.exit_reason),
         updated_at_ms = excluded.updated_at_ms
       WHERE positions.state <> 'CLOSED'`,
    );
    this.closeStmt = db.prepare(
      `UPDATE positions SET state = 'CLOSED', quantity = 0, closed_at_ms = @now, updated_at_ms = @now,
         exit_order_id = coalesce(@exitOrderId, exit_order_id)
       WHERE trade_id = @tradeId AND state <> 'CLOSED'`,
    );
    this.byIdStmt = db.prepare("SELECT * FROM positions WHERE trade_id = ?");
    this.openStmt = db.prepare(
      "SELECT * FROM positions WHERE state <> 'CLOSED' ORDER BY opened_at_ms, trade_id",
    );
  }

  /** Writes a position that is not closed; false when it is already closed. */
  upsert(p: PositionUpsert): boolean {
    return this.upsertStmt.run({ ...p, exitReason: p.exitReason ?? null, now: this.clock.now() }).changes > 0;
  }

  /** Closes a position (quantity 0); false when it was closed already or is unknown. */
  close(tradeId: string, exitOrderId: number | null = null): boolean {
    return this.closeStmt.run({ tradeId, exitOrderId, now: this.clock.now() }).changes > 0;
  }

  byTradeId(tradeId: string): StoredPosition | null {
    const r = this.byIdStmt.get(tradeId);
    return r === undefined ? null : toPosition(r as Record<string, unknown>);
  }

  /** Positions not closed (normally at most one). */
  open(): StoredPosition[] {
    return (this.openStmt.all() as Record<string, unknown>[]).map(toPosition);
  }
}

function toPosition(r: Record<string, unknown>): StoredPosition {
  return {
    tradeId: r.trade_id as string,
    date: r.date as IsoDate,
    symbol: r.symbol as string,
    state: r.state as PositionState,
    quantity: r.quantity as number,
    averagePrice: r.average_price as number,
    stopLoss: r.stop_loss as number,
    target: r.target as number,
    candlesHeld: r.candles_held as number,
    entryOrderId: (r.entry_order_id as number | null) ?? null,
    exitOrderId: (r.exit_order_id as number | null) ?? null,
    exitReason: (r.exit_reason as string | null) ?? null,
    openedAtMs: r.opened_at_ms as number,
    updatedAtMs: r.updated_at_ms as number,
    closedAtMs: (r.closed_at_ms as number | null) ?? null,
  };
}
