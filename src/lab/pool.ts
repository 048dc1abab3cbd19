import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import type { Config } from "../config/schema.js";
import type { Evaluation, EvaluationTask } from "./evaluate.js";
import type { PackedCandles } from "./packed-candles.js";
import type { WorkerSetup } from "./worker.js";

/** What a batch of evaluations gave: one entry per task, undefined for those not run (stopped). */
export interface BatchResult {
  evaluations: (Evaluation | undefined)[];
  completed: number;
  stopped: boolean;
}

/**
 * Worker threads that backtest sets of settings over one data set. The data is parsed once,
 * in the main thread, and shared with every thread through a SharedArrayBuffer.
 */
export class LabPool {
  private readonly pool: Piscina<EvaluationTask, Evaluation>;

  constructor(
    packed: PackedCandles,
    config: Config,
    readonly threads = defaultThreads(),
  ) {
    const workerData: WorkerSetup = { packed, config };
    this.pool = new Piscina({
      filename: workerFile(),
      minThreads: threads,
      maxThreads: threads,
      workerData,
      // The tasks are CPU-bound and queued all at once: no thread should go idle and exit.
      idleTimeout: 60_000,
    });
  }

  /**
   * Runs every task; `onDone` is called as each finishes. Tasks are handed out a few at a time
   * per thread, so that when `signal` aborts no new one starts: the ones already running
   * finish and everything done so far is returned.
   */
  async run(
    tasks: readonly EvaluationTask[],
    signal: AbortSignal,
    onDone: (done: number, total: number) => void = () => {},
  ): Promise<BatchResult> {
    const evaluations: (Evaluation | undefined)[] = new Array(tasks.length).fill(undefined);
    let next = 0;
    let completed = 0;
    onDone(0, tasks.length);
    const feeder = async () => {
      while (next < tasks.length && !signal.aborted) {
        const i = next++;
        evaluations[i] = await this.pool.run(tasks[i] as EvaluationTask);
        completed++;
        onDone(completed, tasks.length);
      }
    };
    // Two tasks in flight per thread keep every thread busy while a result travels back.
    await Promise.all(Array.from({ length: Math.min(tasks.length, this.threads * 2) }, feeder));
    return { evaluations, completed, stopped: completed < tasks.length };
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

/** One thread per core, at least one. */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/**
 * The worker's file: beside the bundle (dist/lab-worker.js, from dist/pivot.js or one of its
 * chunks) or beside this module in the unbundled build (dist/src/lab/worker.js).
 */
function workerFile(): string {
  const candidates = ["./lab-worker.js", "../lab-worker.js", "./worker.js"].map((p) =>
    fileURLToPath(new URL(p, import.meta.url)),
  );
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`the lab's worker script is missing (looked for ${candidates.join(", ")})`);
  return found;
}
