import { escapeHtml } from "../backtest/escape-html.js";
import { numberFormatOnUse } from "../backtest/number-format.js";
import type { Breakdown, PerformanceMetrics } from "./metrics.js";

const MONEY = numberFormatOnUse("en-IN", { style: "currency", currency: "INR" });

function money(x: number | null): string {
  return x === null ? "–" : MONEY.format(x);
}

function ratio(x: number | null): string {
  return x === null ? "–" : x.toFixed(2);
}

function card(label: string, value: string, cls = ""): string {
  return `<div class="card"><div class="label">${escapeHtml(label)}</div><div class="value${cls ? ` ${cls}` : ""}">${escapeHtml(value)}</div></div>`;
}

const signClass = (x: number | null) => (x === null ? "" : x > 0 ? "pos" : x < 0 ? "neg" : "");

/**
 * The backtest report's performance section (issue 15): ratio cards and the breakdowns by
 * scenario, exit reason, weekday and days to expiry. Breakdown tables are left out when
 * there is no trade.
 */
export function metricsSection(m: PerformanceMetrics): string {
  const cards = [
    card("Sharpe", ratio(m.sharpe), signClass(m.sharpe)),
    card("Sortino", ratio(m.sortino), signClass(m.sortino)),
    card("Calmar", ratio(m.calmar), signClass(m.calmar)),
    card("Profit factor", ratio(m.profit_factor)),
    card("Expectancy", money(m.expectancy), signClass(m.expectancy)),
    card("Average win", money(m.avg_win), signClass(m.avg_win)),
    card("Average loss", money(m.avg_loss), signClass(m.avg_loss)),
    card("Largest win", money(m.largest_win), signClass(m.largest_win)),
    card("Largest loss", money(m.largest_loss), signClass(m.largest_loss)),
    card("Longest losing streak", String(m.max_consecutive_losses)),
    card("Drawdown length", `${m.max_drawdown_days} days`),
    card("Exposure", `${(m.exposure * 100).toFixed(1)}%`),
  ];
  const tables = (
    [
      ["By scenario", m.by_scenario],
      ["By exit reason", m.by_exit_reason],
      ["By weekday", m.by_weekday],
      ["By days to expiry", m.by_days_to_expiry],
    ] as const
  )
    .filter(([, group]) => Object.keys(group).length > 0)
    .map(([heading, group]) => breakdownTable(heading, group));
  return `<section>
<h2 class="group">Performance</h2>
<div class="cards">${cards.join("")}</div>
${tables.length > 0 ? `<div class="breakdowns">${tables.join("\n")}</div>` : ""}
</section>`;
}

function breakdownTable(heading: string, group: Record<string, Breakdown>): string {
  const rows = Object.entries(group)
    .map(
      ([key, b]) =>
        `<tr><td>${escapeHtml(key)}</td><td class="n">${b.trades}</td><td class="n">${b.win_rate.toFixed(1)}%</td><td class="n ${signClass(b.net_pnl)}">${escapeHtml(money(b.net_pnl))}</td></tr>`,
    )
    .join("");
  return `<div class="panel"><h2>${escapeHtml(heading)}</h2><table><thead><tr><th></th><th class="n">Trades</th><th class="n">Win rate</th><th class="n">Net</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}
