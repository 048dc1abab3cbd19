import type { Statement } from "better-sqlite3";
import type { Candle } from "../../domain/candle.js";
import type { IsoDate } from "../../domain/ist.js";
import type { Db } from "./database.js";

/**
 * The closed candles of every traded day, per symbol: what the engine saw, kept so that a day
 * can be replayed as a backtest (`pivot export-candles`).
 */
export class CandlesRepository {
  private readonly appendStmt: Statement;
  private readonly dayStmt: Statement;
  private readonly datesStmt: Statement;

  constructor(private readonly db: Db) {
    this.appendStmt = db.prepare(
      `INSERT INTO recorded_candles (date, symbol, start, open, high, low, close, volume)
       VALUES (@date, @symbol, @start, @open, @high, @low, @close, @volume)
       ON CONFLICT DO NOTHING`,
    );
    this.dayStmt = db.prepare(
      "SELECT symbol, start, open, high, low, close, volume FROM recorded_candles WHERE date = ? ORDER BY symbol, start",
    );
    this.datesStmt = db.prepare("SELECT DISTINCT date FROM recorded_candles ORDER BY date");
  }

  /** Records a closed candle; false when that symbol's candle at that start is already recorded (the first is kept). */
  append(date: IsoDate, symbol: string, candle: Candle): boolean {
    return this.appendStmt.run({ date, symbol, ...candle }).changes > 0;
  }

  /** Records several closed candles in one transaction; returns how many were new. */
  appendMany(date: IsoDate, symbol: string, candles: readonly Candle[]): number {
    return this.db.transaction(() => candles.filter((c) => this.append(date, symbol, c)).length)();
  }

  /** A day's candles by symbol (symbols in name order), each list in time order. */
  day(date: IsoDate): Map<string, Candle[]> {
    const out = new Map<string, Candle[]>();
    for (const r of this.dayStmt.all(date) as (Candle & { symbol: string })[]) {
      const { symbol, ...candle } = r;
      let list = out.get(symbol);
      if (!list) {
        list = [];
        out.set(symbol, list);
      }
      list.push(candle);
    }
    return out;
  }

  /** Dates with recorded candles, in order. */
  dates(): IsoDate[] {
    return (this.datesStmt.all() as { date: IsoDate }[]).map((r) => r.date);
  }
}
