import { escapeHtml } from "../backtest/escape-html.js";

/*
 * Pieces of the lab's HTML reports (optimize, walk-forward, Monte Carlo): one self-contained
 * page, charts as inline SVG (no script, no network), deterministic for the same input.
 */

const STYLE = `
body{margin:0;background:#f5f6f8;color:#1f2937;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1200px;margin:0 auto;padding:24px 16px 48px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.muted{color:#6b7280}.panel{background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:14px 16px;margin-top:16px;overflow-x:auto}
table{border-collapse:collapse;font-size:12px;font-variant-numeric:tabular-nums}
th,td{padding:5px 8px;border-bottom:1px solid #e5e7eb;text-align:right;white-space:nowrap}th{color:#6b7280}
td.heat{color:#111;min-width:64px}svg{max-width:100%;height:auto}.legend span{margin-right:14px}
`;

const PALETTE = ["#2563eb", "#15803d", "#b45309", "#7c3aed", "#be123c", "#0e7490", "#4d7c0f", "#a21caf"];

/** A whole page around `body`. */
export function labPage(title: string, subtitle: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main><h1>${escapeHtml(title)}</h1><p class="muted">${escapeHtml(subtitle)}</p>
${body}
</main></body></html>
`;
}

export function panel(heading: string, content: string, note = ""): string {
  return `<section class="panel"><h2>${escapeHtml(heading)}</h2>${note ? `<p class="muted">${escapeHtml(note)}</p>` : ""}${content}</section>`;
}

/** A plain table of text cells (escaped). */
export function table(headings: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const head = headings.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const body = rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(String(c))}</td>`).join("")}</tr>`)
    .join("");
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** Lines over a shared x axis (point index) and y axis, with a legend. */
export function lineChart(series: readonly { name: string; values: readonly number[] }[]): string {
  const W = 900;
  const H = 300;
  const pad = 40;
  const all = series.flatMap((s) => s.values);
  if (all.length === 0) return `<p class="muted">Nothing to draw.</p>`;
  const lo = Math.min(0, ...all);
  const hi = Math.max(0, ...all);
  const span = hi - lo || 1;
  const longest = Math.max(...series.map((s) => s.values.length), 2);
  const x = (i: number) => pad + (i / (longest - 1)) * (W - 2 * pad);
  const y = (v: number) => H - pad - ((v - lo) / span) * (H - 2 * pad);
  const lines = series.map((s, k) => {
    const points = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    return `<polyline fill="none" stroke-width="1.5" stroke="${PALETTE[k % PALETTE.length]}" points="${points}"/>`;
  });
  const axis = `<line x1="${pad}" x2="${W - pad}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}" stroke="#9ca3af" stroke-dasharray="4 3"/>`;
  const labels = `<text x="4" y="${pad}" font-size="11" fill="#6b7280">${escapeHtml(formatAxis(hi))}</text><text x="4" y="${H - pad}" font-size="11" fill="#6b7280">${escapeHtml(formatAxis(lo))}</text>`;
  const legend = series
    .map((s, k) => `<span style="color:${PALETTE[k % PALETTE.length]}">■ ${escapeHtml(s.name)}</span>`)
    .join("");
  return `<svg viewBox="0 0 ${W} ${H}" role="img">${axis}${lines.join("")}${labels}</svg><p class="legend">${legend}</p>`;
}

/** A histogram of `values` in `bins` equal bins, with the bin edges under it. */
export function histogram(
  values: readonly number[],
  bins = 30,
  label = (v: number) => formatAxis(v),
): string {
  if (values.length === 0) return `<p class="muted">Nothing to draw.</p>`;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const width = (hi - lo) / bins || 1;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) {
    const bin = Math.min(bins - 1, Math.floor((v - lo) / width));
    counts[bin] = (counts[bin] as number) + 1;
  }
  const W = 900;
  const H = 240;
  const pad = 30;
  const top = Math.max(...counts);
  const barW = (W - 2 * pad) / bins;
  const bars = counts
    .map((c, i) => {
      const h = (c / top) * (H - 2 * pad);
      return `<rect x="${(pad + i * barW).toFixed(1)}" y="${(H - pad - h).toFixed(1)}" width="${(barW - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="#2563eb"><title>${escapeHtml(`${label(lo + i * width)} to ${label(lo + (i + 1) * width)}: ${c}`)}</title></rect>`;
    })
    .join("");
  const edges = `<text x="${pad}" y="${H - 8}" font-size="11" fill="#6b7280">${escapeHtml(label(lo))}</text><text x="${W - pad}" y="${H - 8}" font-size="11" fill="#6b7280" text-anchor="end">${escapeHtml(label(hi))}</text>`;
  return `<svg viewBox="0 0 ${W} ${H}" role="img">${bars}${edges}</svg>`;
}

/**
 * A heatmap table: rows × columns, each cell coloured from red (lowest) through white to green
 * (highest); empty cells stay grey.
 */
export function heatmap(
  rowName: string,
  columnName: string,
  rows: readonly number[],
  columns: readonly number[],
  cell: (row: number, column: number) => number | null,
): string {
  const values = rows.flatMap((r) => columns.map((c) => cell(r, c))).filter((v): v is number => v !== null);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const colour = (v: number | null) => {
    if (v === null) return "#e5e7eb";
    const t = hi === lo ? 0.5 : (v - lo) / (hi - lo);
    const mix = (a: number, b: number, s: number) => Math.round(a + (b - a) * s);
    const [r, g, b] =
      t < 0.5
        ? [248, mix(113, 255, t * 2), mix(113, 255, t * 2)]
        : [mix(255, 74, (t - 0.5) * 2), mix(255, 222, (t - 0.5) * 2), mix(255, 128, (t - 0.5) * 2)];
    return `rgb(${r},${g},${b})`;
  };
  const head = `<tr><th>${escapeHtml(rowName)} \\ ${escapeHtml(columnName)}</th>${columns.map((c) => `<th>${c}</th>`).join("")}</tr>`;
  const body = rows
    .map((r) => {
      const cells = columns
        .map((c) => {
          const v = cell(r, c);
          return `<td class="heat" style="background:${colour(v)}">${v === null ? "–" : escapeHtml(formatAxis(v))}</td>`;
        })
        .join("");
      return `<tr><th>${r}</th>${cells}</tr>`;
    })
    .join("");
  return `<table>${head}${body}</table>`;
}

function formatAxis(v: number): string {
  return Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en-IN") : v.toFixed(2);
}
