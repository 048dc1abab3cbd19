import type { Statement } from "better-sqlite3";
import type { IsoDate } from "../../domain/ist.js";
import type { SummaryFigures } from "../../domain/summary.js";
import type { Clock } from "../../ports/clock.js";
import type { DailySummary } from "../../ports/store-records.js";
import type { Db } from "./database.js";

const COUNTS = [
  "total_trades",
  "wins",
  "losses",
  "win_rate",
  "gross_pnl",
  "charges",
  "net_pnl",
  "max_drawdown",
  "first_candle_entries",
  "intraday_entries",
  "stop_losses",
  "targets",
  "timeouts",
  "eod_exits",
  "max_daily_loss_exits",
] as const;
const COLUMNS = [...COUNTS, "scenario_1_trades", "scenario_2_trades", "scenario_3_trades", "slippage_rupees"];

/** The daily summary: one row a date, rewritten as the day goes on. */
export class DailySummaryRepository {
  private readonly upsertStmt: Statement;
  private readonly rangeStmt: Statement;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    this.upsertStmt = db.prepare(
      `INSERT INTO daily_summary (date, ${COLUMNS.join(", ")}, updated_at_ms)
       VALUES (@date, ${COLUMNS.map((c) => `@${c}`).join(", ")}, @updated_at_ms)
       ON CONFLICT (date) DO UPDATE SET ${[...COLUMNS, "updated_at_ms"].map((c) => `${c} = excluded.${c}`).join(", ")}`,
    );
    this.rangeStmt = db.prepare("SELECT * FROM daily_summary WHERE date >= ? AND date <= ? ORDER BY date");
  }

  /** Writes (or rewrites) the summary of a date. */
  upsert(date: IsoDate, figures: SummaryFigures, slippageRupees: number | null = null): void {
    const params: Record<string, unknown> = {
      date,
      updated_at_ms: this.clock.now(),
      slippage_rupees: slippageRupees,
    };
    for (const k of COUNTS) params[k] = figures[k];
    params.scenario_1_trades = figures.trades_by_scenario["1"];
    params.scenario_2_trades = figures.trades_by_scenario["2"];
    params.scenario_3_trades = figures.trades_by_scenario["3"];
    this.upsertStmt.run(params);
  }

  /** The summary of one date, or null. */
  get(date: IsoDate): DailySummary | null {
    return this.between(date, date)[0] ?? null;
  }

  /** Summaries of the dates from `from` to `to`, both included, in date order. */
  between(from: IsoDate, to: IsoDate): DailySummary[] {
    return (this.rangeStmt.all(from, to) as Record<string, number | string>[]).map((r) => {
      const s: Record<string, unknown> = { date: r.date };
      for (const k of COUNTS) s[k] = r[k];
      s.slippage_rupees = r.slippage_rupees ?? null;
      s.trades_by_scenario = { "1": r.scenario_1_trades, "2": r.scenario_2_trades, "3": r.scenario_3_trades };
      return s as unknown as DailySummary;
    });
  }
}
