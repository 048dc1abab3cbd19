/*
 * The demo's service files (database, logs, session), one folder per run under
 * `<demo dir>/service/`: `run-1`, `run-2`, ... A new run starts in a new folder and the previous
 * runs' folders are removed only once it has started, so a failed start (the port taken, say)
 * loses nothing, and the previous run's files stay until a new run replaces them. A folder
 * whose run is still going (another demo on another port) is left alone.
 */

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const RUN = /^run-(\d+)$/;
const PID_FILE = "run.pid";

/** Whether a process is alive (signal 0 tests without signalling). */
export type IsAlive = (pid: number) => boolean;

export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface DemoRun {
  /** The new run's folder. */
  dir: string;
  /** The start succeeded: remove the previous runs (and files of an older layout). */
  adopt(): void;
  /** The start failed: remove this run's own folder; the previous ones stay. */
  discard(): void;
}

/** Creates the next run's folder under `serviceRoot` (created too), marked with `pid`. */
export function newDemoRun(
  serviceRoot: string,
  pid: number = process.pid,
  isAlive: IsAlive = processIsAlive,
): DemoRun {
  mkdirSync(serviceRoot, { recursive: true, mode: 0o700 });
  const numbers = readdirSync(serviceRoot)
    .map((n) => RUN.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
  const name = `run-${Math.max(0, ...numbers) + 1}`;
  const dir = join(serviceRoot, name);
  mkdirSync(dir, { mode: 0o700 });
  writeFileSync(join(dir, PID_FILE), `${pid}\n`);
  return {
    dir,
    adopt: () => {
      for (const entry of readdirSync(serviceRoot)) {
        if (entry === name) continue;
        const path = join(serviceRoot, entry);
        if (RUN.test(entry) && runIsGoing(path, pid, isAlive)) continue;
        rmSync(path, { recursive: true, force: true });
      }
    },
    discard: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function runIsGoing(dir: string, self: number, isAlive: IsAlive): boolean {
  const file = join(dir, PID_FILE);
  if (!existsSync(file)) return false;
  const pid = Number.parseInt(readFileSync(file, "utf8"), 10);
  return Number.isInteger(pid) && pid > 0 && pid !== self && isAlive(pid);
}
