/**
 * `pivot backtest --report FILE.html`: one self-contained HTML page (no network, no external
 * script, style or font) with the summary figures, the equity curve, the daily P&L, the trades
 * table and a candlestick chart per trade. Charts are drawn by TradingView Lightweight Charts,
 * inlined from node_modules; the data travels as JSON in a `<script type="application/json">`.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Candle } from "../domain/candle.js";
import { IST_OFFSET_MINUTES, type IsoDate, istEpochMs } from "../domain/ist.js";
import type { PivotLevels } from "../domain/pivots.js";
import { metricsSection } from "../lab/report-metrics.js";
import type { Trade } from "../strategy/types.js";
import { chartLabelsScript } from "./report-scripts.js";
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

/** Kind of a horizontal line on a trade chart: pivot point, resistance, support or the stop loss. */
type LevelKind = "PP" | "R" | "S" | "SL";

/** A horizontal price line of a trade chart. */
interface Level {
  title: string;
  price: number;
  kind: LevelKind;
}

/** What the page script needs to draw one trade's chart. Times are chart seconds (see {@link chartSeconds}). */
interface TradeChart {
  id: string;
  symbol: string;
  /** Index into {@link ReportData.candles}: trades of the same contract and day share one candle set. */
  candles: number;
  /** Start of the entry candle and of the exit candle. */
  entry: number;
  exit: number;
  entryPrice: number;
  exitPrice: number;
  reason: string;
  win: boolean;
  levels: Level[];
  /** Prices the price scale must always show (stop loss and target). */
  range: [number, number];
}

/** The JSON embedded in the page. */
interface ReportData {
  equity: { time: number; net: number; gross: number }[];
  daily: { time: IsoDate; value: number }[];
  /** One per trade, in table order; null when the lookup had no candles for it. */
  trades: (TradeChart | null)[];
  /** Candle sets as `[time, open, high, low, close]` rows. */
  candles: number[][][];
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

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] as string);
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

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

const MONEY = new Intl.NumberFormat("en-IN", { style: "currency", currency: "INR" });
const INTEGER = new Intl.NumberFormat("en-IN");
const NUMBER = new Intl.NumberFormat("en-IN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

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
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script>${libraryCode()}</script>
<script>${chartLabelsScript()}</script>
<script>${CLIENT}</script>
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

const STYLE = `
:root{--bg:#f5f6f8;--card:#fff;--text:#1f2937;--muted:#6b7280;--line:#e5e7eb;--pos:#15803d;--neg:#b91c1c;--accent:#2563eb}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:1320px;margin:0 auto;padding:24px 16px 48px}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:16px;margin:0 0 4px}
h2.group{margin:24px 0 8px;font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted)}
.muted{color:var(--muted)}
.small{font-size:12px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:10px 12px}
.card .label{font-size:12px;color:var(--muted)}
.card .value{font-size:20px;font-weight:600;font-variant-numeric:tabular-nums}
.pos{color:var(--pos)}
.neg{color:var(--neg)}
.panel{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px;margin-top:20px}
.panel p{margin:0 0 8px}
.chart{position:relative;height:300px;width:100%}
.empty{color:var(--muted);text-align:center;padding:24px 0}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:12px;font-variant-numeric:tabular-nums;white-space:nowrap}
th,td{padding:6px 5px;border-bottom:1px solid var(--line);text-align:left}
th{font-weight:600;color:var(--muted);font-size:12px;background:#fafafa;white-space:normal;vertical-align:bottom;line-height:1.25}
.n{text-align:right}
.c{text-align:center}
tbody tr:hover{background:#f8fafc}
a{color:var(--accent);text-decoration:none}
a:hover{text-decoration:underline}
.trades{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,520px),1fr));gap:16px}
.trade{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px;scroll-margin-top:12px}
.trade p{margin:2px 0 8px}
.trade p.levels{margin:8px 0 0}
.trade-head{display:flex;flex-wrap:wrap;gap:4px 10px;align-items:baseline}
.trade-head .sym{color:var(--muted);overflow-wrap:anywhere}
.trade-head .net{margin-left:auto;font-weight:600;font-variant-numeric:tabular-nums}
.trade-chart{height:320px}
footer{margin-top:32px;text-align:center}
@media (max-width:600px){main{padding:16px 10px 32px}.chart{height:240px}.trade-chart{height:280px}.card .value{font-size:17px}}
`;

/** The page script: plain ES5-style JavaScript, run in the browser. */
const CLIENT = `
(function () {
  "use strict";
  var LWC = window.LightweightCharts;
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var POS = "#15803d", NEG = "#b91c1c", FLAT = "#9ca3af";
  var LEVEL_STYLE = {
    PP: { color: "#7c3aed", lineStyle: 0 },
    R: { color: "#c2410c", lineStyle: 2 },
    S: { color: "#0e7490", lineStyle: 2 },
    SL: { color: "#b91c1c", lineStyle: 1 }
  };

  function chartOptions(timeVisible, attribution) {
    return {
      autoSize: true,
      layout: {
        background: { type: "solid", color: "#ffffff" },
        textColor: "#374151",
        fontSize: 11,
        fontFamily: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
        attributionLogo: attribution
      },
      grid: { vertLines: { color: "#f1f3f5" }, horzLines: { color: "#f1f3f5" } },
      rightPriceScale: { borderColor: "#e5e7eb", scaleMargins: { top: 0.1, bottom: 0.08 } },
      // rightOffset: room after the last bar, so its time label is not cut by the price axis.
      timeScale: { borderColor: "#e5e7eb", timeVisible: timeVisible, secondsVisible: false, lockVisibleTimeRangeOnResize: true, rightOffset: 2 },
      handleScroll: { mouseWheel: false, pressedMouseMove: true, horzTouchDrag: true, vertTouchDrag: false },
      handleScale: { mouseWheel: false }
    };
  }

  // Room before the first bar and after the last: their time labels are not cut at the edges.
  function fitWithMargins(chart, bars) {
    if (bars > 0) chart.timeScale().setVisibleLogicalRange({ from: -1, to: bars + 1 });
    else chart.timeScale().fitContent();
  }

  // STOP_LOSS → "Stop loss", EOD → "End of day", as the dashboard says them.
  function reasonText(reason) {
    if (reason === "EOD") return "End of day";
    var words = reason.toLowerCase().replace(/_/g, " ");
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  function fail(el, message) {
    el.className = "empty";
    el.textContent = message;
  }

  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function dayLabel(d) { return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()]; }
  function clockLabel(d) { return two(d.getUTCHours()) + ":" + two(d.getUTCMinutes()); }

  // One kind of label on the time axis: dates when the curve spans days, else clock times
  // (the library's default mixes day numbers and clock times). Chart times are IST read as UTC.
  function equityTimeAxis(points) {
    var first = points.length ? points[0].time : 0;
    var last = points.length ? points[points.length - 1].time : 0;
    var days = Math.floor(last / 86400) !== Math.floor(first / 86400);
    return {
      tickMarkFormatter: function (t) { var d = new Date(t * 1000); return days ? dayLabel(d) : clockLabel(d); },
      timeFormatter: function (t) { var d = new Date(t * 1000); return dayLabel(d) + " " + clockLabel(d); }
    };
  }

  function equityChart(el) {
    var options = chartOptions(true, true);
    var axis = equityTimeAxis(data.equity);
    options.timeScale.tickMarkFormatter = axis.tickMarkFormatter;
    options.localization = { timeFormatter: axis.timeFormatter };
    var chart = LWC.createChart(el, options);
    var net = chart.addSeries(LWC.BaselineSeries, {
      baseValue: { type: "price", price: 0 },
      topLineColor: POS, topFillColor1: "rgba(21,128,61,0.25)", topFillColor2: "rgba(21,128,61,0.03)",
      bottomLineColor: NEG, bottomFillColor1: "rgba(185,28,28,0.03)", bottomFillColor2: "rgba(185,28,28,0.25)",
      lineWidth: 2, title: "Net", priceLineVisible: false
    });
    net.setData(data.equity.map(function (p) { return { time: p.time, value: p.net }; }));
    var gross = chart.addSeries(LWC.LineSeries, { color: "#64748b", lineWidth: 1, lineStyle: 2, title: "Gross", priceLineVisible: false });
    gross.setData(data.equity.map(function (p) { return { time: p.time, value: p.gross }; }));
    fitWithMargins(chart, data.equity.length);
  }

  // A business day as the library hands it back ("2025-09-05", {year, month, day} or seconds).
  function dateOfDay(t) {
    if (typeof t === "string") return new Date(t + "T00:00:00Z");
    if (typeof t === "number") return new Date(t * 1000);
    return new Date(Date.UTC(t.year, t.month - 1, t.day));
  }

  function dailyChart(el) {
    var options = chartOptions(false, true);
    // Every tick a date ("5 Sep"), not a year beside day numbers.
    options.timeScale.tickMarkFormatter = function (t) { return dayLabel(dateOfDay(t)); };
    var chart = LWC.createChart(el, options);
    var bars = chart.addSeries(LWC.HistogramSeries, { priceLineVisible: false });
    bars.setData(data.daily.map(function (d) {
      return { time: d.time, value: d.value, color: d.value > 0 ? POS : d.value < 0 ? NEG : FLAT };
    }));
    chart.timeScale().fitContent();
  }

  // The price scale spans the visible candles, the stop loss and the target; pivot lines far
  // from the day's prices would otherwise squash the candles (their levels are listed as text).
  function visibleRange(chart, candles, range) {
    var logical = chart.timeScale().getVisibleLogicalRange();
    var from = logical ? Math.max(0, Math.floor(logical.from)) : 0;
    var to = logical ? Math.min(candles.length - 1, Math.ceil(logical.to)) : candles.length - 1;
    var low = range[0], high = range[1];
    for (var i = from; i <= to; i++) {
      low = Math.min(low, candles[i][3]);
      high = Math.max(high, candles[i][2]);
    }
    return { priceRange: { minValue: low, maxValue: high } };
  }

  function tradeChart(el, t) {
    el.setAttribute("role", "img");
    el.setAttribute("aria-label", "Candles of " + t.symbol + " for trade " + t.id);
    var candles = data.candles[t.candles];
    var chart = LWC.createChart(el, chartOptions(true, false));
    var series = chart.addSeries(LWC.CandlestickSeries, {
      upColor: "#16a34a", downColor: "#dc2626", borderVisible: false,
      wickUpColor: "#16a34a", wickDownColor: "#dc2626", priceLineVisible: false, lastValueVisible: false,
      autoscaleInfoProvider: function () { return visibleRange(chart, candles, t.range); }
    });
    series.setData(candles.map(function (c) {
      return { time: c[0], open: c[1], high: c[2], low: c[3], close: c[4] };
    }));
    // Lines without the library's labels: they would cover the price axis's numbers and the
    // candles; the dashboard's chart labels place them clear of both (PivotChartLabels).
    t.levels.forEach(function (l) {
      var style = LEVEL_STYLE[l.kind];
      series.createPriceLine({
        price: l.price, color: style.color, lineStyle: style.lineStyle, lineWidth: 1, axisLabelVisible: false
      });
    });
    var exitColor = t.win ? POS : NEG;
    LWC.createSeriesMarkers(series, [
      { time: t.entry, position: "belowBar", shape: "arrowUp", color: "#2563eb" },
      { time: t.exit, position: "aboveBar", shape: "arrowDown", color: exitColor }
    ]);
    fitWithMargins(chart, candles.length);
    if (!window.PivotChartLabels) return;
    window.PivotChartLabels.chartLabels(chart, series, el).set({
      levels: t.levels.map(function (l) {
        return { text: l.title + " " + l.price.toFixed(2), price: l.price, color: LEVEL_STYLE[l.kind].color };
      }),
      markers: [
        { text: "Entry " + t.entryPrice.toFixed(2), time: t.entry, side: "below", color: "#2563eb" },
        { text: reasonText(t.reason) + " " + t.exitPrice.toFixed(2), time: t.exit, side: "above", color: exitColor }
      ],
      bars: candles.map(function (c) { return { time: c[0], high: c[2], low: c[3] }; })
    });
  }

  function draw(el, render) {
    try { render(); } catch (e) { fail(el, "Chart failed: " + (e && e.message ? e.message : e)); }
  }

  function drawTrade(el) {
    var t = data.trades[Number(el.getAttribute("data-trade"))];
    draw(el, function () { tradeChart(el, t); });
  }

  var charts = document.querySelectorAll(".chart");
  if (!LWC) {
    charts.forEach(function (el) { fail(el, "The chart library did not load."); });
    return;
  }
  var equity = document.getElementById("equity-chart");
  if (equity) draw(equity, function () { equityChart(equity); });
  var daily = document.getElementById("daily-chart");
  if (daily) draw(daily, function () { dailyChart(daily); });

  var pending = document.querySelectorAll("[data-trade]");
  if (!("IntersectionObserver" in window)) {
    pending.forEach(drawTrade);
    return;
  }
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) return;
      observer.unobserve(entry.target);
      drawTrade(entry.target);
    });
  }, { rootMargin: "400px 0px" });
  pending.forEach(function (el) { observer.observe(el); });
})();
`;
