import type { Statement } from "better-sqlite3";
import type { Clock } from "../../ports/clock.js";
import type { ControlState } from "../../ports/store-records.js";
import type { Db } from "./database.js";

type Key = "entries_enabled" | "panic" | "lots";

/** Control state as key/value rows (value JSON), read and written through typed accessors. */
export class ControlStateRepository {
  private readonly getStmt: Statement;
  private readonly setStmt: Statement;
  private readonly clearStmt: Statement;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    this.getStmt = db.prepare("SELECT value FROM control_state WHERE key = ?");
    this.setStmt = db.prepare(
      `INSERT INTO control_state (key, value, updated_by, updated_at_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by,
         updated_at_ms = excluded.updated_at_ms`,
    );
    this.clearStmt = db.prepare("DELETE FROM control_state WHERE key = ?");
  }

  /** Every switch at once. */
  read(): ControlState {
    return { entriesEnabled: this.entriesEnabled(), panic: this.panic(), lots: this.lots() };
  }

  entriesEnabled(): boolean {
    return this.get("entries_enabled") !== false;
  }

  setEntriesEnabled(enabled: boolean, by: string): void {
    this.set("entries_enabled", enabled, by);
  }

  panic(): boolean {
    return this.get("panic") === true;
  }

  setPanic(panic: boolean, by: string): void {
    this.set("panic", panic, by);
  }

  lots(): number | null {
    const v = this.get("lots");
    return typeof v === "number" ? v : null;
  }

  /** Sets the lots per trade (a whole number from 1), or null to go back to the configuration's. */
  setLots(lots: number | null, by: string): void {
    if (lots === null) {
      this.clearStmt.run("lots");
      return;
    }
    if (!Number.isInteger(lots) || lots < 1)
      throw new RangeError(`lots must be a whole number from 1, not ${lots}`);
    this.set("lots", lots, by);
  }

  private get(key: Key): unknown {
    const row = this.getStmt.get(key) as { value: string } | undefined;
    return row === undefined ? undefined : JSON.parse(row.value);
  }

  private set(key: Key, value: boolean | number, by: string): void {
    this.setStmt.run(key, JSON.stringify(value), by, this.clock.now());
  }
}
