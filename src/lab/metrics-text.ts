import { textTable } from "../cli/text-table.js";
import type { Breakdown, PerformanceMetrics } from "./metrics.js";

/** A ratio for display: 2 decimals, or "-" when it is not defined. */
export function ratioText(x: number | null): string {
  return x === null ? "-" : x.toFixed(2);
}

/** Rupees for display (Indian grouping, paise), or "-" when not defined. */
export function rupeesText(x: number | null): string {
  return x === null
    ? "-"
    : `Rs ${x.toLocaleString("en-IN", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** The performance metrics as aligned `label: value` lines, then the breakdown tables. */
export function formatMetrics(m: PerformanceMetrics): string {
  const rows: [string, string][] = [
    ["sharpe", ratioText(m.sharpe)],
    ["sortino", ratioText(m.sortino)],
    ["calmar", ratioText(m.calmar)],
    ["profit factor", ratioText(m.profit_factor)],
    ["expectancy", `${rupeesText(m.expectancy)} a trade`],
    ["average win/loss", `${rupeesText(m.avg_win)} / ${rupeesText(m.avg_loss)}`],
    ["largest win/loss", `${rupeesText(m.largest_win)} / ${rupeesText(m.largest_loss)}`],
    ["losing streak", `${m.max_consecutive_losses} trade(s) at most`],
    ["drawdown length", `${m.max_drawdown_days} trading day(s) from peak to a new high`],
    ["exposure", `${(m.exposure * 100).toFixed(1)}% of candle closes in a position`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  const groups: [string, Record<string, Breakdown>][] = [
    ["scenario", m.by_scenario],
    ["exit", m.by_exit_reason],
    ["weekday", m.by_weekday],
    ["to expiry", m.by_days_to_expiry],
  ];
  for (const [name, group] of groups) {
    if (Object.keys(group).length === 0) continue;
    lines.push("");
    lines.push(
      textTable(
        [`by ${name}`, "trades", "won", "win %", "net"],
        Object.entries(group).map(([key, b]) => [key, b.trades, b.wins, b.win_rate, b.net_pnl]),
      ),
    );
  }
  return lines.join("\n");
}
