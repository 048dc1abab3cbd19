import type { Statement } from "better-sqlite3";
import type { IsoDate } from "../../domain/ist.js";
import type { PivotLevels } from "../../domain/pivots.js";
import type { OpenPosition, StoredFills, StoredTrade, Trade } from "../../domain/trade.js";
import type { TradeFills } from "../../domain/trade-fills.js";
import type { Clock } from "../../ports/clock.js";
import type { Db } from "./database.js";
import { fromFlag, monthRange, toFlag } from "./sql-values.js";

const FILL_COLUMNS = [
  "filled_quantity",
  "entry_fill_price",
  "exit_fill_price",
  "fill_pnl_rupees",
  "fill_charges",
  "fill_net_pnl_rupees",
] as const;

const PIVOT_KEYS = ["PP", "R1", "R2", "R3", "R4", "R5", "S1", "S2", "S3"] as const;

const OPEN_COLUMNS = `trade_id, date, status, symbol, strike, option_type, scenario, structure, first_candle_entry,
  re_entry, entry_time, entry_price, entry_candle_low, stop_loss, target, quantity, lot_size, candles_held,
  ${PIVOT_KEYS.map((k) => `pivot_${k.toLowerCase()}`).join(", ")}, updated_at_ms`;
const OPEN_VALUES = `@trade_id, @date, @status, @symbol, @strike, @option_type, @scenario, @structure,
  @first_candle_entry, @re_entry, @entry_time, @entry_price, @entry_candle_low, @stop_loss, @target, @quantity,
  @lot_size, @candles_held, ${PIVOT_KEYS.map((k) => `@pivot_${k.toLowerCase()}`).join(", ")}, @updated_at_ms`;
const EXIT_COLUMNS = [
  "exit_time",
  "exit_price",
  "exit_reason",
  "pnl_points",
  "pnl_rupees",
  "charges",
  "net_pnl_rupees",
];
const UPDATABLE = OPEN_COLUMNS.split(",")
  .map((c) => c.trim())
  .filter((c) => c !== "trade_id" && c !== "lot_size");

/**
 * Trades: upserted as OPEN on entry (and as the position changes), so that a crash mid-trade
 * leaves the open trade to recover; written CLOSED on exit. A closed trade is never rewritten.
 */
export class TradesRepository {
  private readonly upsertOpenStmt: Statement;
  private readonly upsertClosedStmt: Statement;
  private readonly byDateStmt: Statement;
  private readonly rangeStmt: Statement;
  private readonly openStmt: Statement;
  private readonly byIdStmt: Statement;
  private readonly discardOpenStmt: Statement;
  private readonly fillsStmt: Statement;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    const set = (cols: string[]) => cols.map((c) => `${c} = excluded.${c}`).join(", ");
    this.upsertOpenStmt = db.prepare(
      `INSERT INTO trades (${OPEN_COLUMNS}) VALUES (${OPEN_VALUES})
       ON CONFLICT (trade_id) DO UPDATE SET ${set(UPDATABLE)}, lot_size = coalesce(excluded.lot_size, trades.lot_size)
       WHERE trades.status = 'OPEN'`,
    );
    this.upsertClosedStmt = db.prepare(
      `INSERT INTO trades (${OPEN_COLUMNS}, ${EXIT_COLUMNS.join(", ")})
       VALUES (${OPEN_VALUES}, ${EXIT_COLUMNS.map((c) => `@${c}`).join(", ")})
       ON CONFLICT (trade_id) DO UPDATE SET ${set([...UPDATABLE, ...EXIT_COLUMNS])},
         lot_size = coalesce(excluded.lot_size, trades.lot_size)
       WHERE trades.status = 'OPEN'`,
    );
    this.byDateStmt = db.prepare("SELECT * FROM trades WHERE date = ? ORDER BY entry_time, trade_id");
    this.rangeStmt = db.prepare(
      "SELECT * FROM trades WHERE date >= ? AND date <= ? ORDER BY date, entry_time, trade_id",
    );
    this.openStmt = db.prepare("SELECT * FROM trades WHERE status = 'OPEN' ORDER BY date, entry_time");
    this.byIdStmt = db.prepare("SELECT * FROM trades WHERE trade_id = ?");
    this.discardOpenStmt = db.prepare("DELETE FROM trades WHERE trade_id = ? AND status = 'OPEN'");
    this.fillsStmt = db.prepare(
      `UPDATE trades SET ${FILL_COLUMNS.map((c) => `${c} = @${c}`).join(", ")}, updated_at_ms = @updated_at_ms
       WHERE trade_id = @trade_id`,
    );
  }

  /**
   * Records what the broker filled for a trade, open or closed (the fills of a closed trade
   * arrive after the strategy's decision); false when the trade has no row.
   */
  recordFills(tradeId: string, fills: TradeFills): boolean {
    return (
      this.fillsStmt.run({
        trade_id: tradeId,
        filled_quantity: fills.quantity,
        entry_fill_price: fills.entryPrice,
        exit_fill_price: fills.exitPrice,
        fill_pnl_rupees: fills.grossPnl,
        fill_charges: fills.charges,
        fill_net_pnl_rupees: fills.netPnl,
        updated_at_ms: this.clock.now(),
      }).changes > 0
    );
  }

  /** Records (or updates) a trade that is open; false when the trade is already closed. */
  upsertOpen(date: IsoDate, position: OpenPosition, lotSize: number | null = null): boolean {
    return this.upsertOpenStmt.run(this.openParams(date, position, "OPEN", lotSize)).changes > 0;
  }

  /** Removes the open row of a trade whose entry never filled; a closed trade is never removed. */
  discardOpen(tradeId: string): boolean {
    return this.discardOpenStmt.run(tradeId).changes > 0;
  }

  /** Records a closed trade (closing its open row); false when it was already recorded closed. */
  recordClosed(trade: Trade, lotSize: number | null = null): boolean {
    const params = {
      ...this.openParams(trade.date, trade, "CLOSED", lotSize),
      exit_time: trade.exit_time,
      exit_price: trade.exit_price,
      exit_reason: trade.exit_reason,
      pnl_points: trade.pnl_points,
      pnl_rupees: trade.pnl_rupees,
      charges: trade.charges,
      net_pnl_rupees: trade.net_pnl_rupees,
    };
    return this.upsertClosedStmt.run(params).changes > 0;
  }

  /** One trade by id. */
  byId(tradeId: string): StoredTrade | null {
    const row = this.byIdStmt.get(tradeId) as Row | undefined;
    return row ? toTrade(row) : null;
  }

  /** A day's trades (open and closed), in entry order. */
  byDate(date: IsoDate): StoredTrade[] {
    return (this.byDateStmt.all(date) as Row[]).map(toTrade);
  }

  /** The trades of a month `YYYY-MM`, in order. */
  byMonth(month: string): StoredTrade[] {
    const { from, to } = monthRange(month);
    return this.between(from, to);
  }

  /** The trades of the dates from `from` to `to`, both included. */
  between(from: IsoDate, to: IsoDate): StoredTrade[] {
    return (this.rangeStmt.all(from, to) as Row[]).map(toTrade);
  }

  /** Trades still open (after a crash: the ones to recover). */
  open(): StoredTrade[] {
    return (this.openStmt.all() as Row[]).map(toTrade);
  }

  private openParams(date: IsoDate, p: OpenPosition, status: "OPEN" | "CLOSED", lotSize: number | null) {
    const params: Record<string, unknown> = {
      trade_id: p.trade_id,
      date,
      status,
      symbol: p.symbol,
      strike: p.strike,
      option_type: p.option_type,
      scenario: p.scenario,
      structure: p.structure,
      first_candle_entry: toFlag(p.first_candle_entry),
      re_entry: toFlag(p.re_entry),
      entry_time: p.entry_time,
      entry_price: p.entry_price,
      // The entry candle's low is the stop (STRATEGY.md): kept as its own column, as the original system did.
      entry_candle_low: p.stop_loss,
      stop_loss: p.stop_loss,
      target: p.target,
      quantity: p.quantity,
      lot_size: lotSize,
      candles_held: p.candles_held,
      updated_at_ms: this.clock.now(),
    };
    for (const k of PIVOT_KEYS) params[`pivot_${k.toLowerCase()}`] = p.pivots[k];
    return params;
  }
}

type Row = Record<string, unknown>;

function toTrade(r: Row): StoredTrade {
  const pivots = Object.fromEntries(
    PIVOT_KEYS.map((k) => [k, r[`pivot_${k.toLowerCase()}`]]),
  ) as unknown as PivotLevels;
  const open = {
    trade_id: r.trade_id,
    symbol: r.symbol,
    strike: r.strike,
    option_type: r.option_type,
    scenario: r.scenario,
    first_candle_entry: fromFlag(r.first_candle_entry),
    structure: r.structure,
    re_entry: fromFlag(r.re_entry),
    entry_time: r.entry_time,
    entry_price: r.entry_price,
    stop_loss: r.stop_loss,
    target: r.target,
    quantity: r.quantity,
    candles_held: r.candles_held,
    pivots,
  } as OpenPosition;
  const lot_size = (r.lot_size as number | null) ?? null;
  const fills = Object.fromEntries(FILL_COLUMNS.map((c) => [c, r[c] ?? null])) as unknown as StoredFills;
  if (r.status === "OPEN") return { status: "OPEN", date: r.date as IsoDate, lot_size, ...open, ...fills };
  return {
    status: "CLOSED",
    lot_size,
    ...open,
    ...fills,
    date: r.date as IsoDate,
    exit_time: r.exit_time as string,
    exit_price: r.exit_price as number,
    exit_reason: r.exit_reason as Trade["exit_reason"],
    pnl_points: r.pnl_points as number,
    pnl_rupees: r.pnl_rupees as number,
    charges: r.charges as number,
    net_pnl_rupees: r.net_pnl_rupees as number,
  };
}
