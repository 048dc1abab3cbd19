/*
 * The candlestick chart of the selected contract: its candles, its pivot levels as price
 * lines, the position's stop and target, and entry/exit markers of its trades. The library is
 * lightweight-charts' standalone build, loaded by its own script tag (global LightweightCharts).
 */

import type * as Lwc from "lightweight-charts";
import type { Candle } from "../../../domain/candle.js";
import type { PivotLevels } from "../../../domain/pivots.js";
import type { StoredTrade } from "../../../domain/trade.js";
import type { StatusSnapshot } from "../../../ports/app.js";
import { type ChartLabelSpec, type ChartLabels, chartLabels, type LabelledChart } from "./chart-labels.js";
import { candleStartAtClose, chartTimeLabel, chartTimeOf, visiblePriceRange } from "./chart-time.js";
import { EXIT_REASON_LABELS, formatPrice, labelOf } from "./format.js";

declare global {
  interface Window {
    LightweightCharts?: typeof Lwc;
  }
}

const UP = "#16a34a";
const ENTRY = "#2563eb";
const DOWN = "#dc2626";
const LEVEL_NAMES: readonly (keyof PivotLevels)[] = ["R5", "R4", "R3", "R2", "R1", "PP", "S1", "S2", "S3"];
const LEVEL_COLORS = { PP: "#7c3aed", R: "#c2410c", S: "#0e7490" };

/** What the chart shows: one contract of the day. */
export interface ChartSubject {
  symbol: string;
  date: string;
  candles: Candle[];
  pivots: PivotLevels | null;
  trades: StoredTrade[];
  position: StatusSnapshot["position"];
}

export class ContractChart {
  private readonly chart: Lwc.IChartApi;
  private readonly series: Lwc.ISeriesApi<"Candlestick">;
  private readonly markers: Lwc.ISeriesMarkersPluginApi<Lwc.Time>;
  private priceLines: Lwc.IPriceLine[] = [];
  private subject: ChartSubject | null = null;
  /** The levels' and markers' texts, drawn clear of the axis, the candles and each other. */
  private readonly labels: ChartLabels;
  private levelLabels: ChartLabelSpec["levels"] = [];
  private markerLabels: ChartLabelSpec["markers"] = [];

  constructor(container: HTMLElement, lib: typeof Lwc) {
    this.chart = lib.createChart(container, {
      autoSize: true,
      layout: {
        background: { type: lib.ColorType.Solid, color: "#ffffff" },
        textColor: "#334155",
        fontFamily: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
        // The logo injects a <style> element, which the page's CSP refuses; the footer credits the library.
        attributionLogo: false,
      },
      grid: { vertLines: { color: "#f1f5f9" }, horzLines: { color: "#f1f5f9" } },
      rightPriceScale: { borderColor: "#e2e8f0", scaleMargins: { top: 0.08, bottom: 0.08 } },
      timeScale: {
        borderColor: "#e2e8f0",
        timeVisible: true,
        secondsVisible: false,
        // Room after the last candle: its time label is not cut by the price axis.
        rightOffset: 3,
        tickMarkFormatter: (time: Lwc.Time) => chartTimeLabel(time as number),
      },
      localization: { timeFormatter: (time: Lwc.Time) => chartTimeLabel(time as number) },
      handleScroll: { mouseWheel: false, pressedMouseMove: true, horzTouchDrag: true, vertTouchDrag: false },
      handleScale: { mouseWheel: true, pinch: true },
    });
    this.series = this.chart.addSeries(lib.CandlestickSeries, {
      upColor: UP,
      downColor: DOWN,
      borderVisible: false,
      wickUpColor: UP,
      wickDownColor: DOWN,
      priceLineVisible: false,
      autoscaleInfoProvider: () => {
        const range = this.subject
          ? visiblePriceRange(this.subject.candles, this.levels(), this.always())
          : null;
        return range ? { priceRange: range } : null;
      },
    });
    this.markers = lib.createSeriesMarkers(this.series, []);
    // The library's Time is a branded number (or a date); the labels' times are chart seconds.
    this.labels = chartLabels(this.chart as unknown as LabelledChart, this.series, container);
  }

  /** Shows a contract (its candles replace the previous contract's). */
  show(subject: ChartSubject): void {
    this.subject = { ...subject, candles: [...subject.candles] };
    this.series.setData(this.subject.candles.map((c) => this.bar(c)));
    this.drawLines();
    this.drawMarkers();
    // A bar of room before the first candle and a few after the last: their time labels are
    // not cut by the chart's edge or the price axis.
    const bars = this.subject.candles.length;
    if (bars > 0) this.chart.timeScale().setVisibleLogicalRange({ from: -1, to: bars + 2 });
    else this.chart.timeScale().fitContent();
    this.drawLabels();
  }

  /** Updates the trades and position (markers and stop/target lines) without reloading candles. */
  refresh(trades: StoredTrade[], position: StatusSnapshot["position"]): void {
    if (!this.subject) return;
    this.subject.trades = trades;
    this.subject.position = position;
    this.drawLines();
    this.drawMarkers();
    this.drawLabels();
  }

  /** A new or updated candle of the shown contract. */
  update(candle: Candle): void {
    const s = this.subject;
    if (!s) return;
    const last = s.candles[s.candles.length - 1];
    if (last && candle.start < last.start) return; // older than the chart: the next full load has it
    if (last && last.start === candle.start) s.candles[s.candles.length - 1] = candle;
    else s.candles.push(candle);
    this.series.update(this.bar(candle));
    this.drawMarkers();
    this.drawLabels();
  }

  /** The shown contract's symbol. */
  get symbol(): string | null {
    return this.subject?.symbol ?? null;
  }

  private bar(c: Candle): Lwc.CandlestickData<Lwc.Time> {
    return {
      time: chartTimeOf((this.subject as ChartSubject).date, c.start) as Lwc.UTCTimestamp,
      open: c.open,
      high: c.high,
      low: c.low,
      close: c.close,
    };
  }

  private levels(): number[] {
    const p = this.subject?.pivots;
    return p ? LEVEL_NAMES.map((k) => p[k]) : [];
  }

  private always(): number[] {
    const p = this.subject?.position;
    return p && p.symbol === this.subject?.symbol ? [p.stopLoss, p.target] : [];
  }

  private drawLines(): void {
    for (const line of this.priceLines) this.series.removePriceLine(line);
    this.priceLines = [];
    const levels: ChartLabelSpec["levels"] = [];
    this.levelLabels = levels;
    const s = this.subject;
    if (!s) return;
    const p = s.pivots;
    if (p) {
      for (const name of LEVEL_NAMES) {
        const kind = name === "PP" ? "PP" : name[0] === "R" ? "R" : "S";
        this.priceLines.push(
          this.series.createPriceLine({
            price: p[name],
            color: LEVEL_COLORS[kind],
            lineWidth: 1,
            lineStyle: name === "PP" ? 0 : 2,
            axisLabelVisible: false,
          }),
        );
        levels.push({ text: `${name} ${formatPrice(p[name])}`, price: p[name], color: LEVEL_COLORS[kind] });
      }
    }
    const pos = s.position;
    if (pos && pos.symbol === s.symbol) {
      this.priceLines.push(
        this.series.createPriceLine({
          price: pos.stopLoss,
          color: DOWN,
          lineWidth: 2,
          lineStyle: 1,
          axisLabelVisible: false,
        }),
        this.series.createPriceLine({
          price: pos.target,
          color: UP,
          lineWidth: 2,
          lineStyle: 1,
          axisLabelVisible: false,
        }),
      );
      levels.push(
        { text: `Stop ${formatPrice(pos.stopLoss)}`, price: pos.stopLoss, color: DOWN },
        { text: `Target ${formatPrice(pos.target)}`, price: pos.target, color: UP },
      );
    }
  }

  private drawMarkers(): void {
    const s = this.subject;
    if (!s) return;
    const markers: Lwc.SeriesMarker<Lwc.Time>[] = [];
    const texts: ChartLabelSpec["markers"] = [];
    for (const t of s.trades) {
      if (t.symbol !== s.symbol) continue;
      const entry = candleStartAtClose(s.candles, t.entry_time);
      if (entry !== null) {
        const time = chartTimeOf(s.date, entry);
        markers.push({
          time: time as Lwc.UTCTimestamp,
          position: "belowBar",
          shape: "arrowUp",
          color: ENTRY,
        });
        texts.push({ text: `Entry ${formatPrice(t.entry_price)}`, time, side: "below", color: ENTRY });
      }
      if (t.status === "CLOSED") {
        const exit = candleStartAtClose(s.candles, t.exit_time);
        if (exit !== null) {
          const time = chartTimeOf(s.date, exit);
          const color = t.pnl_rupees >= 0 ? UP : DOWN;
          markers.push({ time: time as Lwc.UTCTimestamp, position: "aboveBar", shape: "arrowDown", color });
          texts.push({
            text: `${labelOf(EXIT_REASON_LABELS, t.exit_reason)} ${formatPrice(t.exit_price)}`,
            time,
            side: "above",
            color,
          });
        }
      }
    }
    markers.sort((a, b) => (a.time as number) - (b.time as number));
    this.markers.setMarkers(markers);
    this.markerLabels = texts;
  }

  private drawLabels(): void {
    const s = this.subject;
    this.labels.set({
      levels: this.levelLabels,
      markers: this.markerLabels,
      bars: s ? s.candles.map((c) => ({ time: chartTimeOf(s.date, c.start), high: c.high, low: c.low })) : [],
    });
  }
}
