/**
 * `pivot backtest --report FILE.html`: one self-contained HTML page (no network, no external
 * script, style or font) with the summary figures, the equity curve, the daily P&L, the trades
 * table and a candlestick chart per trade. Charts are drawn by TradingView Lightweight Charts,
 * inlined from node_modules; the data travels as JSON in a `<script type="application/json">`
 * (report-data.ts). The page script and styles are TypeScript and CSS in report-client/, bundled
 * into dist/web/ by scripts/bundle.mjs and inlined from there (report-scripts.ts).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Candle } from "../domain/candle.js";
import { IST_OFFSET_MINUTES, type IsoDate, istEpochMs } from "../domain/ist.js";
import type { PivotLevels } from "../domain/pivots.js";
import { metricsSection } from "../lab/report-metrics.js";
import type { Trade } from "../strategy/types.js";
import { escapeHtml } from "./escape-html.js";
import { numberFormatOnUse } from "./number-format.js";
import { type Level, REPORT_DATA_ID, type ReportData, type TradeChart } from "./report-data.js";
import { chartLabelsScript, reportPageScript, reportStyle } from "./report-scripts.js";
import type { BacktestResult, CandleLookup, DayResult, SummaryFigures } from "./types.js";

/** How the report is rendered. */
export interface ReportOptions {
  /** Page title (default "Pivot breakout backtest"). */
  title?: string;
  /** Candle length in minutes: trade times are candle close times, markers go on the candle's start. */
  intervalMinutes: number;
  /** Shown in the footer; injected so the output is deterministic (the module never reads the clock). */
  generatedAt?: string;
}

const DEFAULT_TITLE = "Pivot breakout backtest";
const NO_TRADES = "No trades in this period";
const PIVOT_NAMES: readonly (keyof PivotLevels)[] = ["R5", "R4", "R3", "R2", "R1", "PP", "S1", "S2", "S3"];
/** The package does not export its dist files, so the standalone build is found next to its package.json. */
const LIBRARY_PACKAGE = "lightweight-charts/package.json";
const LIBRARY_FILE = "dist/lightweight-charts.standalone.production.js";

let libraryCache: string | undefined;

/** Renders a backtest result as one self-contained HTML page. */
export function renderBacktestReport(
  result: BacktestResult,
  candlesOf: CandleLookup,
  options: ReportOptions,
): string {
  const title = options.title ?? DEFAULT_TITLE;
  const data = reportData(result, candlesOf, options.intervalMinutes);
  const body = [
    header(title, result.summary),
    summaryCards(result.summary),
    metricsSection(result.summary),
    equitySection(result.trades.length > 0),
    dailySection(result.days.length > 0),
    tradesSection(result.trades),
    tradeChartsSection(result.trades, data.trades),
    footer(options.generatedAt),
  ].join("\n");
  return page(title, body, data);
}

/** JSON for a `<script>` element: `<` is written `\u003c`, so no string in it can close the element. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

// ---------------------------------------------------------------------------------------------
// Chart data

/**
 * Lightweight Charts takes UTC timestamps in seconds and labels its axis in UTC. To show IST wall
 * clock times, every chart time is the epoch second of the IST wall clock read as if it were UTC,
 * i.e. the real instant shifted forward by 5:30.
 */
function chartSeconds(epochMs: number): number {
  return Math.round(epochMs / 1000) + IST_OFFSET_MINUTES * 60;
}

/** Chart time of the candle that closes at `closeIso` (an ISO time with offset): its start. */
function candleStartOfClose(closeIso: string, intervalMinutes: number): number {
  return chartSeconds(Date.parse(closeIso)) - intervalMinutes * 60;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function reportData(result: BacktestResult, candlesOf: CandleLookup, intervalMinutes: number): ReportData {
  const candles: number[][][] = [];
  const setIndex = new Map<string, number | null>();
  const candleSet = (symbol: string, date: IsoDate): number | null => {
    const key = JSON.stringify([symbol, date]);
    const known = setIndex.get(key);
    if (known !== undefined) return known;
    const rows = candlesOf(symbol, date).map((c) => candleRow(date, c));
    const index = rows.length === 0 ? null : candles.push(rows) - 1;
    setIndex.set(key, index);
    return index;
  };
  const trades = result.trades.map((t) => {
    const set = candleSet(t.symbol, t.date);
    return set === null ? null : tradeChart(t, set, intervalMinutes);
  });
  return { equity: equityPoints(result.trades), daily: dailyPoints(result.days), trades, candles };
}

function candleRow(date: IsoDate, c: Candle): number[] {
  return [
    chartSeconds(istEpochMs(date, c.start)),
    round2(c.open),
    round2(c.high),
    round2(c.low),
    round2(c.close),
  ];
}

function tradeChart(t: Trade, candles: number, intervalMinutes: number): TradeChart {
  return {
    id: t.trade_id,
    symbol: t.symbol,
    candles,
    entry: candleStartOfClose(t.entry_time, intervalMinutes),
    exit: candleStartOfClose(t.exit_time, intervalMinutes),
    entryPrice: t.entry_price,
    exitPrice: t.exit_price,
    reason: t.exit_reason,
    win: t.net_pnl_rupees > 0,
    levels: levelsOf(t),
    range: [Math.min(t.stop_loss, t.target), Math.max(t.stop_loss, t.target)],
  };
}

function levelsOf(t: Trade): Level[] {
  const pivots: Level[] = PIVOT_NAMES.map((name) => ({
    title: name,
    price: t.pivots[name],
    kind: name === "PP" ? "PP" : name[0] === "R" ? "R" : "S",
  }));
  return [...pivots, { title: "SL", price: t.stop_loss, kind: "SL" }];
}

/** Cumulative net and gross P&L at each trade's exit, starting from 0 at the first entry. */
function equityPoints(trades: readonly Trade[]): ReportData["equity"] {
  const sorted = [...trades].sort((a, b) => Date.parse(a.exit_time) - Date.parse(b.exit_time));
  const first = sorted[0];
  if (!first) return [];
  const points = [{ time: chartSeconds(Date.parse(first.entry_time)), net: 0, gross: 0 }];
  let net = 0;
  let gross = 0;
  for (const t of sorted) {
    net += t.net_pnl_rupees;
    gross += t.pnl_rupees;
    const point = { time: chartSeconds(Date.parse(t.exit_time)), net: round2(net), gross: round2(gross) };
    // The chart needs strictly increasing times: a later point at the same time replaces the earlier.
    if ((points[points.length - 1] as { time: number }).time >= point.time) points.pop();
    points.push(point);
  }
  return points;
}

function dailyPoints(days: readonly DayResult[]): ReportData["daily"] {
  return days.map((d) => ({ time: d.date, value: round2(d.net_pnl) }));
}

// ---------------------------------------------------------------------------------------------
// Markup

const MONEY = numberFormatOnUse("en-IN", { style: "currency", currency: "INR" });
const INTEGER = numberFormatOnUse("en-IN");
const NUMBER = numberFormatOnUse("en-IN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function money(x: number): string {
  return MONEY.format(x);
}

function num(x: number): string {
  return NUMBER.format(x);
}

/** CSS class colouring a P&L figure. */
function pnlClass(x: number): string {
  return x > 0 ? "pos" : x < 0 ? "neg" : "";
}

/** `HH:MM` of an ISO timestamp, or the whole text when it is not one. */
function timeOf(iso: string): string {
  return /^\d{4}-\d{2}-\d{2}T(\d{2}:\d{2})/.exec(iso)?.[1] ?? iso;
}

function header(title: string, s: BacktestResult["summary"]): string {
  const period =
    s.from && s.to
      ? `${s.from} → ${s.to} · ${s.days} trading day${s.days === 1 ? "" : "s"} · ${INTEGER.format(s.candles)} candles`
      : "No trading days in this period";
  return `<header>
<h1>${escapeHtml(title)}</h1>
<p class="muted">${escapeHtml(period)}</p>
</header>`;
}

/** A `class` attribute of the non-empty names, or nothing. */
function classAttr(...names: string[]): string {
  const list = names.filter((n) => n !== "").join(" ");
  return list ? ` class="${list}"` : "";
}

function card(label: string, value: string, cls = ""): string {
  return `<div class="card"><div class="label">${escapeHtml(label)}</div><div${classAttr("value", cls)}>${escapeHtml(value)}</div></div>`;
}

function cardGroup(heading: string, cards: string[]): string {
  return `<h2 class="group">${escapeHtml(heading)}</h2>\n<div class="cards">${cards.join("")}</div>`;
}

function summaryCards(s: SummaryFigures): string {
  const results = [
    card("Trades", String(s.total_trades)),
    card("Wins / losses", `${s.wins} / ${s.losses}`),
    card("Win rate", `${s.win_rate.toFixed(1)}%`),
    card("Gross P&L", money(s.gross_pnl), pnlClass(s.gross_pnl)),
    card("Charges", money(s.charges)),
    card("Net P&L", money(s.net_pnl), pnlClass(s.net_pnl)),
    card("Max drawdown", money(s.max_drawdown), s.max_drawdown > 0 ? "neg" : ""),
  ];
  const breakdown = [
    card("Scenario 1", String(s.trades_by_scenario["1"])),
    card("Scenario 2", String(s.trades_by_scenario["2"])),
    card("Scenario 3", String(s.trades_by_scenario["3"])),
    card("First-candle entries", String(s.first_candle_entries)),
    card("Intraday entries", String(s.intraday_entries)),
  ];
  const exits = [
    card("Stop loss", String(s.stop_losses)),
    card("Target", String(s.targets)),
    card("Timeout", String(s.timeouts)),
    card("End of day", String(s.eod_exits)),
    card("Max daily loss", String(s.max_daily_loss_exits)),
  ];
  return `<section>
${cardGroup("Results", results)}
${cardGroup("Entries", breakdown)}
${cardGroup("Exits", exits)}
</section>`;
}

function chartPanel(heading: string, id: string, note: string): string {
  return `<section class="panel">
<h2>${escapeHtml(heading)}</h2>
<p class="muted small">${escapeHtml(note)}</p>
<div class="chart" id="${id}"></div>
</section>`;
}

function emptyPanel(heading: string, message: string): string {
  return `<section class="panel">
<h2>${escapeHtml(heading)}</h2>
<p class="empty">${escapeHtml(message)}</p>
</section>`;
}

function equitySection(hasTrades: boolean): string {
  return hasTrades
    ? chartPanel(
        "Equity curve",
        "equity-chart",
        "Cumulative net P&L (filled) and gross P&L (dashed) at each trade's exit, rupees.",
      )
    : emptyPanel("Equity curve", NO_TRADES);
}

function dailySection(hasDays: boolean): string {
  return hasDays
    ? chartPanel("Daily P&L", "daily-chart", "Net P&L per trading day, rupees.")
    : emptyPanel("Daily P&L", "No trading days in this period");
}

/** The trades table's columns: heading and alignment class ("n" numbers, "c" centred). */
const TABLE_HEADINGS: readonly [string, string][] = [
  ["Trade", ""],
  ["Date", ""],
  ["Symbol", ""],
  ["Scen.", "c"],
  ["First candle", "c"],
  ["Entry", "c"],
  ["Entry price", "n"],
  ["Stop", "n"],
  ["Target", "n"],
  ["Exit", "c"],
  ["Exit price", "n"],
  ["Exit reason", ""],
  ["Candles", "n"],
  ["Qty", "n"],
  ["Gross", "n"],
  ["Charges", "n"],
  ["Net", "n"],
];

function tradesSection(trades: readonly Trade[]): string {
  if (trades.length === 0) return emptyPanel("Trades", NO_TRADES);
  const head = TABLE_HEADINGS.map(([h, cls]) => cell("th", h, cls)).join("");
  const rows = trades.map((t, i) => tradeRow(t, i)).join("\n");
  return `<section class="panel">
<h2>Trades</h2>
<div class="table-wrap"><table>
<thead><tr>${head}</tr></thead>
<tbody>
${rows}
</tbody>
</table></div>
</section>`;
}

function cell(tag: "td" | "th", text: string, ...classes: string[]): string {
  return `<${tag}${classAttr(...classes)}>${escapeHtml(text)}</${tag}>`;
}

function td(text: string, ...classes: string[]): string {
  return cell("td", text, ...classes);
}

function tradeAnchor(index: number): string {
  return `trade-${index + 1}`;
}

function tradeRow(t: Trade, index: number): string {
  return `<tr>${[
    `<td><a href="#${tradeAnchor(index)}">${escapeHtml(t.trade_id)}</a></td>`,
    td(t.date),
    td(t.symbol),
    td(String(t.scenario), "c"),
    td(t.first_candle_entry ? "yes" : "no", "c"),
    td(timeOf(t.entry_time), "c"),
    td(num(t.entry_price), "n"),
    td(num(t.stop_loss), "n"),
    td(num(t.target), "n"),
    td(timeOf(t.exit_time), "c"),
    td(num(t.exit_price), "n"),
    td(t.exit_reason),
    td(String(t.candles_held), "n"),
    td(String(t.quantity), "n"),
    td(num(t.pnl_rupees), "n", pnlClass(t.pnl_rupees)),
    td(num(t.charges), "n"),
    td(num(t.net_pnl_rupees), "n", pnlClass(t.net_pnl_rupees)),
  ].join("")}</tr>`;
}

function tradeChartsSection(trades: readonly Trade[], charts: readonly (TradeChart | null)[]): string {
  if (trades.length === 0) return "";
  const sections = trades.map((t, i) => tradeFigure(t, i, charts[i] !== null)).join("\n");
  return `<section>
<h2 class="group">Trade charts</h2>
<p class="muted small">Each trade's contract on its day, with the previous day's pivot levels and the stop loss. Charts are drawn as they scroll into view; times are IST.</p>
<div class="trades">
${sections}
</div>
</section>`;
}

function tradeFigure(t: Trade, index: number, hasCandles: boolean): string {
  const scenario = `Scenario ${t.scenario}${t.first_candle_entry ? " · first candle" : ""}`;
  const path = `Entry ${num(t.entry_price)} at ${timeOf(t.entry_time)} → exit ${num(t.exit_price)} at ${timeOf(t.exit_time)} (${t.exit_reason}, ${t.candles_held} candles)`;
  const chart = hasCandles
    ? `<div class="chart trade-chart" data-trade="${index}"></div>`
    : `<p class="empty">No candles for this contract on this day</p>`;
  return `<article class="trade" id="${tradeAnchor(index)}">
<div class="trade-head"><strong>${escapeHtml(t.trade_id)}</strong><span class="sym">${escapeHtml(t.symbol)}</span><span${classAttr("net", pnlClass(t.net_pnl_rupees))}>${escapeHtml(money(t.net_pnl_rupees))}</span></div>
<p class="muted small">${escapeHtml(`${t.date} · ${scenario}`)}<br>${escapeHtml(path)}</p>
${chart}
<p class="muted small levels">${escapeHtml(levelsText(t.pivots))}</p>
</article>`;
}

/** The pivot levels as one line of text: some lie off the chart's price range. */
function levelsText(p: PivotLevels): string {
  return PIVOT_NAMES.map((name) => `${name} ${num(p[name])}`).join(" · ");
}

function footer(generatedAt: string | undefined): string {
  const generated = generatedAt ? `Generated ${escapeHtml(generatedAt)}. ` : "";
  return `<footer class="muted small">${generated}Charts by TradingView Lightweight Charts™, Copyright (c) TradingView, Inc., Apache License 2.0.</footer>`;
}

function page(title: string, body: string, data: ReportData): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${reportStyle()}</style>
</head>
<body>
<main>
${body}
</main>
<script type="application/json" id="${REPORT_DATA_ID}">${jsonForScript(data)}</script>
<script>${libraryCode()}</script>
<script>${chartLabelsScript()}</script>
<script>${reportPageScript()}</script>
</body>
</html>
`;
}

/** The Lightweight Charts standalone build, read once; `</script` cannot occur in it unescaped. */
function libraryCode(): string {
  if (libraryCache === undefined) {
    const file = join(dirname(createRequire(import.meta.url).resolve(LIBRARY_PACKAGE)), LIBRARY_FILE);
    libraryCache = readFileSync(file, "utf8").replace(/<\/script/gi, "<\\/script");
  }
  return libraryCache;
}
