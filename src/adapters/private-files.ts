/*
 * Files that can hold a secret or a raw postback (the database and its WAL, logs, the Kite
 * session, login states, backups, the configuration) are the trader's alone: 0600 files in
 * 0700 folders. A mode given at creation is never widened by the umask (the umask only takes
 * bits away), so creating with these modes holds whatever the umask; a file that already exists
 * with wider bits (made by an older version, or by hand) is narrowed when the system opens it.
 */

import { chmodSync, closeSync, mkdirSync, openSync, statSync } from "node:fs";

/** Owner read and write. */
export const PRIVATE_FILE_MODE = 0o600;
/** Owner read, write and enter. */
export const PRIVATE_DIR_MODE = 0o700;

/** Creates a folder (and missing parents) owner-only; existing folders are left as they are. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** Makes `path` exist owner-only: created empty with 0600 when missing, narrowed otherwise. */
export function ensurePrivateFile(path: string): void {
  closeSync(openSync(path, "a", PRIVATE_FILE_MODE));
  narrowToOwner(path);
}

/**
 * Takes group and others' bits away from a file or folder that has any (a missing path is
 * ignored); returns true when it changed the mode.
 */
export function narrowToOwner(path: string): boolean {
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw e;
  }
  if ((mode & 0o077) === 0) return false;
  chmodSync(path, mode & 0o700);
  return true;
}
