import { textTable } from "../cli/text-table.js";
import { ratioText } from "./metrics-text.js";
import type { OptimizeOutcome } from "./optimize.js";
import type { RankedResult } from "./rank.js";

/** Rows shown in the text table; `--json` has them all. */
const SHOWN = 20;

/** The readable ranking: the top sets with their settings and main metrics, and the best as config. */
export function formatOptimizeText(outcome: OptimizeOutcome): string {
  const out: string[] = [];
  const names = Object.keys(outcome.space);
  const period =
    outcome.from || outcome.to ? ` from ${outcome.from ?? "the start"} to ${outcome.to ?? "the end"}` : "";
  out.push(
    `${outcome.method} search of ${outcome.total} set(s)${period}, ranked by ${outcome.objective}` +
      (outcome.stopped ? ` — STOPPED after ${outcome.evaluated} of ${outcome.total}` : ""),
  );
  out.push(rankingTable(outcome.results.slice(0, SHOWN), names));
  if (outcome.results.length > SHOWN) out.push(`(${outcome.results.length - SHOWN} more with --json)`);
  const below = outcome.results.filter((r) => !r.eligible).length;
  if (below > 0) out.push(`${below} set(s) made fewer than ${outcome.min_trades} trade(s): ranked last (*)`);
  const best = outcome.results[0];
  if (best) {
    out.push("");
    out.push("Best settings: merge into the config file and `pivot backtest --config FILE` repeats the run:");
    out.push(JSON.stringify(best.config, null, 2));
  }
  return `${out.join("\n")}\n`;
}

/** The ranking as a table: rank, objective, main metrics, then one column per setting. */
export function rankingTable(results: readonly RankedResult[], names: readonly string[]): string {
  return textTable(
    ["rank", "objective", "trades", "win %", "net", "max dd", "sharpe", "pf", ...names],
    results.map((r) => [
      `${r.rank}${r.eligible ? "" : "*"}`,
      r.objective === null ? "-" : r.objective,
      r.metrics.total_trades,
      r.metrics.win_rate,
      r.metrics.net_pnl,
      r.metrics.max_drawdown,
      ratioText(r.metrics.sharpe),
      ratioText(r.metrics.profit_factor),
      ...names.map((n) => r.settings[n] ?? "-"),
    ]),
  );
}
