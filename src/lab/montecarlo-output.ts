import { textTable } from "../cli/text-table.js";
import { histogram, labPage, panel } from "./html.js";
import type { MonteCarloOutcome, MonteCarloRuns } from "./montecarlo.js";

/** The readable Monte Carlo summary: percentiles and the chance of ruin. */
export function formatMonteCarloText(o: MonteCarloOutcome): string {
  const lines = [
    `${o.method} of ${o.trades} trade(s), ${o.runs} run(s), seed ${o.seed}`,
    textTable(
      ["", "5th", "50th", "95th"],
      [
        ["final net P&L", o.final_net_pnl.p5, o.final_net_pnl.p50, o.final_net_pnl.p95],
        ["max drawdown", o.max_drawdown.p5, o.max_drawdown.p50, o.max_drawdown.p95],
        [
          "longest losing streak",
          o.longest_losing_streak.p5,
          o.longest_losing_streak.p50,
          o.longest_losing_streak.p95,
        ],
      ],
    ),
  ];
  if (o.ruin !== null && o.ruin_probability !== null) {
    lines.push(
      `probability that the drawdown reaches Rs ${o.ruin}: ${(o.ruin_probability * 100).toFixed(2)}%`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** `pivot montecarlo --report`: a histogram of each figure over the runs. */
export function renderMonteCarloReport(o: MonteCarloOutcome, runs: MonteCarloRuns): string {
  const note = (p: { p5: number; p50: number; p95: number }) =>
    `5th ${p.p5} · median ${p.p50} · 95th ${p.p95}`;
  const body = [
    panel("Final net P&L, rupees", histogram([...runs.finalNet]), note(o.final_net_pnl)),
    panel("Max drawdown, rupees", histogram([...runs.maxDrawdown]), note(o.max_drawdown)),
    panel(
      "Longest losing streak, trades",
      histogram([...runs.losingStreak], Math.max(1, Math.min(30, Math.max(...runs.losingStreak) + 1)), (v) =>
        v.toFixed(1),
      ),
      note(o.longest_losing_streak),
    ),
  ];
  const ruin =
    o.ruin !== null && o.ruin_probability !== null
      ? `; drawdown reaches Rs ${o.ruin} in ${(o.ruin_probability * 100).toFixed(2)}% of runs`
      : "";
  return labPage(
    "Pivot Monte Carlo",
    `${o.method} of ${o.trades} trades, ${o.runs} runs, seed ${o.seed}${ruin}`,
    body.join("\n"),
  );
}
