import type { Statement } from "better-sqlite3";
import type { IsoDate } from "../../domain/ist.js";
import type { SignalRecord } from "../../domain/trade.js";
import type { Clock } from "../../ports/clock.js";
import type { Db } from "./database.js";
import { fromFlag, toFlag } from "./sql-values.js";

/** Every signal, with what was done about it and why; one per symbol and candle. */
export class SignalsRepository {
  private readonly insertStmt: Statement;
  private readonly byDateStmt: Statement;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    this.insertStmt = db.prepare(
      `INSERT INTO signals (date, time, symbol, scenario, first_candle, open, high, low, close, size, threshold,
         entry_price, stop_loss, target, action, reason, detail, trade_id, recorded_at_ms)
       VALUES (@date, @time, @symbol, @scenario, @first_candle, @open, @high, @low, @close, @size, @threshold,
         @entry_price, @stop_loss, @target, @action, @reason, @detail, @trade_id, @recorded_at_ms)
       ON CONFLICT (symbol, time) DO NOTHING`,
    );
    this.byDateStmt = db.prepare("SELECT * FROM signals WHERE date = ? ORDER BY time, id");
  }

  /** Records a signal; false when that symbol's signal at that candle is already recorded (a replay). */
  insert(s: SignalRecord): boolean {
    return (
      this.insertStmt.run({ ...s, first_candle: toFlag(s.first_candle), recorded_at_ms: this.clock.now() })
        .changes > 0
    );
  }

  /** A day's signals in time order. */
  byDate(date: IsoDate): SignalRecord[] {
    return (this.byDateStmt.all(date) as Record<string, unknown>[]).map((r) => ({
      date: r.date as IsoDate,
      time: r.time as string,
      symbol: r.symbol as string,
      scenario: r.scenario as SignalRecord["scenario"],
      first_candle: fromFlag(r.first_candle),
      open: r.open as number,
      high: r.high as number,
      low: r.low as number,
      close: r.close as number,
      size: r.size as number,
      threshold: r.threshold as number,
      entry_price: r.entry_price as number,
      stop_loss: r.stop_loss as number,
      target: r.target as number,
      action: r.action as SignalRecord["action"],
      reason: (r.reason as SignalRecord["reason"]) ?? null,
      detail: r.detail as string,
      trade_id: (r.trade_id as string | null) ?? null,
    }));
  }
}
