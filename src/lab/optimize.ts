import type { IsoDate } from "../domain/ist.js";
import type { LabPool } from "./pool.js";
import { type Objective, type RankedResult, rankEvaluations } from "./rank.js";
import { type Dimension, gridSets, randomSets, type Settings } from "./space.js";

export type SearchMethod = "grid" | "random";

export interface OptimizeOptions {
  dimensions: readonly Dimension[];
  method: SearchMethod;
  /** Sets drawn by the random method. */
  samples: number;
  seed: number;
  objective: Objective;
  minTrades: number;
  from?: IsoDate;
  to?: IsoDate;
}

/** The result of `pivot optimize --json`. */
export interface OptimizeOutcome {
  method: SearchMethod;
  objective: Objective;
  min_trades: number;
  seed: number;
  space: Record<string, number[]>;
  from: IsoDate | null;
  to: IsoDate | null;
  /** Sets in the search; `evaluated` fewer when it was stopped. */
  total: number;
  evaluated: number;
  stopped: boolean;
  results: RankedResult[];
}

/** The sets a search tries, in a fixed order (the same for the same seed). */
export function searchSets(
  options: Pick<OptimizeOptions, "dimensions" | "method" | "samples" | "seed">,
): Settings[] {
  return options.method === "grid"
    ? gridSets(options.dimensions)
    : randomSets(options.dimensions, options.samples, options.seed);
}

/** Backtests every set of the search on the pool and ranks them; a stop keeps what is done. */
export async function optimize(
  pool: LabPool,
  options: OptimizeOptions,
  signal: AbortSignal,
  progress?: (done: number, total: number) => void,
): Promise<OptimizeOutcome> {
  const sets = searchSets(options);
  const period = {
    ...(options.from ? { from: options.from } : {}),
    ...(options.to ? { to: options.to } : {}),
  };
  const batch = await pool.run(
    sets.map((settings) => ({ settings, ...period })),
    signal,
    progress,
  );
  const done = batch.evaluations.filter((e) => e !== undefined);
  return {
    method: options.method,
    objective: options.objective,
    min_trades: options.minTrades,
    seed: options.seed,
    space: Object.fromEntries(options.dimensions.map((d) => [d.name, d.values])),
    from: options.from ?? null,
    to: options.to ?? null,
    total: sets.length,
    evaluated: done.length,
    stopped: batch.stopped,
    results: rankEvaluations(done, options.objective, options.minTrades),
  };
}
