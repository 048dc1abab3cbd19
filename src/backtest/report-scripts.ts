import { readFileSync } from "node:fs";
import { join } from "node:path";
import { findBundleDir } from "../web/dashboard/assets.js";

/*
 * The chart labels of the dashboard (src/web/dashboard/client/chart-labels.ts), built by
 * scripts/bundle.mjs into dist/web/chart-labels.js as the global PivotChartLabels, inlined
 * into the report so that its charts place their labels as the dashboard's do.
 */

const CHART_LABELS_FILE = join("web", "chart-labels.js");

let cache: string | undefined;

/** The script defining PivotChartLabels.chartLabels, read once; `</script` cannot occur in it. */
export function chartLabelsScript(): string {
  if (cache === undefined) {
    const file = join(findBundleDir(), CHART_LABELS_FILE);
    try {
      cache = readFileSync(file, "utf8").replace(/<\/script/gi, "<\\/script");
    } catch (e) {
      throw new Error(`${file}: ${(e as NodeJS.ErrnoException).code ?? e} (run "npm run build")`);
    }
  }
  return cache;
}
