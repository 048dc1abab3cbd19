import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Db } from "./database.js";

/*
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the commit that
 * crosses 1000 WAL pages: it copies the pages into the database file and fsyncs it, on the
 * thread that committed. On the postback path that stalls every request in flight (the p99 of
 * the benchmark doubled with it). Here a worker thread with its own connection runs a PASSIVE
 * checkpoint every `intervalMs`, which never blocks the writer (SQLite lets a checkpoint run
 * beside a write), and the main connection's automatic checkpoint is turned off meanwhile.
 *
 * Durability is unchanged: a commit is durable once it is in the WAL (synchronous = NORMAL, see
 * database.ts), whoever checkpoints it later. If the worker fails, the automatic checkpoint is
 * turned back on, so the WAL never grows without bound.
 */

/** SQLite's default `wal_autocheckpoint` (pages), restored when the checkpointer stops. */
const AUTOCHECKPOINT_PAGES = 1000;

export interface WalCheckpointerOptions {
  /** How often the worker checkpoints (default 500 ms). */
  intervalMs?: number;
  /** The worker failed; the main connection checkpoints by itself again. */
  onError?: (error: Error) => void;
  /** After each checkpoint: WAL frames and frames copied into the database (tests, metrics). */
  onCheckpoint?: (result: { walFrames: number; checkpointed: number }) => void;
}

export interface WalCheckpointer {
  /** Stops the worker and turns the automatic checkpoint back on. */
  stop(): Promise<void>;
}

// CommonJS, run by the worker: its own connection to the same file, a PASSIVE checkpoint on a timer.
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
// Errors go back as text: an error object crossing threads may lose its message.
const failed = (e) => {
  parentPort.postMessage({ error: String((e && e.message) || e) });
  process.exit(1);
};
let db;
try {
  const Database = require(workerData.driver);
  db = new Database(workerData.path, { fileMustExist: true });
  db.pragma("busy_timeout = 5000");
  db.pragma("synchronous = NORMAL");
} catch (e) {
  failed(e);
}
const timer = setInterval(() => {
  try {
    const [r] = db.pragma("wal_checkpoint(PASSIVE)");
    parentPort.postMessage({ walFrames: r.log, checkpointed: r.checkpointed });
  } catch (e) {
    failed(e);
  }
}, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Starts checkpointing the database at `path` (opened as `db`, in WAL mode) from a worker
 * thread. In `pivot start`: `const checkpointer = startWalCheckpointer(store.db, path)` after
 * the store is opened, and `await checkpointer.stop()` before `store.close()`.
 */
export function startWalCheckpointer(
  db: Db,
  path: string,
  options: WalCheckpointerOptions = {},
): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { driver, path, intervalMs: options.intervalMs ?? 500 },
  });
  db.pragma("wal_autocheckpoint = 0");
  let stopping = false;
  let failed = false;
  const fail = (e: Error) => {
    if (db.open) db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    if (failed || stopping) return;
    failed = true;
    options.onError?.(e);
  };
  worker.on("message", (m: { walFrames: number; checkpointed: number } | { error: string }) => {
    if ("error" in m) fail(new Error(`the WAL checkpointer failed on ${path}: ${m.error}`));
    else options.onCheckpoint?.(m);
  });
  worker.on("error", fail);
  const exited = new Promise<void>((resolve) => {
    worker.once("exit", (code) => {
      fail(new Error(`the WAL checkpointer stopped (exit code ${code})`));
      resolve();
    });
  });
  return {
    async stop() {
      stopping = true;
      worker.postMessage("stop");
      await exited;
    },
  };
}

/** The WAL size from which the checkpointer thread is worth its memory (about 10 MB). */
export const BUSY_WAL_BYTES = 16 * 2 ** 20;

/**
 * The checkpointer, started only once the database is written hard enough for its WAL to pass
 * `thresholdBytes` (a storm of postbacks): on a normal trading day the WAL stays small and
 * SQLite's own automatic checkpoint costs next to nothing, so the thread (a V8 isolate of its
 * own, ~10 MB) is not kept for nothing. Looks at the WAL file's size every `everyMs`.
 */
export function startWalCheckpointerWhenBusy(
  db: Db,
  path: string,
  options: WalCheckpointerOptions & {
    thresholdBytes?: number;
    everyMs?: number;
    walSize?: (walPath: string) => number;
  } = {},
): WalCheckpointer & { readonly started: boolean } {
  const threshold = options.thresholdBytes ?? BUSY_WAL_BYTES;
  const walSize =
    options.walSize ??
    ((p: string) => {
      try {
        return statSync(p).size;
      } catch {
        return 0;
      }
    });
  let checkpointer: WalCheckpointer | null = null;
  const timer = setInterval(() => {
    if (checkpointer || walSize(`${path}-wal`) < threshold) return;
    clearInterval(timer);
    checkpointer = startWalCheckpointer(db, path, options);
  }, options.everyMs ?? 1_000);
  timer.unref();
  return {
    get started() {
      return checkpointer !== null;
    },
    async stop() {
      clearInterval(timer);
      await checkpointer?.stop();
    },
  };
}
