/**
 * `pivot start` as a trader runs it: its own process, against the simulator (LIVE mode, in the
 * simulator's market time), with the web server on its port. The process answers /health and
 * /status, refuses a second instance on the same port (naming the holder), and stops within
 * 10 s on SIGTERM, leaving its position protected at the broker.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { type RunningSimulator, startSimulator } from "../../src/sim/simulator.js";
import { CLI, REAL_CANDLES_DIR } from "../support/paths.js";
import { freePort, prepareSimService } from "../support/sim-service.js";

const root = mkdtempSync(join(tmpdir(), "pivot-service-process-"));
after(() => rmSync(root, { recursive: true, force: true }));

const API_TOKEN = "status-token-for-the-test-0123456789";

interface Started {
  sim: RunningSimulator;
  configPath: string;
  port: number;
  child: ChildProcess;
  output: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnService(configPath: string): Omit<Started, "sim" | "configPath" | "port"> {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, [CLI, "start", "--config", configPath, "--mode", "live"], {
    env,
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  child.stdout?.on("data", (d: Buffer) => output.push(d.toString()));
  child.stderr?.on("data", (d: Buffer) => output.push(d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, output, exit };
}

async function startService(name: string, startTime: string): Promise<Started> {
  const dir = mkdtempSync(join(root, `${name}-`));
  const port = await freePort();
  const sim = await startSimulator({
    port: 0,
    dataDir: REAL_CANDLES_DIR,
    date: "2025-09-05",
    speed: 60,
    startPaused: true,
    startTime,
    autoLogin: true,
    rateLimits: false,
    // Kite's order updates reach the service's /postback, as nginx would forward them.
    postbackUrl: `http://127.0.0.1:${port}/postback`,
  });
  const { configPath } = await prepareSimService(sim, dir, { port, api_token: API_TOKEN });
  sim.start();
  return { sim, configPath, port, ...spawnService(configPath) };
}

async function healthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    return res.status === 200;
  } catch {
    return false;
  }
}

test("pivot start → /health within seconds, /status with the token, a second instance refused, SIGTERM stops it within 10 s with the stop resting", async () => {
  const s = await startService("lifecycle", "10:12");
  try {
    const t0 = performance.now();
    const until = performance.now() + 30_000;
    while (!(await healthy(s.port))) {
      assert.ok(performance.now() < until, `no /health within 30 s:\n${s.output.join("")}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const bootMs = performance.now() - t0;
    assert.ok(bootMs < 30_000);

    const unauthorised = await fetch(`http://127.0.0.1:${s.port}/status`);
    assert.equal(unauthorised.status, 401);
    // The day is resumed and the 10:15 entry taken: the status shows the open position.
    const deadline = performance.now() + 30_000;
    let status: Record<string, unknown> = {};
    for (;;) {
      const res = await fetch(`http://127.0.0.1:${s.port}/status`, {
        headers: { authorization: `Bearer ${API_TOKEN}` },
      });
      assert.equal(res.status, 200);
      status = (await res.json()) as Record<string, unknown>;
      const position = status.position as { stopResting?: boolean } | null;
      if (position?.stopResting) break;
      assert.ok(
        performance.now() < deadline,
        `no protected position: ${JSON.stringify(status).slice(0, 2000)}`,
      );
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status.mode, "SIM");
    assert.equal((status.universe as { contracts: unknown[] }).contracts.length, 20);
    assert.equal((status.session as { valid: boolean }).valid, true);

    // A second instance on the same port is refused, naming the process that holds it.
    const second = spawnService(s.configPath);
    const secondExit = await second.exit;
    assert.notEqual(secondExit.code, 0);
    assert.match(second.output.join(""), new RegExp(`port ${s.port} is held by pid ${s.child.pid}`));

    // Postbacks: the simulator's arrive and are stored (then confirmed from the order history);
    // the same body again is a duplicate (stored once); a forged one is refused.
    const entry = s.sim.state().orders.find((o) => String(o.tag).startsWith("E"));
    assert.ok(entry);
    const body = JSON.stringify({
      ...entry,
      checksum: createHash("sha256")
        .update(`${entry.order_id}${entry.order_timestamp}${s.sim.apiSecret}`)
        .digest("hex"),
    });
    const post = (b: string) =>
      fetch(`http://127.0.0.1:${s.port}/postback`, { method: "POST", body: b }).then((r) => r.status);
    const outcomes = async () => {
      const text = await (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
      const count = (o: string) =>
        Number(new RegExp(`pivot_postbacks_total\\{outcome="${o}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
      return { stored: count("pending"), duplicate: count("duplicate"), bad: count("bad_checksum") };
    };
    const before = await outcomes();
    assert.ok(
      before.stored + before.duplicate >= 1,
      `the simulator's postbacks arrived: ${JSON.stringify(before)}`,
    );
    assert.equal(await post(body), 200);
    assert.equal(await post(body), 200);
    assert.equal(await post(body.replace(/"checksum":"[0-9a-f]/, '"checksum":"x')), 401);
    const afterPosts = await outcomes();
    assert.equal(afterPosts.stored - before.stored, 1, "a new body: stored");
    assert.equal(
      afterPosts.duplicate - before.duplicate,
      1,
      "the same body again: counted, not stored twice",
    );
    assert.equal(afterPosts.bad - before.bad, 1);

    // SIGTERM: stops within 10 s; the position stays protected at the broker.
    const stopAt = performance.now();
    s.child.kill("SIGTERM");
    const exit = await s.exit;
    assert.equal(exit.code, 0, s.output.join(""));
    assert.ok(performance.now() - stopAt < 10_000, "stopped within 10 s");
    const stops = s.sim.state().orders.filter((o) => o.order_type === "SL" && o.status === "TRIGGER PENDING");
    assert.equal(stops.length, 1, "the protective stop rests at the broker after the stop");
  } finally {
    s.child.kill("SIGKILL");
    await s.sim.close();
  }
});
