import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { missingPivotsWarning } from "../../src/backtest/missing-pivots.js";
import { REAL_CANDLES_DIR } from "../support/paths.js";
import { runCli } from "../support/run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "pivot-missing-pivots-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("pivot backtest of one day without its previous day (a folder of export-candles) → a warning per day naming the fix; --json carries it in warnings", () => {
  const dir = join(tmp, "one-day");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  for (const name of readdirSync(REAL_CANDLES_DIR).filter((n) => n.endsWith("_2025-09-05.csv")))
    copyFileSync(join(REAL_CANDLES_DIR, name), join(dir, name));

  const text = runCli(["backtest", "--data", dir]);
  assert.equal(text.status, 0, text.stderr);
  const warning = text.stderr.split("\n").find((l) => l.startsWith("warning: 2025-09-05:"));
  assert.ok(warning, text.stderr);
  assert.match(warning, /no candles of 2025-09-04, the previous trading day, so no contract has pivots/);
  assert.match(warning, new RegExp(`pivot fetch-candles --date 2025-09-05 --out ${dir}`));
  assert.match(warning, new RegExp(`pivot export-candles --date 2025-09-04 --out ${dir}`));
  assert.match(warning, /SENSEX2591180300CE/);

  const json = runCli(["backtest", "--data", dir, "--json"]);
  assert.equal(json.status, 0, json.stderr);
  const out = JSON.parse(json.stdout) as { warnings: string[]; summary: { total_trades: number } };
  assert.equal(out.summary.total_trades, 0);
  assert.ok(
    out.warnings.some((w) => w.startsWith("2025-09-05: the data has no candles of 2025-09-04")),
    JSON.stringify(out.warnings),
  );
});

test("missingPivotsWarning → null when every contract has pivots; a short list when the previous day is in the data but some contracts are not", () => {
  assert.equal(missingPivotsWarning("2025-09-05", "2025-09-04", [], 22, true), null);
  const some = missingPivotsWarning(
    "2025-09-05",
    "2025-09-04",
    ["A", "B", "C", "D", "E", "F", "G", "H"],
    22,
    true,
  );
  assert.equal(
    some,
    "2025-09-05: 8 of 22 contracts have no candles on 2025-09-04, so no pivots and no trades: A, B, C, D, E, F and 2 more",
  );
});
