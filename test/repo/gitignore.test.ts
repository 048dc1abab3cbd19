import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../support/paths.js";

/** What git says of `paths` in the checkout: the ones it would ignore. */
function ignored(paths: readonly string[]): string[] {
  const r = spawnSync("git", ["check-ignore", "--no-index", ...paths], { cwd: REPO_ROOT, encoding: "utf8" });
  return r.stdout.split("\n").filter((l) => l !== "");
}

const skip = existsSync(join(REPO_ROOT, ".git")) ? false : "not a git checkout";

test("what a first run writes in the checkout (report, data, logs, backups, exports, deployment files) → git-ignored; the project's files are not", {
  skip,
}, () => {
  const outputs = [
    "report.html",
    "config.json",
    "data/demo/service/run-1/trading.db",
    "logs/current.log",
    "backup.db",
    "trades.csv",
    "candles/SENSEX_2025-09-05.csv",
    "sample-data/SENSEX_2025-01-02.csv",
    "pivot-trading.service",
    "pivot-nginx.conf",
  ];
  assert.deepEqual(ignored(outputs), outputs);
  assert.deepEqual(ignored(["package.json", "config.example.json", "README.md", "src/cli/main.ts"]), []);
});
