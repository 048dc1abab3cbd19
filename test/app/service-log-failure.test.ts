import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startSimulatedDay } from "../../src/app/simulated-day.js";
import { defaultConfig } from "../../src/config/load.js";
import { REAL_CANDLES_DIR } from "../support/paths.js";
import { waitFor } from "../support/wait.js";

test("a log folder that cannot be made → the service still starts, answers /health and says why on the console", async () => {
  const workDir = mkdtempSync(join(tmpdir(), "log-failure-"));
  writeFileSync(join(workDir, "logs"), "a file where the log folder should be");
  const consoleOut: string[] = [];
  const day = await startSimulatedDay({
    dataDir: REAL_CANDLES_DIR,
    date: "2025-09-05",
    speed: 300,
    config: defaultConfig(),
    workDir,
    port: 0,
    banner: "SIM",
    version: "test",
    console: { write: (t: string) => consoleOut.push(t) },
  });
  try {
    // Into the market, so that the day's first steps are done and stop finds nothing half-way.
    await waitFor(() => day.stack.store.trades.byDate("2025-09-05").length > 0, "the first trade", 60_000);
    const health = await fetch(`${day.stack.url}/health`);
    assert.equal(health.status, 200);
    assert.match(consoleOut.join(""), /logs/);
  } finally {
    await day.stop();
  }
});
