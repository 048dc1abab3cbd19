/*
 * Labels over a candlestick chart of lightweight-charts: the pivot levels (and stop, target)
 * and the entry/exit texts, drawn as small boxes in an overlay instead of by the library,
 * which puts level badges over the price axis's numbers and marker texts on the candles.
 * Here: level labels in a column at the pane's right edge, left of the axis, spread apart when
 * levels are close; marker texts beside their arrow, above or below the candles they span,
 * kept inside the pane (a phone's left edge included) and off each other and the level column.
 *
 * Used by the dashboard (bundled) and by the backtest report, which inlines the function's
 * source (`chartLabels.toString()`): it must stay self-contained, with no reference to
 * anything outside its body.
 */

/** What chartLabels needs of the chart (lightweight-charts' IChartApi). */
export interface LabelledChart {
  paneSize(): { width: number; height: number };
  timeScale(): {
    timeToCoordinate(time: number): number | null;
    subscribeVisibleLogicalRangeChange(handler: () => void): void;
  };
}

/** What chartLabels needs of the candlestick series. */
export interface LabelledSeries {
  priceToCoordinate(price: number): number | null;
}

export interface ChartLabelSpec {
  /** Horizontal levels: "R1 373.40" at the right edge. */
  levels: { text: string; price: number; color: string }[];
  /** Texts of markers: `side` is where the library draws the marker's arrow. */
  markers: { text: string; time: number; side: "above" | "below"; color: string }[];
  /** The candles, to keep marker texts off them. */
  bars: { time: number; high: number; low: number }[];
}

export interface ChartLabels {
  set(spec: ChartLabelSpec): void;
  /** Redraws at the next frame (after the chart has drawn). */
  redraw(): void;
}

export function chartLabels(
  chart: LabelledChart,
  series: LabelledSeries,
  container: HTMLElement,
): ChartLabels {
  const GAP = 2;
  /** Room for a marker's arrow between the candle and its text. */
  const ARROW = 16;
  let spec: ChartLabelSpec = { levels: [], markers: [], bars: [] };
  let pending = false;
  if (getComputedStyle(container).position === "static") container.style.position = "relative";
  const overlay = document.createElement("div");
  overlay.className = "chart-labels";
  Object.assign(overlay.style, {
    position: "absolute",
    left: "0",
    top: "0",
    pointerEvents: "none",
    zIndex: "3",
  });
  container.appendChild(overlay);

  type Box = { left: number; top: number; width: number; height: number };
  const overlaps = (a: Box, b: Box) =>
    a.left < b.left + b.width &&
    b.left < a.left + a.width &&
    a.top < b.top + b.height &&
    b.top < a.top + a.height;

  function label(text: string, color: string, kind: string): HTMLDivElement {
    const el = document.createElement("div");
    el.className = `chart-label chart-label-${kind}`;
    el.textContent = text;
    Object.assign(el.style, {
      position: "absolute",
      font: "600 11px/1.3 system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
      padding: "1px 4px",
      borderRadius: "3px",
      whiteSpace: "nowrap",
      visibility: "hidden",
      color: kind === "level" ? "#ffffff" : color,
      background: kind === "level" ? color : "rgba(255,255,255,0.88)",
      border: kind === "level" ? "0" : `1px solid ${color}`,
    });
    overlay.appendChild(el);
    return el;
  }

  function place(el: HTMLElement, box: Box): void {
    el.style.left = `${Math.round(box.left)}px`;
    el.style.top = `${Math.round(box.top)}px`;
    el.style.visibility = "visible";
  }

  function draw(): void {
    pending = false;
    overlay.replaceChildren();
    const pane = chart.paneSize();
    const width = pane.width;
    const height = pane.height;
    overlay.style.width = `${width}px`;
    overlay.style.height = `${height}px`;
    overlay.dataset.paneWidth = String(width);
    overlay.dataset.paneHeight = String(height);
    if (width <= 0 || height <= 0) return;

    // Levels: a column at the right edge, in price order, pushed apart where they are close.
    const levels = spec.levels
      .map((l) => ({ l, y: series.priceToCoordinate(l.price) }))
      .filter(
        (x): x is { l: ChartLabelSpec["levels"][number]; y: number } =>
          x.y !== null && x.y >= 0 && x.y <= height,
      )
      .sort((a, b) => a.y - b.y)
      .map((x) => {
        const el = label(x.l.text, x.l.color, "level");
        return { el, y: x.y, w: el.offsetWidth, h: el.offsetHeight, top: 0 };
      });
    let next = 0;
    for (const l of levels) {
      l.top = Math.max(l.y - l.h / 2, next);
      next = l.top + l.h + 1;
    }
    let limit = height;
    for (let i = levels.length - 1; i >= 0; i--) {
      const l = levels[i] as (typeof levels)[number];
      l.top = Math.max(0, Math.min(l.top, limit - l.h));
      limit = l.top - 1;
    }
    const column = levels.reduce((w, l) => Math.max(w, l.w), 0);
    const placed: Box[] = [];
    for (const l of levels) {
      const box = { left: width - l.w - GAP, top: l.top, width: l.w, height: l.h };
      place(l.el, box);
      placed.push(box);
    }

    // Marker texts: near their arrow, on no candle, inside the pane, apart from the others.
    const right = width - (column > 0 ? column + 2 * GAP : 0);
    const timeScale = chart.timeScale();
    const bars = spec.bars.map((b) => ({
      x: timeScale.timeToCoordinate(b.time),
      high: series.priceToCoordinate(b.high),
      low: series.priceToCoordinate(b.low),
    }));
    // A candle is drawn about as wide as the space between two: half of it on each side.
    let spacing = Number.POSITIVE_INFINITY;
    for (let i = 1; i < bars.length; i++) {
      const a = bars[i - 1]?.x;
      const b = bars[i]?.x;
      if (a !== null && a !== undefined && b !== null && b !== undefined && b > a)
        spacing = Math.min(spacing, b - a);
    }
    const half = Number.isFinite(spacing) ? spacing / 2 + 1 : 6;
    /** The highest and lowest candle pixels between two x coordinates. */
    const extent = (from: number, to: number) => {
      let top = Number.POSITIVE_INFINITY;
      let bottom = Number.NEGATIVE_INFINITY;
      for (const b of bars) {
        if (b.x === null || b.x < from - half || b.x > to + half) continue;
        if (b.high !== null) top = Math.min(top, b.high);
        if (b.low !== null) bottom = Math.max(bottom, b.low);
      }
      return { top, bottom };
    };
    const free = (box: Box) => {
      if (box.left < 0 || box.top < 0 || box.left + box.width > right || box.top + box.height > height)
        return false;
      const e = extent(box.left, box.left + box.width);
      const onCandles = e.top < box.top + box.height && box.top < e.bottom;
      return !onCandles && !placed.some((p) => overlaps(p, box));
    };
    for (const m of spec.markers) {
      const x = timeScale.timeToCoordinate(m.time);
      if (x === null || x < 0 || x > width) continue;
      const el = label(m.text, m.color, "marker");
      const w = el.offsetWidth;
      const h = el.offsetHeight;
      const left = Math.max(0, Math.min(x - w / 2, right - w));
      const own = extent(x, x);
      const span = extent(left, left + w);
      const below = (Number.isFinite(span.bottom) ? span.bottom : 0) + ARROW;
      const above = (Number.isFinite(span.top) ? span.top : height) - ARROW - h;
      // The arrow's height: beside it, the text still points at its candle.
      const arrowY =
        m.side === "below"
          ? (Number.isFinite(own.bottom) ? own.bottom : height) + ARROW / 2
          : (Number.isFinite(own.top) ? own.top : 0) - ARROW / 2;
      const beside = [
        { left: x + ARROW / 2 + GAP, top: arrowY - h / 2, width: w, height: h },
        { left: x - ARROW / 2 - GAP - w, top: arrowY - h / 2, width: w, height: h },
      ];
      const under = { left, top: below, width: w, height: h };
      const over = { left, top: above, width: w, height: h };
      const candidates = m.side === "below" ? [under, ...beside, over] : [over, ...beside, under];
      let box = candidates.find(free);
      if (!box) {
        // Nowhere clear: the preferred side, inside the pane, stepped off the labels placed so far.
        const fallback = { ...(candidates[0] as Box) };
        fallback.top = Math.max(0, Math.min(fallback.top, height - h));
        const down = m.side === "below";
        for (let tries = 0; tries < 8 && placed.some((p) => overlaps(p, fallback)); tries++) {
          const other = placed.find((p) => overlaps(p, fallback)) as Box;
          const moved = down ? other.top + other.height + 1 : other.top - h - 1;
          if (moved < 0 || moved + h > height) break;
          fallback.top = moved;
        }
        box = fallback;
      }
      place(el, box);
      placed.push(box);
    }
  }

  function redraw(): void {
    if (pending) return;
    pending = true;
    requestAnimationFrame(draw);
  }

  chart.timeScale().subscribeVisibleLogicalRangeChange(redraw);
  if (typeof ResizeObserver !== "undefined") new ResizeObserver(redraw).observe(container);
  return {
    set(next: ChartLabelSpec) {
      spec = next;
      redraw();
    },
    redraw,
  };
}
