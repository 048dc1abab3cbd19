import type { Statement } from "better-sqlite3";
import type { IsoDate } from "../../domain/ist.js";
import type { PivotLevels, Structure } from "../../domain/pivots.js";
import type { OptionType } from "../../domain/symbols.js";
import type { Clock } from "../../ports/clock.js";
import type { DayUniverse, UniverseContract } from "../../ports/store-records.js";
import type { Db } from "./database.js";

const PIVOT_KEYS = ["PP", "R1", "R2", "R3", "R4", "R5", "S1", "S2", "S3"] as const;
const PIVOT_COLUMNS = PIVOT_KEYS.map((k) => `pivot_${k.toLowerCase()}`);

/** The day's universe and pivots, written once the day's universe is built (rewritten whole). */
export class UniverseRepository {
  private readonly deleteStmt: Statement;
  private readonly dayStmt: Statement;
  private readonly contractStmt: Statement;
  private readonly readDayStmt: Statement;
  private readonly readContractsStmt: Statement;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.deleteStmt = db.prepare("DELETE FROM universe_days WHERE date = ?");
    this.dayStmt = db.prepare(
      `INSERT INTO universe_days (date, underlying, spot, atm, expiry, built_at_ms)
       VALUES (@date, @underlying, @spot, @atm, @expiry, @now)`,
    );
    this.contractStmt = db.prepare(
      `INSERT INTO universe_contracts (date, symbol, instrument_token, strike, option_type, quantity, structure,
         ${PIVOT_COLUMNS.join(", ")})
       VALUES (@date, @symbol, @instrumentToken, @strike, @optionType, @quantity, @structure,
         ${PIVOT_COLUMNS.map((c) => `@${c}`).join(", ")})`,
    );
    this.readDayStmt = db.prepare("SELECT * FROM universe_days WHERE date = ?");
    this.readContractsStmt = db.prepare(
      "SELECT * FROM universe_contracts WHERE date = ? ORDER BY strike, option_type, symbol",
    );
  }

  /** Replaces the universe of `day.date` (its contracts with it), in one transaction. */
  replace(day: DayUniverse): void {
    this.db.transaction(() => {
      this.deleteStmt.run(day.date);
      this.dayStmt.run({ ...day, now: this.clock.now() });
      for (const c of day.contracts) {
        const params: Record<string, unknown> = { ...c, date: day.date };
        delete params.pivots;
        PIVOT_KEYS.forEach((k, i) => {
          params[PIVOT_COLUMNS[i] as string] = c.pivots ? c.pivots[k] : null;
        });
        this.contractStmt.run(params);
      }
    })();
  }

  /** The universe of a date, or null when none was recorded. */
  get(date: IsoDate): DayUniverse | null {
    const d = this.readDayStmt.get(date) as Record<string, unknown> | undefined;
    if (!d) return null;
    const contracts = (this.readContractsStmt.all(date) as Record<string, unknown>[]).map(
      (r): UniverseContract => ({
        symbol: r.symbol as string,
        instrumentToken: (r.instrument_token as number | null) ?? null,
        strike: r.strike as number,
        optionType: r.option_type as OptionType,
        quantity: r.quantity as number,
        structure: (r.structure as Structure | null) ?? null,
        pivots:
          r.pivot_pp === null
            ? null
            : (Object.fromEntries(
                PIVOT_KEYS.map((k, i) => [k, r[PIVOT_COLUMNS[i] as string]]),
              ) as unknown as PivotLevels),
      }),
    );
    return {
      date,
      underlying: d.underlying as string,
      spot: (d.spot as number | null) ?? null,
      atm: (d.atm as number | null) ?? null,
      expiry: (d.expiry as string | null) ?? null,
      contracts,
    };
  }
}
