import { statfs as nodeStatfs } from "node:fs/promises";
import type { SetTimer } from "../ports/timer.js";

/*
 * Free disk space, and a watcher that warns before the disk fills: the old system stopped
 * when nginx's logs filled the disk ("No space left on device"). The reading is injected
 * (`StatFs`) so tests choose any figure without filling a real disk.
 */

/** The part of statfs(2) used here (node's fs.statfs gives it). */
export interface StatFsResult {
  bsize: number;
  blocks: number;
  /** Blocks free for an unprivileged user (what the service can use). */
  bavail: number;
}

/** Reads the file system holding a path. */
export type StatFs = (path: string) => Promise<StatFsResult>;

/** The real statfs. */
export const realStatfs: StatFs = (path) => nodeStatfs(path);

/** Free and total space of one file system. */
export interface DiskReading {
  path: string;
  freeBytes: number;
  totalBytes: number;
  /** Free space in percent of the total, 0-100. */
  freePct: number;
}

export type DiskLevel = "ok" | "warning" | "critical";

/** Where the levels start: below either figure is enough. */
export interface DiskThresholds {
  warnPct: number;
  warnBytes: number;
  criticalPct: number;
  criticalBytes: number;
}

const GB = 1024 ** 3;
const MB = 1024 ** 2;

/** Warning under 15 % or 1 GB free; critical (nearly full) under 3 % or 200 MB. */
export const DEFAULT_DISK_THRESHOLDS: DiskThresholds = {
  warnPct: 15,
  warnBytes: GB,
  criticalPct: 3,
  criticalBytes: 200 * MB,
};

/** Reads the free space of the file system holding `path`. */
export async function readDisk(path: string, statfs: StatFs = realStatfs): Promise<DiskReading> {
  const s = await statfs(path);
  const totalBytes = s.blocks * s.bsize;
  const freeBytes = s.bavail * s.bsize;
  return { path, freeBytes, totalBytes, freePct: totalBytes > 0 ? (freeBytes / totalBytes) * 100 : 0 };
}

/** The level of a reading. */
export function diskLevel(r: DiskReading, t: DiskThresholds = DEFAULT_DISK_THRESHOLDS): DiskLevel {
  if (r.freePct < t.criticalPct || r.freeBytes < t.criticalBytes) return "critical";
  if (r.freePct < t.warnPct || r.freeBytes < t.warnBytes) return "warning";
  return "ok";
}

/** "3.2 GB free of 7.6 GB (42 %)". */
export function describeDisk(r: DiskReading): string {
  return `${formatBytes(r.freeBytes)} free of ${formatBytes(r.totalBytes)} (${r.freePct.toFixed(0)} %)`;
}

/** Bytes as people read them: "812 MB", "3.2 GB". */
export function formatBytes(n: number): string {
  if (n >= GB) return `${(n / GB).toFixed(1)} GB`;
  if (n >= MB) return `${Math.round(n / MB)} MB`;
  return `${Math.round(n / 1024)} KB`;
}

export interface DiskWatcherOptions {
  /** Folders to watch (the data and logs folders); each is read separately. */
  paths: readonly string[];
  statfs?: StatFs;
  thresholds?: DiskThresholds;
  /** Called once each time a folder's level worsens (ok → warning, warning → critical, ok → critical). */
  onLow: (reading: DiskReading, level: Exclude<DiskLevel, "ok">) => void;
  /** Called once when a folder that was low is back to ok. */
  onRecovered?: (reading: DiskReading) => void;
  /** A folder that cannot be read (gone, permissions): reported once per distinct message. */
  onError?: (path: string, message: string) => void;
}

const RANK: Record<DiskLevel, number> = { ok: 0, warning: 1, critical: 2 };

/**
 * Watches free space: `check()` reads every folder and calls back only on a crossing, so a
 * disk that stays low is reported once, not every minute. `start()` checks every
 * `intervalMs` on the injected timer until the returned function is called.
 */
export class DiskSpaceWatcher {
  private readonly levels = new Map<string, DiskLevel>();
  private readonly errors = new Map<string, string>();

  constructor(private readonly options: DiskWatcherOptions) {}

  /** Reads every folder once; returns the worst level seen. */
  async check(): Promise<DiskLevel> {
    let worst: DiskLevel = "ok";
    for (const path of this.options.paths) {
      let reading: DiskReading;
      try {
        reading = await readDisk(path, this.options.statfs);
      } catch (e) {
        const message = (e as NodeJS.ErrnoException).code ?? String(e);
        if (this.errors.get(path) !== message) this.options.onError?.(path, message);
        this.errors.set(path, message);
        continue;
      }
      this.errors.delete(path);
      const level = diskLevel(reading, this.options.thresholds);
      const before = this.levels.get(path) ?? "ok";
      this.levels.set(path, level);
      if (level !== "ok" && RANK[level] > RANK[before]) this.options.onLow(reading, level);
      if (level === "ok" && before !== "ok") this.options.onRecovered?.(reading);
      if (RANK[level] > RANK[worst]) worst = level;
    }
    return worst;
  }

  /** Checks now and then every `intervalMs`; returns the stop function. */
  start(setTimer: SetTimer, intervalMs = 60_000): () => void {
    let cancel: (() => void) | null = null;
    let stopped = false;
    const tick = () => {
      void this.check()
        .catch(() => "ok")
        .then(() => {
          if (!stopped) cancel = setTimer(intervalMs, tick);
        });
    };
    tick();
    return () => {
      stopped = true;
      cancel?.();
    };
  }
}
