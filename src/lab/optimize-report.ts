import { heatmap, labPage, lineChart, panel, table } from "./html.js";
import type { OptimizeOutcome } from "./optimize.js";

/** An equity curve: cumulative net P&L at the end of each trading day of the run. */
export interface EquityCurve {
  name: string;
  values: number[];
}

/** How many of the top sets have their equity curve drawn. */
export const TOP_CURVES = 5;

/**
 * The two settings of the heatmap: those asked for, else the first two of the space with more
 * than one value; null when the space varies fewer than two.
 */
export function heatmapAxes(outcome: OptimizeOutcome, asked?: readonly string[]): [string, string] | null {
  if (asked && asked.length === 2) return [asked[0] as string, asked[1] as string];
  const varying = Object.entries(outcome.space)
    .filter(([, values]) => values.length > 1)
    .map(([name]) => name);
  return varying.length >= 2 ? [varying[0] as string, varying[1] as string] : null;
}

/**
 * `pivot optimize --report`: the ranking, a heatmap of the objective over two settings (each
 * cell the best set with those two values, among sets with enough trades) and the equity curves
 * of the top sets.
 */
export function renderOptimizeReport(
  outcome: OptimizeOutcome,
  curves: readonly EquityCurve[],
  axes: [string, string] | null,
): string {
  const names = Object.keys(outcome.space);
  const subtitle = `${outcome.method} search, ${outcome.evaluated} of ${outcome.total} set(s) evaluated, ranked by ${outcome.objective}${outcome.stopped ? " (stopped early)" : ""}`;
  const parts: string[] = [];
  if (axes) {
    const [rowName, columnName] = axes;
    const best = new Map<string, number>();
    for (const r of outcome.results) {
      if (!r.eligible || r.objective === null) continue;
      const key = `${r.settings[rowName]}|${r.settings[columnName]}`;
      const known = best.get(key);
      if (known === undefined || r.objective > known) best.set(key, r.objective);
    }
    parts.push(
      panel(
        `${outcome.objective} by ${rowName} and ${columnName}`,
        heatmap(
          rowName,
          columnName,
          outcome.space[rowName] ?? [],
          outcome.space[columnName] ?? [],
          (row, column) => best.get(`${row}|${column}`) ?? null,
        ),
        "Each cell: the best set with these two values (other settings free), among sets with enough trades.",
      ),
    );
  } else {
    parts.push(panel("Heatmap", `<p class="muted">The space varies fewer than two settings.</p>`));
  }
  parts.push(
    panel(
      `Equity curves of the top ${curves.length}`,
      lineChart(curves),
      "Cumulative net P&L at the end of each trading day, rupees.",
    ),
  );
  parts.push(
    panel(
      "Ranking",
      table(
        [
          "rank",
          "objective",
          "trades",
          "win %",
          "net",
          "max dd",
          "sharpe",
          "sortino",
          "calmar",
          "pf",
          ...names,
        ],
        outcome.results.map((r) => [
          `${r.rank}${r.eligible ? "" : "*"}`,
          r.objective ?? "–",
          r.metrics.total_trades,
          r.metrics.win_rate,
          r.metrics.net_pnl,
          r.metrics.max_drawdown,
          r.metrics.sharpe ?? "–",
          r.metrics.sortino ?? "–",
          r.metrics.calmar ?? "–",
          r.metrics.profit_factor ?? "–",
          ...names.map((n) => r.settings[n] ?? "–"),
        ]),
      ),
      `* fewer than ${outcome.min_trades} trade(s): ranked last.`,
    ),
  );
  return labPage("Pivot optimize", subtitle, parts.join("\n"));
}

/** Cumulative net P&L at each day's end, from a backtest's days. */
export function dailyEquity(days: readonly { net_pnl: number }[]): number[] {
  let total = 0;
  return days.map((d) => {
    total += d.net_pnl;
    return Math.round(total * 100) / 100;
  });
}
