import type { BacktestSummary } from "../backtest/types.js";
import type { Evaluation } from "./evaluate.js";
import { type Settings, settingsAsConfig } from "./space.js";

/** What `pivot optimize` ranks by: higher is better for each. */
export const OBJECTIVES = ["net_pnl", "sharpe", "sortino", "calmar", "profit_factor"] as const;
export type Objective = (typeof OBJECTIVES)[number];

/** One set's place in the ranking, with its settings and every metric. */
export interface RankedResult {
  rank: number;
  settings: Settings;
  /** The settings as a configuration fragment: merged into the config file, `pivot backtest` repeats the run. */
  config: Record<string, Record<string, number>>;
  /** The objective's value (null when the metric is not defined for this set). */
  objective: number | null;
  /** False when the set made fewer trades than `--min-trades` (ranked after every other). */
  eligible: boolean;
  metrics: BacktestSummary;
}

/** The objective's value of a set's metrics. */
export function objectiveOf(metrics: BacktestSummary, objective: Objective): number | null {
  return metrics[objective];
}

/**
 * Ranks evaluations: sets with at least `minTrades` trades first, then by the objective
 * (undefined ones last), then by net P&L, then in the order they were given (stable).
 */
export function rankEvaluations(
  evaluations: readonly Evaluation[],
  objective: Objective,
  minTrades: number,
): RankedResult[] {
  const scored = evaluations.map((e, order) => ({
    e,
    order,
    value: objectiveOf(e.metrics, objective),
    eligible: e.metrics.total_trades >= minTrades,
  }));
  scored.sort(
    (a, b) =>
      Number(b.eligible) - Number(a.eligible) ||
      compareNullable(a.value, b.value) ||
      b.e.metrics.net_pnl - a.e.metrics.net_pnl ||
      a.order - b.order,
  );
  return scored.map((s, i) => ({
    rank: i + 1,
    settings: s.e.settings,
    config: settingsAsConfig(s.e.settings),
    objective: s.value,
    eligible: s.eligible,
    metrics: s.e.metrics,
  }));
}

/** Descending, nulls last. */
function compareNullable(a: number | null, b: number | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return b - a;
}
