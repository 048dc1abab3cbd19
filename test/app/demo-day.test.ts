/**
 * The demo's day, run fast in this process (startDemo: the simulator and the service in LIVE
 * mode on the sample market), as a newcomer's first run meets it: the health checks look at
 * the port and the log folder the demo really uses, /metrics counts the day's ticks, candles,
 * signals and orders with finite latencies, uptime is real time while the market runs hours,
 * and a second start on the taken port names --demo-port and removes none of the first run's
 * files.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { type RunningDemo, startDemo } from "../../src/app/demo.js";
import { defaultConfig } from "../../src/config/load.js";
import { freePort } from "../support/free-port.js";

const dir = mkdtempSync(join(tmpdir(), "pivot-demo-day-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** 08:55 to 15:35 in about 17 s. */
const FAST = 1400;
const quiet = { write: () => true, isTTY: false };

function sample(metrics: string, name: string): number {
  const line = metrics.split("\n").find((l) => l.startsWith(`${name} `));
  assert.ok(line, `no sample ${name} in:\n${metrics}`);
  return Number(line.slice(name.length + 1));
}

function sum(metrics: string, prefix: string): number {
  return metrics
    .split("\n")
    .filter((l) => l.startsWith(`${prefix}{`))
    .reduce((n, l) => n + Number(l.split(" ").at(-1)), 0);
}

test("the demo's day → true health checks, /metrics fed by the day, wall-clock uptime, and a failed second start that names --demo-port and deletes nothing", async () => {
  const port = await freePort();
  const config = defaultConfig();
  const wallStart = performance.now();
  const demo: RunningDemo = await startDemo({
    dir,
    config,
    port,
    speed: FAST,
    version: "0.0.0-test",
    progress: () => {},
    console: quiet,
  });
  try {
    // 1. The checks look at the demo's port and its log folder, not at 8001 and ./logs.
    const checks = demo.day.stack.checks();
    const portCheck = checks.find((c) => c.name === "port");
    assert.equal(portCheck?.level, "ok", JSON.stringify(portCheck));
    assert.match(portCheck?.detail ?? "", new RegExp(`:${port} \\(pid ${process.pid}\\)`));
    const logs = checks.find((c) => c.name === "logs");
    assert.equal(logs?.level, "ok", JSON.stringify(logs));
    assert.ok(logs?.detail.includes(join(demo.serviceDir, "logs")), logs?.detail);

    // 3 and 5. A second demo on the same port fails with one way out, and deletes nothing.
    const firstFiles = readdirSync(demo.serviceDir).sort();
    await assert.rejects(
      startDemo({ dir, config, port, speed: FAST, version: "0", progress: () => {}, console: quiet }),
      (e: Error) => {
        assert.match(e.message, new RegExp(`port ${port} is held by pid ${process.pid}`));
        assert.equal(e.message.split("--demo-port").length, 2, `--demo-port named once: ${e.message}`);
        assert.doesNotMatch(e.message, /callback_port|already running\?/);
        return true;
      },
    );
    assert.ok(existsSync(join(demo.serviceDir, "trading.db")), "the running demo's database is kept");
    assert.deepEqual(
      readdirSync(demo.serviceDir)
        .sort()
        .filter((n) => firstFiles.includes(n)),
      firstFiles,
    );
    assert.deepEqual(readdirSync(join(dir, "service")), [demo.serviceDir.split("/").at(-1)]);

    await demo.day.dayDone;
    const realSeconds = (performance.now() - wallStart) / 1000;

    // 2. Every counter and summary was fed by the day.
    const metrics = await (await fetch(`${demo.url}/metrics`)).text();
    assert.ok(sample(metrics, "pivot_ticks_total") > 1000, "ticks");
    assert.ok(sample(metrics, "pivot_candles_total") > 100, "candles");
    assert.ok(sum(metrics, "pivot_signals_total") > 0, "signals");
    assert.ok(sample(metrics, 'pivot_signals_total{taken="true"}') > 0, "taken signals");
    assert.ok(sample(metrics, 'pivot_orders_total{status="COMPLETE"}') >= 2, "filled orders");
    for (const summary of [
      "pivot_candle_close_delay_seconds",
      "pivot_signal_to_order_seconds",
      "pivot_order_ack_seconds",
      "pivot_postback_handling_seconds",
    ]) {
      const median = sample(metrics, `${summary}{quantile="0.5"}`);
      assert.ok(Number.isFinite(median) && median >= 0, `${summary} median ${median}`);
      assert.ok(sample(metrics, `${summary}_count`) > 0, `${summary} count`);
    }

    // 7. Uptime is real time: the market ran 6 h 40 min meanwhile.
    const health = (await (await fetch(`${demo.url}/health`)).json()) as { uptime_s: number };
    assert.ok(
      health.uptime_s <= Math.ceil(realSeconds) + 1,
      `uptime ${health.uptime_s} s after ${realSeconds} s`,
    );
    assert.ok(demo.day.clock.now() - Date.parse(`${demo.date}T08:55:00+05:30`) > 6 * 3_600_000);
  } finally {
    await demo.day.stop();
  }
});
