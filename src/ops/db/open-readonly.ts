import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";

/** The database could not be read; the message says which file and why. */
export class DbReadError extends Error {}

/**
 * Opens the database read-only, beside a running service: a read-only connection never takes a
 * write lock, and never leaves files owned by whoever ran the command (root) beside the
 * service's database.
 */
export function openReadOnly(path: string): BetterSqlite3.Database {
  if (!existsSync(path)) throw new DbReadError(`no database at ${path} (data.database_path)`);
  const Database = createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma("busy_timeout = 5000");
    return db;
  } catch (e) {
    throw new DbReadError(`cannot open the database ${path}: ${(e as Error).message}`);
  }
}
