import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/*
 * The dashboard's static files, read once at start-up and served from memory under
 * content-hashed names (`/assets/dashboard-3f2a9c1b7e4d.js`): a new build gets new URLs, so
 * browsers may cache each file forever and never run an old script against a new server.
 */

/** One file the page loads. */
export interface Asset {
  /** Its name under /assets/. */
  name: string;
  contentType: string;
  body: Buffer;
  etag: string;
}

/** The page's files. */
export interface DashboardAssets {
  script: Asset;
  style: Asset;
  chartLibrary: Asset;
  icon: Asset;
}

/** Where the browser bundle is written by scripts/bundle.mjs, relative to dist/. */
const BUNDLE_SCRIPT = join("web", "dashboard.js");
const BUNDLE_STYLE = join("web", "dashboard.css");
/** lightweight-charts does not export its dist files, so they are found beside its package.json. */
const CHART_LIBRARY_PACKAGE = "lightweight-charts/package.json";
const CHART_LIBRARY_FILE = join("dist", "lightweight-charts.standalone.production.js");

const JS = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";
const SVG = "image/svg+xml";
/** A small candlestick for the browser tab (served as a file: the CSP allows no data: URL). */
export const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1d4ed8"/><path d="M16 4v24" stroke="#fff" stroke-width="2"/><rect x="11" y="9" width="10" height="13" rx="1" fill="#fff"/></svg>`;

/** Reads the bundle from `bundleDir` (the dist/ folder holding web/dashboard.js) and the chart library. */
export function loadDashboardAssets(bundleDir: string = findBundleDir()): DashboardAssets {
  const libraryPath = join(
    dirname(createRequire(import.meta.url).resolve(CHART_LIBRARY_PACKAGE)),
    CHART_LIBRARY_FILE,
  );
  return {
    script: asset("dashboard", ".js", JS, readOrExplain(join(bundleDir, BUNDLE_SCRIPT))),
    style: asset("dashboard", ".css", CSS, readOrExplain(join(bundleDir, BUNDLE_STYLE))),
    chartLibrary: asset("lightweight-charts", ".js", JS, readOrExplain(libraryPath)),
    icon: asset("icon", ".svg", SVG, Buffer.from(ICON_SVG)),
  };
}

/**
 * The dist/ folder of this build: the nearest folder above this module holding
 * web/dashboard.js (this module runs from dist/src/web/dashboard/ after tsc, or from dist/
 * inside the bundled `pivot` command).
 */
export function findBundleDir(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const candidate = join(dir, BUNDLE_SCRIPT);
    if (existsSync(candidate) && statSync(candidate).isFile()) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `the dashboard's browser bundle (${BUNDLE_SCRIPT}) was not found in any folder above ${from}: run "npm run build"`,
      );
    }
    dir = parent;
  }
}

function asset(stem: string, extension: string, contentType: string, body: Buffer): Asset {
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 12);
  return { name: `${stem}-${hash}${extension}`, contentType, body, etag: `"${hash}"` };
}

function readOrExplain(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read the dashboard file ${path}: ${(e as Error).message} (run "npm run build")`);
  }
}
