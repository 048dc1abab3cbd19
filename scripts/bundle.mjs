// Bundles the `pivot` command into dist/pivot.js (and dist/chunks/ for what is loaded on
// demand). Loading a few files instead of hundreds of modules (ours, zod's, commander's) takes a
// fraction of the start-up time, which every command pays and the backtest benchmark counts. Packages with native code or files read at
// run time (better-sqlite3, lightweight-charts) stay outside the bundle.
//
// Also bundles the dashboard's browser script (src/web/dashboard/client/, with the CSS it
// imports) into dist/web/dashboard.js and dist/web/dashboard.css, and the backtest report's
// (src/backtest/report-client/) into dist/web/report.js and report.css, after type-checking each
// with its own tsconfig (DOM types, kept out of the Node build).
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { build } from "esbuild";

const DASHBOARD_CLIENT = "src/web/dashboard/client";
const REPORT_CLIENT = "src/backtest/report-client";

/** One browser script: an IIFE for the browsers the dashboard supports, minified. */
function browserBundle(entry, outfile, extra = {}) {
  return build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "browser",
    format: "iife",
    target: ["chrome100", "firefox100", "safari15"],
    minify: true,
    legalComments: "none",
    logLevel: "warning",
    ...extra,
  });
}

for (const [what, dir] of [
  ["the dashboard's browser code", DASHBOARD_CLIENT],
  ["the backtest report's page script", REPORT_CLIENT],
]) {
  try {
    execFileSync(
      process.execPath,
      [createRequire(import.meta.url).resolve("typescript/bin/tsc"), "-p", `${dir}/tsconfig.json`],
      { stdio: "inherit" },
    );
  } catch {
    console.error(`${what} (${dir}) does not type-check (errors above)`);
    process.exit(1);
  }
}

/**
 * zod's messages in English only: its other 60-odd locales (about half of zod's 750 KB) are
 * exported as `z.locales` and so bundled, and every command would parse them at start-up.
 * Nothing here switches zod's language.
 */
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer)
        ? { path: join(dirname(args.importer), "../locales/index.js"), namespace: "zod-english" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-english" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(join(dirname(args.path), "en.js"))};`,
      resolveDir: dirname(args.path),
      loader: "js",
    }));
  },
};

await Promise.all([
  build({
    // Split: what only `pivot start` needs (the web server, Telegram, logging, the service) sits
    // in chunks loaded by its dynamic import, so `pivot backtest` and the other commands do not
    // parse it at every start.
    // The strategy lab's worker threads load their own entry (dist/lab-worker.js).
    entryPoints: { pivot: "src/cli/main.ts", "lab-worker": "src/lab/worker.ts" },
    outdir: "dist",
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: true,
    // piscina starts its workers from its own files: it stays in node_modules.
    external: ["lightweight-charts", "better-sqlite3", "piscina"],
    plugins: [zodEnglishOnly],
    // commander is CommonJS: give the bundle a require() for Node's built-in modules.
    banner: {
      js: 'import { createRequire as __pivotCreateRequire } from "node:module";\nconst require = __pivotCreateRequire(import.meta.url);',
    },
    logLevel: "warning",
  }),
  browserBundle(`${DASHBOARD_CLIENT}/main.ts`, "dist/web/dashboard.js"),
  // The backtest report's page script and styles (dist/web/report.js and report.css), which
  // src/backtest/report.ts inlines: a report is one self-contained file.
  browserBundle(`${REPORT_CLIENT}/main.ts`, "dist/web/report.js"),
  // The chart labels again, alone, for the backtest report (which inlines it): global
  // PivotChartLabels.chartLabels.
  browserBundle(`${DASHBOARD_CLIENT}/chart-labels.ts`, "dist/web/chart-labels.js", {
    globalName: "PivotChartLabels",
  }),
]);
