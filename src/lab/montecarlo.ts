import { paise } from "../domain/charges.js";
import { SeededRandom } from "../sim/rng.js";

/*
 * Monte Carlo resampling of a backtest's trade sequence: how much of its result is the order
 * (or the luck) of its trades. Shuffle keeps the same trades in another order (the final P&L
 * is then always the same; the drawdown and the streaks change); bootstrap draws as many
 * trades with replacement.
 */

export type ResampleMethod = "shuffle" | "bootstrap";

export interface MonteCarloOptions {
  runs: number;
  seed: number;
  method: ResampleMethod;
  /** Rupees of drawdown counted as ruin; null: not asked. */
  ruin: number | null;
}

/** 5th, 50th and 95th percentiles. */
export interface Percentiles {
  p5: number;
  p50: number;
  p95: number;
}

/** The result of `pivot montecarlo --json`. */
export interface MonteCarloOutcome {
  method: ResampleMethod;
  runs: number;
  seed: number;
  trades: number;
  final_net_pnl: Percentiles;
  max_drawdown: Percentiles;
  longest_losing_streak: Percentiles;
  ruin: number | null;
  /** Share (0-1) of runs whose drawdown reached `ruin`; null without `ruin`. */
  ruin_probability: number | null;
}

/** Every run's figures, for the report's histograms. */
export interface MonteCarloRuns {
  finalNet: Float64Array;
  maxDrawdown: Float64Array;
  losingStreak: Float64Array;
}

/** Resamples the trades' net P&L (in their order) `runs` times; the same for the same seed. */
export function monteCarlo(
  nets: readonly number[],
  options: MonteCarloOptions,
): { outcome: MonteCarloOutcome; runs: MonteCarloRuns } {
  const random = new SeededRandom(options.seed);
  const n = nets.length;
  const sample = new Float64Array(nets);
  const finalNet = new Float64Array(options.runs);
  const maxDrawdown = new Float64Array(options.runs);
  const losingStreak = new Float64Array(options.runs);
  let ruined = 0;
  for (let run = 0; run < options.runs; run++) {
    if (options.method === "shuffle") {
      // Fisher-Yates over the previous run's order: each run is a uniform permutation.
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(random.next() * (i + 1));
        const t = sample[i] as number;
        sample[i] = sample[j] as number;
        sample[j] = t;
      }
    } else {
      for (let i = 0; i < n; i++) sample[i] = nets[Math.floor(random.next() * n)] as number;
    }
    let total = 0;
    let peak = 0;
    let worst = 0;
    let streak = 0;
    let longest = 0;
    for (let i = 0; i < n; i++) {
      const x = sample[i] as number;
      total += x;
      if (total > peak) peak = total;
      if (peak - total > worst) worst = peak - total;
      streak = x < 0 ? streak + 1 : 0;
      if (streak > longest) longest = streak;
    }
    finalNet[run] = total;
    maxDrawdown[run] = worst;
    losingStreak[run] = longest;
    if (options.ruin !== null && worst >= options.ruin) ruined++;
  }
  const outcome: MonteCarloOutcome = {
    method: options.method,
    runs: options.runs,
    seed: options.seed,
    trades: n,
    final_net_pnl: percentiles(finalNet, paise),
    max_drawdown: percentiles(maxDrawdown, paise),
    longest_losing_streak: percentiles(losingStreak, (x) => Math.round(x * 100) / 100),
    ruin: options.ruin,
    ruin_probability: options.ruin === null ? null : Math.round((ruined / options.runs) * 10_000) / 10_000,
  };
  return { outcome, runs: { finalNet, maxDrawdown, losingStreak } };
}

/** The 5th, 50th and 95th percentiles of `values`, interpolated between order statistics. */
export function percentiles(values: Float64Array, round: (x: number) => number = (x) => x): Percentiles {
  const sorted = Float64Array.from(values).sort();
  return {
    p5: round(quantile(sorted, 0.05)),
    p50: round(quantile(sorted, 0.5)),
    p95: round(quantile(sorted, 0.95)),
  };
}

/** The q-quantile of sorted values: linear between the two nearest order statistics. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (at - lo);
}
