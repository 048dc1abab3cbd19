// Bundles the `pivot` command into one file (dist/pivot.js). Loading one file instead of a
// hundred modules (ours, zod's, commander's) takes a fraction of the start-up time, which every
// command pays and the backtest benchmark counts. Packages with native code or files read at
// run time (better-sqlite3, lightweight-charts) stay outside the bundle.
import { build } from "esbuild";

await build({
  entryPoints: ["src/cli/main.ts"],
  outfile: "dist/pivot.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  external: ["lightweight-charts", "better-sqlite3"],
  // commander is CommonJS: give the bundle a require() for Node's built-in modules.
  banner: {
    js: 'import { createRequire as __pivotCreateRequire } from "node:module";\nconst require = __pivotCreateRequire(import.meta.url);',
  },
  logLevel: "warning",
});
