import { readFileSync } from "node:fs";
import { join } from "node:path";
import { findBundleDir } from "../web/dashboard/assets.js";

/*
 * The browser code a backtest report inlines, as scripts/bundle.mjs builds it into dist/web/:
 * the report's page script and styles (src/backtest/report-client/ → report.js, report.css) and
 * the chart labels of the dashboard (src/web/dashboard/client/chart-labels.ts → chart-labels.js,
 * the global PivotChartLabels), so that the report's charts place their labels as the
 * dashboard's do.
 */

const CHART_LABELS_FILE = join("web", "chart-labels.js");
const PAGE_SCRIPT_FILE = join("web", "report.js");
const STYLE_FILE = join("web", "report.css");

const cache = new Map<string, string>();

/** A file of the bundle, read once, with `</script`/`</style` escaped: it cannot close its element. */
function bundled(name: string, closing: RegExp, escaped: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    const file = join(findBundleDir(), name);
    try {
      text = readFileSync(file, "utf8").replace(closing, escaped);
    } catch (e) {
      throw new Error(`${file}: ${(e as NodeJS.ErrnoException).code ?? e} (run "npm run build")`);
    }
    cache.set(name, text);
  }
  return text;
}

/** The script defining PivotChartLabels.chartLabels. */
export function chartLabelsScript(): string {
  return bundled(CHART_LABELS_FILE, /<\/script/gi, "<\\/script");
}

/** The report's page script (it reads the report's JSON and draws the charts). */
export function reportPageScript(): string {
  return bundled(PAGE_SCRIPT_FILE, /<\/script/gi, "<\\/script");
}

/** The report's styles. */
export function reportStyle(): string {
  return bundled(STYLE_FILE, /<\/style/gi, "<\\/style");
}
