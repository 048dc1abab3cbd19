import { toCsv } from "./csv.js";
import { DbReadError, openReadOnly } from "./open-readonly.js";

/*
 * `pivot db export`: one table of the database as CSV or JSON, optionally for a date range
 * (IST trading dates, both ends included), for spreadsheets and tax records.
 */

/** The tables that can be exported, with the trading date of a row and the order of rows. */
// trades: the strategy's model prices beside what the broker filled (fill prices, quantity, P&L) and
// the slippage columns derived from both (fill minus model).
export const EXPORT_TABLES = {
  trades: { date: "date", order: "date, entry_time, trade_id" },
  signals: { date: "date", order: "date, time, symbol" },
  // Orders carry no trading date: the IST date of their creation.
  orders: {
    date: "date(created_at_ms / 1000, 'unixepoch', '+330 minutes')",
    order: "created_at_ms, local_id",
  },
  daily_summary: { date: "date", order: "date" },
} as const;

export type ExportTable = keyof typeof EXPORT_TABLES;
export type ExportFormat = "csv" | "json";

export interface ExportOptions {
  database: string;
  table: ExportTable;
  format: ExportFormat;
  /** First and last trading date, YYYY-MM-DD (IST), both included. */
  from?: string;
  to?: string;
}

export interface ExportResult {
  text: string;
  rows: number;
}

/** Reads the rows and renders them; throws DbReadError with a message for the trader. */
export function exportTable(o: ExportOptions): ExportResult {
  const spec = EXPORT_TABLES[o.table];
  if (!spec)
    throw new DbReadError(`unknown table "${o.table}": expected ${Object.keys(EXPORT_TABLES).join(", ")}`);
  if (o.from && o.to && o.from > o.to) throw new DbReadError(`--from ${o.from} is after --to ${o.to}`);
  const db = openReadOnly(o.database);
  try {
    const where: string[] = [];
    const params: string[] = [];
    if (o.from) {
      where.push(`${spec.date} >= ?`);
      params.push(o.from);
    }
    if (o.to) {
      where.push(`${spec.date} <= ?`);
      params.push(o.to);
    }
    let stmt: ReturnType<typeof db.prepare>;
    try {
      stmt = db.prepare(
        `SELECT * FROM ${o.table}${where.length > 0 ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY ${spec.order}`,
      );
    } catch (e) {
      throw new DbReadError(`${o.database} has no usable ${o.table} table (${(e as Error).message})`);
    }
    const columns = stmt.columns().map((c) => c.name);
    const rows = stmt.all(params) as Record<string, unknown>[];
    const text = o.format === "csv" ? toCsv(columns, rows) : `${JSON.stringify(rows, null, 2)}\n`;
    return { text, rows: rows.length };
  } finally {
    db.close();
  }
}
