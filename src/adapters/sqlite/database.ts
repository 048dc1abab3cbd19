import { accessSync, constants, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import type { Clock } from "../../ports/clock.js";
import { ensurePrivateFile, makePrivateDir, narrowToOwner } from "../private-files.js";
import { MIGRATIONS, type Migration, SCHEMA_VERSION } from "./migrations.js";

/** An open better-sqlite3 connection. */
export type Db = BetterSqlite3.Database;

/** The database could not be opened or migrated; the message names the file and says why. */
export class DatabaseOpenError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

/** The file was written by a newer version of the system than this one: it is left untouched. */
export class DatabaseVersionError extends DatabaseOpenError {
  constructor(
    path: string,
    readonly fileVersion: number,
    readonly knownVersion: number,
  ) {
    super(
      `${path} was written by a newer version (schema ${fileVersion}, this version knows ${knownVersion}): upgrade the system, or use another database file`,
      path,
    );
  }
}

export interface OpenDatabaseOptions {
  clock: Clock;
  /** False: a missing file is an error rather than a new, empty database. Default true. */
  create?: boolean;
  /** Milliseconds a statement waits for another connection's lock. Default 5000. */
  busyTimeoutMs?: number;
  /** The migrations to run (tests); default the real ones. */
  migrations?: readonly Migration[];
}

/** An open database: the connection, where it is and the clock its repositories stamp times with. */
export interface OpenedDatabase {
  db: Db;
  path: string;
  clock: Clock;
  /** Migrations applied by this opening (empty when the file was up to date). */
  migrated: number[];
}

/**
 * Loaded on first use, through a runtime require, so that commands without a database never
 * load the native module (the bundler leaves a runtime require alone; the package also stays
 * external in scripts/bundle.mjs).
 */
let driver: typeof BetterSqlite3 | undefined;
function loadDriver(): typeof BetterSqlite3 {
  driver ??= createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
  return driver;
}

/**
 * Opens (creating the folder and the file unless `create` is false) the database at `path`, or
 * `:memory:`, and brings its schema up to date in one transaction. Pragmas:
 * - `journal_mode = WAL`: readers (dashboard, exports) never block the engine's writes, and a
 *   commit is one sequential append;
 * - `synchronous = NORMAL`: with WAL the file can never be corrupted and a commit survives a
 *   crash of the process; only a power loss or OS crash can undo the last commits, and those
 *   are rebuilt at start-up by reconciling with Kite's order book. FULL would add an fsync to
 *   every order update on the hot path for that case alone;
 * - `foreign_keys = ON` (SQLite's default is off);
 * - `busy_timeout`: a second connection (an export while trading) waits instead of failing.
 * Throws DatabaseVersionError for a file of a newer schema, DatabaseOpenError otherwise.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions): OpenedDatabase {
  const memory = path === ":memory:";
  if (!memory) {
    checkWritable(path, options.create ?? true);
    ownerOnly(path);
  }
  const Database = loadDriver();
  let db: Db;
  try {
    db = new Database(path, { fileMustExist: options.create === false });
  } catch (e) {
    throw new DatabaseOpenError(`cannot open the database ${path}: ${(e as Error).message}`, path);
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    if (!memory) {
      const mode = db.pragma("journal_mode = WAL", { simple: true });
      if (String(mode).toLowerCase() !== "wal") {
        throw new DatabaseOpenError(`cannot switch ${path} to WAL mode (it stays ${String(mode)})`, path);
      }
      // SQLite gives the WAL and shared-memory files the database file's mode; these may predate it.
      for (const companion of [`${path}-wal`, `${path}-shm`]) narrowToOwner(companion);
    }
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    const migrated = migrate(db, path, options.migrations ?? MIGRATIONS);
    return { db, path, clock: options.clock, migrated };
  } catch (e) {
    db.close();
    if (e instanceof DatabaseOpenError) throw e;
    throw new DatabaseOpenError(`cannot use the database ${path}: ${(e as Error).message}`, path);
  }
}

/**
 * The database holds raw postbacks and the day's orders: owner-only (see private-files.ts). It is
 * created here with its mode rather than by SQLite, which would apply the umask to 0644.
 */
function ownerOnly(path: string): void {
  try {
    ensurePrivateFile(path);
  } catch (e) {
    throw new DatabaseOpenError(
      `cannot make the database ${path} owner-only: ${(e as NodeJS.ErrnoException).code ?? e}`,
      path,
    );
  }
}

/** The schema version written in the file (`PRAGMA user_version`). */
export function schemaVersionOf(db: Db): number {
  return Number(db.pragma("user_version", { simple: true }));
}

/** Runs the migrations the file lacks, all in one transaction; returns their versions. */
function migrate(db: Db, path: string, migrations: readonly Migration[]): number[] {
  const known = migrations[migrations.length - 1]?.version ?? SCHEMA_VERSION;
  const current = schemaVersionOf(db);
  if (current > known) throw new DatabaseVersionError(path, current, known);
  const pending = migrations.filter((m) => m.version > current);
  if (pending.length === 0) return [];
  // IMMEDIATE: two processes starting at once must not both migrate the same file.
  db.transaction(() => {
    // Re-read under the lock: another process may have migrated meanwhile.
    const now = schemaVersionOf(db);
    for (const m of pending) {
      if (m.version <= now) continue;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
  }).immediate();
  return pending.map((m) => m.version);
}

/**
 * Fails early with the path in the message: SQLite's own "unable to open database file" says
 * neither which file nor why, and a read-only file would open and fail only at the first write
 * (WAL also needs to create `-wal` and `-shm` files beside it).
 */
function checkWritable(path: string, create: boolean): void {
  const dir = dirname(path);
  const exists = existsSync(path);
  if (!exists && !create) throw new DatabaseOpenError(`no database at ${path}`, path);
  try {
    makePrivateDir(dir);
  } catch (e) {
    throw new DatabaseOpenError(
      `cannot create the folder ${dir} for the database ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`,
      path,
    );
  }
  for (const target of exists ? [path, dir] : [dir]) {
    try {
      accessSync(target, constants.R_OK | constants.W_OK);
    } catch (e) {
      throw new DatabaseOpenError(
        `the database ${path} is not writable (${target}: ${(e as NodeJS.ErrnoException).code ?? e})`,
        path,
      );
    }
  }
}
