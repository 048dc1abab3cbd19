import { randomBytes } from "node:crypto";
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";

/** Permissions of a file written by `writeFileAtomic` and of the folders it creates. */
export interface AtomicWriteOptions {
  /** Default 0600: only the owner reads it. */
  mode?: number;
  /** For folders created on the way; default 0700. */
  dirMode?: number;
}

/**
 * Writes a file so that a reader sees the old content or the new one, never a piece: a temp
 * file in the same folder (same file system), flushed, then renamed over the target. Missing
 * folders are created. Throws on failure, leaving no temp file behind.
 */
export function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): void {
  const mode = options.mode ?? 0o600;
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: options.dirMode ?? 0o700 });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  let fd: number | undefined;
  try {
    // Created with its final mode: the content is never readable by others, not even briefly.
    fd = openSync(tmp, "wx", mode);
    writeFileSync(fd, data);
    fchmodSync(fd, mode); // the umask may have taken bits away from an intended 0644
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  try {
    // The rename itself survives a power cut only once the folder is flushed.
    const dirFd = openSync(dir, "r");
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // not every file system lets a folder be opened or flushed; the data is written anyway
  }
}
