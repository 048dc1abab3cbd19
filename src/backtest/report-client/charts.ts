/*
 * The backtest report's charts, drawn with lightweight-charts' standalone build (inlined in the
 * page as the global LightweightCharts): the equity curve, the daily P&L and each trade's
 * candles with its pivot levels, stop loss and entry/exit markers. Chart times are the IST wall
 * clock read as UTC (report.ts `chartSeconds`).
 */

import type * as Lwc from "lightweight-charts";
import type * as ChartLabelsModule from "../../web/dashboard/client/chart-labels.js";
import type { LevelKind, ReportData, TradeChart } from "../report-data.js";

declare global {
  interface Window {
    LightweightCharts?: typeof Lwc;
    /** The dashboard's chart labels (dist/web/chart-labels.js), inlined before this script. */
    PivotChartLabels?: typeof ChartLabelsModule;
  }
}

const POS = "#15803d";
const NEG = "#b91c1c";
const FLAT = "#9ca3af";
const LEVEL_STYLE: Record<LevelKind, { color: string; lineStyle: Lwc.LineStyle }> = {
  PP: { color: "#7c3aed", lineStyle: 0 },
  R: { color: "#c2410c", lineStyle: 2 },
  S: { color: "#0e7490", lineStyle: 2 },
  SL: { color: "#b91c1c", lineStyle: 1 },
};

type ChartOptions = Lwc.DeepPartial<Lwc.TimeChartOptions> & {
  timeScale: Lwc.DeepPartial<Lwc.HorzScaleOptions>;
};

function chartOptions(timeVisible: boolean, attribution: boolean): ChartOptions {
  return {
    autoSize: true,
    layout: {
      background: { type: "solid" as Lwc.ColorType.Solid, color: "#ffffff" },
      textColor: "#374151",
      fontSize: 11,
      fontFamily: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
      attributionLogo: attribution,
    },
    grid: { vertLines: { color: "#f1f3f5" }, horzLines: { color: "#f1f3f5" } },
    rightPriceScale: { borderColor: "#e5e7eb", scaleMargins: { top: 0.1, bottom: 0.08 } },
    // rightOffset: room after the last bar, so its time label is not cut by the price axis.
    timeScale: {
      borderColor: "#e5e7eb",
      timeVisible,
      secondsVisible: false,
      lockVisibleTimeRangeOnResize: true,
      rightOffset: 2,
    },
    handleScroll: { mouseWheel: false, pressedMouseMove: true, horzTouchDrag: true, vertTouchDrag: false },
    handleScale: { mouseWheel: false },
  };
}

/** Room before the first bar and after the last: their time labels are not cut at the edges. */
function fitWithMargins(chart: Lwc.IChartApi, bars: number): void {
  if (bars > 0) chart.timeScale().setVisibleLogicalRange({ from: -1, to: bars + 1 });
  else chart.timeScale().fitContent();
}

/** STOP_LOSS → "Stop loss", EOD → "End of day", as the dashboard says them. */
function reasonText(reason: string): string {
  if (reason === "EOD") return "End of day";
  const words = reason.toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
function two(n: number): string {
  return (n < 10 ? "0" : "") + n;
}
function dayLabel(d: Date): string {
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
}
function clockLabel(d: Date): string {
  return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
}

/** A chart time as a date: a business day as the library hands it back ("2025-09-05", {year, month, day} or seconds). */
function dateOfTime(t: Lwc.Time): Date {
  if (typeof t === "string") return new Date(`${t}T00:00:00Z`);
  if (typeof t === "number") return new Date(t * 1000);
  return new Date(Date.UTC(t.year, t.month - 1, t.day));
}

/**
 * One kind of label on the time axis: dates when the curve spans days, else clock times (the
 * library's default mixes day numbers and clock times). Chart times are IST read as UTC.
 */
function equityTimeAxis(points: ReportData["equity"]) {
  const first = points.length ? (points[0] as { time: number }).time : 0;
  const last = points.length ? (points[points.length - 1] as { time: number }).time : 0;
  const days = Math.floor(last / 86400) !== Math.floor(first / 86400);
  return {
    tickMarkFormatter: (t: Lwc.Time) => {
      const d = dateOfTime(t);
      return days ? dayLabel(d) : clockLabel(d);
    },
    timeFormatter: (t: Lwc.Time) => {
      const d = dateOfTime(t);
      return `${dayLabel(d)} ${clockLabel(d)}`;
    },
  };
}

const seconds = (t: number) => t as Lwc.UTCTimestamp;

export function equityChart(lwc: typeof Lwc, el: HTMLElement, data: ReportData): void {
  const options = chartOptions(true, true);
  const axis = equityTimeAxis(data.equity);
  options.timeScale.tickMarkFormatter = axis.tickMarkFormatter;
  options.localization = { timeFormatter: axis.timeFormatter };
  const chart = lwc.createChart(el, options);
  const net = chart.addSeries(lwc.BaselineSeries, {
    baseValue: { type: "price", price: 0 },
    topLineColor: POS,
    topFillColor1: "rgba(21,128,61,0.25)",
    topFillColor2: "rgba(21,128,61,0.03)",
    bottomLineColor: NEG,
    bottomFillColor1: "rgba(185,28,28,0.03)",
    bottomFillColor2: "rgba(185,28,28,0.25)",
    lineWidth: 2,
    title: "Net",
    priceLineVisible: false,
  });
  net.setData(data.equity.map((p) => ({ time: seconds(p.time), value: p.net })));
  const gross = chart.addSeries(lwc.LineSeries, {
    color: "#64748b",
    lineWidth: 1,
    lineStyle: 2,
    title: "Gross",
    priceLineVisible: false,
  });
  gross.setData(data.equity.map((p) => ({ time: seconds(p.time), value: p.gross })));
  fitWithMargins(chart, data.equity.length);
}

export function dailyChart(lwc: typeof Lwc, el: HTMLElement, data: ReportData): void {
  const options = chartOptions(false, true);
  // Every tick a date ("5 Sep"), not a year beside day numbers.
  options.timeScale.tickMarkFormatter = (t: Lwc.Time) => dayLabel(dateOfTime(t));
  const chart = lwc.createChart(el, options);
  const bars = chart.addSeries(lwc.HistogramSeries, { priceLineVisible: false });
  bars.setData(
    data.daily.map((d) => ({
      time: d.time,
      value: d.value,
      color: d.value > 0 ? POS : d.value < 0 ? NEG : FLAT,
    })),
  );
  chart.timeScale().fitContent();
}

/**
 * The price scale spans the visible candles, the stop loss and the target; pivot lines far from
 * the day's prices would otherwise squash the candles (their levels are listed as text).
 */
function visibleRange(chart: Lwc.IChartApi, candles: number[][], range: [number, number]): Lwc.AutoscaleInfo {
  const logical = chart.timeScale().getVisibleLogicalRange();
  const from = logical ? Math.max(0, Math.floor(logical.from)) : 0;
  const to = logical ? Math.min(candles.length - 1, Math.ceil(logical.to)) : candles.length - 1;
  let [low, high] = range;
  for (let i = from; i <= to; i++) {
    const c = candles[i] as number[];
    low = Math.min(low, c[3] as number);
    high = Math.max(high, c[2] as number);
  }
  return { priceRange: { minValue: low, maxValue: high } };
}

export function tradeChart(lwc: typeof Lwc, el: HTMLElement, t: TradeChart, data: ReportData): void {
  el.setAttribute("role", "img");
  el.setAttribute("aria-label", `Candles of ${t.symbol} for trade ${t.id}`);
  const candles = data.candles[t.candles] as number[][];
  const chart = lwc.createChart(el, chartOptions(true, false));
  const series = chart.addSeries(lwc.CandlestickSeries, {
    upColor: "#16a34a",
    downColor: "#dc2626",
    borderVisible: false,
    wickUpColor: "#16a34a",
    wickDownColor: "#dc2626",
    priceLineVisible: false,
    lastValueVisible: false,
    autoscaleInfoProvider: () => visibleRange(chart, candles, t.range),
  });
  series.setData(
    candles.map((c) => ({
      time: seconds(c[0] as number),
      open: c[1] as number,
      high: c[2] as number,
      low: c[3] as number,
      close: c[4] as number,
    })),
  );
  // Lines without the library's labels: they would cover the price axis's numbers and the
  // candles; the dashboard's chart labels place them clear of both (PivotChartLabels).
  for (const l of t.levels) {
    const style = LEVEL_STYLE[l.kind];
    series.createPriceLine({
      price: l.price,
      color: style.color,
      lineStyle: style.lineStyle,
      lineWidth: 1,
      axisLabelVisible: false,
    });
  }
  const exitColor = t.win ? POS : NEG;
  lwc.createSeriesMarkers(series, [
    { time: seconds(t.entry), position: "belowBar", shape: "arrowUp", color: "#2563eb" },
    { time: seconds(t.exit), position: "aboveBar", shape: "arrowDown", color: exitColor },
  ]);
  fitWithMargins(chart, candles.length);
  const labels = window.PivotChartLabels;
  if (!labels) return;
  // The library's Time is a branded number (or a date); the labels' times are chart seconds.
  labels.chartLabels(chart as unknown as ChartLabelsModule.LabelledChart, series, el).set({
    levels: t.levels.map((l) => ({
      text: `${l.title} ${l.price.toFixed(2)}`,
      price: l.price,
      color: LEVEL_STYLE[l.kind].color,
    })),
    markers: [
      { text: `Entry ${t.entryPrice.toFixed(2)}`, time: t.entry, side: "below", color: "#2563eb" },
      {
        text: `${reasonText(t.reason)} ${t.exitPrice.toFixed(2)}`,
        time: t.exit,
        side: "above",
        color: exitColor,
      },
    ],
    bars: candles.map((c) => ({ time: c[0] as number, high: c[2] as number, low: c[3] as number })),
  });
}
