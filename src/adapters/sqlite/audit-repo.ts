import type { Statement } from "better-sqlite3";
import type { Clock } from "../../ports/clock.js";
import type { AuditEntry } from "../../ports/store-records.js";
import type { Db } from "./database.js";

/** The audit log of operator actions: append-only. */
export class AuditLogRepository {
  private readonly insertStmt: Statement;
  private readonly recentStmt: Statement;
  private readonly betweenStmt: Statement;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    this.insertStmt = db.prepare("INSERT INTO audit_log (at_ms, actor, action, details) VALUES (?, ?, ?, ?)");
    this.recentStmt = db.prepare("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?");
    this.betweenStmt = db.prepare("SELECT * FROM audit_log WHERE at_ms >= ? AND at_ms < ? ORDER BY id");
  }

  /** Appends an entry stamped with the clock; returns it. */
  record(actor: string, action: string, details: Record<string, unknown> = {}): AuditEntry {
    const atMs = this.clock.now();
    const info = this.insertStmt.run(atMs, actor, action, JSON.stringify(details));
    return { id: Number(info.lastInsertRowid), atMs, actor, action, details };
  }

  /** The latest `limit` entries, newest first. */
  recent(limit = 50): AuditEntry[] {
    return (this.recentStmt.all(limit) as Row[]).map(toEntry);
  }

  /** Entries from `fromMs` (included) to `toMs` (excluded), oldest first. */
  between(fromMs: number, toMs: number): AuditEntry[] {
    return (this.betweenStmt.all(fromMs, toMs) as Row[]).map(toEntry);
  }
}

interface Row {
  id: number;
  at_ms: number;
  actor: string;
  action: string;
  details: string;
}

function toEntry(r: Row): AuditEntry {
  return { id: r.id, atMs: r.at_ms, actor: r.actor, action: r.action, details: JSON.parse(r.details) };
}
