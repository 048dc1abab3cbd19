import { existsSync, renameSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { ensurePrivateFile } from "../../adapters/private-files.js";
import { DbReadError, openReadOnly } from "./open-readonly.js";

/*
 * `pivot db backup`: SQLite's online backup (better-sqlite3's `.backup()`), which copies the
 * database page by page while the service keeps writing and yields a consistent snapshot. It
 * is written to a temporary file beside the target and renamed over it only once complete and
 * checked, so a half-made backup is never mistaken for a good one.
 */

/** Larger than any database's page count. */
const ALL_REMAINING_PAGES = 2 ** 30;

export interface BackupOptions {
  /** The live database (data.database_path). */
  source: string;
  /** The backup file to write. */
  out: string;
  /** Replace an existing file. */
  force?: boolean;
  /** Told as pages are copied. */
  progress?: (done: number, total: number) => void;
}

export interface BackupResult {
  out: string;
  bytes: number;
  pages: number;
  /** Tables and their row counts in the backup (the check that it opens and reads). */
  tables: Record<string, number>;
}

/** Copies the live database to `out`; throws DbReadError with a message for the trader. */
export async function backupDatabase(o: BackupOptions): Promise<BackupResult> {
  if (existsSync(o.out) && !o.force)
    throw new DbReadError(`${o.out} exists: choose another --out, or add --force`);
  const tmp = join(dirname(o.out), `.${basename(o.out)}.${process.pid}.partial`);
  const db = openReadOnly(o.source);
  let pages = 0;
  try {
    // Created owner-only before SQLite writes into it (it would apply the umask to 0644).
    ensurePrivateFile(tmp);
    const r = await db.backup(tmp, {
      progress: ({ totalPages, remainingPages }) => {
        o.progress?.(totalPages - remainingPages, totalPages);
        // The rest in one step, i.e. one read transaction: a write by another connection between
        // steps restarts a backup from the first page, so small steps under a busy writer could
        // restart for ever. In WAL mode the service keeps writing meanwhile (to the WAL).
        return ALL_REMAINING_PAGES;
      },
    });
    pages = r.totalPages;
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new DbReadError(`backup of ${o.source} to ${o.out} failed: ${(e as Error).message}`);
  } finally {
    db.close();
  }
  let tables: Record<string, number>;
  try {
    tables = verifyBackup(tmp);
    renameSync(tmp, o.out);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e instanceof DbReadError ? e : new DbReadError(`cannot write ${o.out}: ${(e as Error).message}`);
  }
  return { out: o.out, bytes: statSync(o.out).size, pages, tables };
}

/** Makes the copy one file, runs SQLite's integrity check on it and counts each table's rows. */
function verifyBackup(path: string): Record<string, number> {
  const Database = createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
  const db = new Database(path, { fileMustExist: true });
  try {
    // The copy keeps the live file's WAL mode; a backup is one self-contained file.
    db.pragma("journal_mode = DELETE");
    const check = db.pragma("integrity_check", { simple: true });
    if (check !== "ok") throw new DbReadError(`the backup failed SQLite's integrity check: ${String(check)}`);
    const names = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .pluck()
      .all() as string[];
    const tables: Record<string, number> = {};
    for (const name of names) {
      tables[name] = Number(
        db
          .prepare(`SELECT count(*) FROM "${name.replace(/"/g, '""')}"`)
          .pluck()
          .get(),
      );
    }
    return tables;
  } finally {
    db.close();
  }
}
