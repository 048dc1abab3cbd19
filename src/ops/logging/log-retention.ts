import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Clock } from "../../ports/clock.js";

/*
 * Keeps `data.log_retention_days` days of logs: files of the logger (`pivot.<date>.<n>.log`,
 * and the `.gz` copies logrotate may have made of them) last modified longer ago than that are
 * deleted. By modification time, not by the date in the name: the name's date is the host's
 * local date, and a file written until midnight is as old as its last line.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** A file the logger (or logrotate on its behalf) wrote. */
export function isLoggerFile(name: string, base = "pivot"): boolean {
  return new RegExp(`^${base}\\.\\d{4}-\\d{2}-\\d{2}\\.\\d+\\.log(\\.\\d+)?(\\.gz)?$`).test(name);
}

/** Deletes the logger's files older than `retentionDays`; returns the names deleted. */
export async function pruneOldLogs(
  dir: string,
  retentionDays: number,
  clock: Clock,
  base = "pivot",
): Promise<string[]> {
  const cutoff = clock.now() - retentionDays * DAY_MS;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return []; // no folder yet: nothing to prune
  }
  const deleted: string[] = [];
  for (const name of names) {
    if (!isLoggerFile(name, base)) continue;
    const path = join(dir, name);
    try {
      if ((await stat(path)).mtimeMs < cutoff) {
        await rm(path, { force: true });
        deleted.push(name);
      }
    } catch {
      // removed meanwhile, or not ours to remove: the next pass tries again
    }
  }
  return deleted.sort();
}
