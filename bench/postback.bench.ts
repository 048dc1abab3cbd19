import { execFile, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { checkKitePostback } from "../src/adapters/kite/postback-check.js";
import { PostbackBodiesRepository } from "../src/adapters/sqlite/postback-bodies-repo.js";
import { Store } from "../src/adapters/sqlite/store.js";
import { startWalCheckpointer } from "../src/adapters/sqlite/wal-checkpointer.js";
import { defaultConfig } from "../src/config/load.js";
import { PostbackConfirmer } from "../src/engine/postback-confirmer.js";
import { EnginePostbackSink } from "../src/engine/postback-sink.js";
import type { EngineView, LoginPort } from "../src/ports/app.js";
import type { OrderUpdate } from "../src/ports/broker.js";
import { systemClock } from "../src/ports/clock.js";
import type { PostbackClaim } from "../src/ports/store-records.js";
import { buildApp } from "../src/web/app.js";
import type { Figure } from "./stats.js";

/*
 * POST /postback under load on loopback: the real app, listening, with the engine's
 * PostbackSink (EnginePostbackSink) recording each body durably in SQLite through the
 * project's Store (postback_bodies, then confirmed off the request path; WAL, synchronous = NORMAL; the
 * updates of one event-loop turn in one transaction; WAL checkpoints in a worker thread) before
 * its 200, and the request log on (pino, to a file; a stored postback writes no line, a refused
 * one does). The load comes from another process (postback-load.ts): N keep-alive connections,
 * one request at a time each, sending valid, checksummed, distinct updates. Then the same load
 * against a minimal Flask server doing the same checksum and inserts (flask_postback.py,
 * python3-flask), when it is installed.
 */

/**
 * Concurrent connections (PIVOT_BENCH_CONNECTIONS overrides). Kite sends a few updates at a
 * time; a throughput figure needs enough requests in flight to keep the server busy, and 16
 * keeps p99 well under its target (8 gives a few % less throughput and lower latency).
 */
const CONNECTIONS = Number(process.env.PIVOT_BENCH_CONNECTIONS ?? 16);
const WARMUP_S = 2;
const SECONDS = 6;
const SECRET = "bench_api_secret";

interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  statuses: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  cpuMs: number;
}

const LOAD_SCRIPT = fileURLToPath(new URL("./postback-load.js", import.meta.url));
const FLASK_APP = fileURLToPath(new URL("../../bench/flask_postback.py", import.meta.url));

function load(url: string, prefix: string): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [LOAD_SCRIPT, url, String(CONNECTIONS), String(WARMUP_S), String(SECONDS), SECRET, prefix],
      { maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`the load generator failed: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout) as LoadResult);
      },
    );
  });
}

const idleEngine: EngineView = {
  status: () => {
    throw new Error("not used by the benchmark");
  },
  candles: () => [],
  subscribe: () => () => {},
  control: { setEntriesEnabled() {}, panic() {}, clearPanic() {}, setLots() {} },
};
const noLogin: LoginPort = {
  start: () => ({ url: "http://127.0.0.1/" }),
  handleCallback: async () => ({ ok: false, reason: "internal", message: "not used" }),
};

async function ours(
  dir: string,
  log: (line: string) => void,
): Promise<{ result: LoadResult; rows: number; serverCpuUsPerRequest: number }> {
  const path = join(dir, "ours.db");
  const store = Store.open(path, { clock: systemClock });
  // As `pivot start` should: WAL checkpoints in a worker thread, not inside a postback's commit.
  const checkpointer = startWalCheckpointer(store.db, path, {
    onError: (e) => log(`postback, ours: ${e.message}`),
  });
  // The engine's sink and its confirmer, over an order manager that only records (as
  // OrderManager.onOrderUpdate does first): the benchmark's orders are none of ours, so there
  // is no trade to step. The order history (Kite's, in the service) shows every claim: the
  // confirmations run beside the load, after the answers, at their own pace.
  const bodies = new PostbackBodiesRepository(store.db, systemClock);
  const confirmer = new PostbackConfirmer({
    history: { orderHistory: async (orderId) => ({ ok: true, value: bodies.pending(orderId).map(stateOf) }) },
    claims: bodies,
    orders: { onOrderUpdate: (u) => void store.recordOrderUpdate(u) },
    onUnconfirmed: (claim, reason) => log(`postback, ours: ${claim.orderId} unconfirmed: ${reason}`),
  });
  const sink = new EnginePostbackSink({ bodies, confirmer });
  const logger = pino({ level: "info" }, pino.destination({ dest: join(dir, "web.log"), sync: false }));
  const app = buildApp({
    engine: idleEngine,
    postbacks: sink,
    login: noLogin,
    checkPostback: (raw) => checkKitePostback(raw, SECRET),
    config: defaultConfig(),
    clock: systemClock,
    log: logger,
    version: "bench",
    startedAtMs: systemClock.now(),
    health: () => ({ ok: true }),
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  try {
    const cpu0 = process.cpuUsage();
    const result = await load(`http://127.0.0.1:${port}/postback`, "N");
    const cpu = process.cpuUsage(cpu0);
    const rows = (store.db.prepare("SELECT COUNT(*) AS n FROM postback_bodies").get() as { n: number }).n;
    // Every request of the run (warm-up included) stored one row: CPU per request, which
    // depends less than requests/s on what else the shared cores are doing.
    const serverCpuUsPerRequest = (cpu.user + cpu.system) / Math.max(1, rows);
    log(
      `postback, ours: ${result.requests} requests in ${result.seconds.toFixed(1)} s, statuses ${JSON.stringify(result.statuses)}, ` +
        `${rows} rows in postback_bodies (warm-up included), ${confirmer.backlog} orders waiting for confirmation, p50 ${result.p50Ms.toFixed(2)} ms, max ${result.maxMs.toFixed(1)} ms; ` +
        `CPU: server ${Math.round((cpu.user + cpu.system) / 1000)} ms (warm-up included), load generator ${Math.round(result.cpuMs)} ms`,
    );
    return { result, rows, serverCpuUsPerRequest };
  } finally {
    await app.close();
    await confirmer.stop();
    logger.flush();
    await checkpointer.stop();
    store.close();
  }
}

/** The order state a claim describes (the benchmark's stand-in for Kite's order history). */
function stateOf(c: PostbackClaim): OrderUpdate {
  return {
    orderId: c.orderId,
    tag: null,
    tradingsymbol: "SENSEX2591180500CE",
    side: "BUY",
    type: "LIMIT",
    status: c.status,
    statusMessage: null,
    quantity: c.quantity,
    filledQuantity: c.filledQuantity,
    pendingQuantity: c.quantity - c.filledQuantity,
    averagePrice: c.averagePrice,
    price: c.price,
    triggerPrice: c.triggerPrice,
    orderTimestamp: "",
    source: "poll",
    raw: "{}",
  };
}

/** The machine's load averages (1, 5, 15 minutes): the cores are shared, so say how busy they were. */
function loadText(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function flask(dir: string, log: (line: string) => void): Promise<LoadResult | null> {
  const probe = spawnSync("python3", ["-c", "import flask"], { encoding: "utf8" });
  if (probe.status !== 0) {
    log(
      "postback, Flask: skipped: python3 with flask is not installed (Debian: apt-get install python3-flask)",
    );
    return null;
  }
  const port = await freePort();
  const child = spawn("python3", [FLASK_APP, String(port), join(dir, "flask.db")], {
    env: { ...process.env, PIVOT_BENCH_SECRET: SECRET },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  try {
    const until = Date.now() + 15_000;
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > until || child.exitCode !== null)
        throw new Error(`the Flask server did not start: ${stderr.slice(-500)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const result = await load(`http://127.0.0.1:${port}/postback`, "F");
    log(
      `postback, Flask (werkzeug threaded, request log off): ${result.requests} requests, statuses ${JSON.stringify(result.statuses)}, ` +
        `p50 ${result.p50Ms.toFixed(2)} ms, max ${result.maxMs.toFixed(1)} ms`,
    );
    return result;
  } finally {
    child.kill("SIGTERM");
  }
}

/** The postback benchmark: ours, then Flask under the same load, and the ratio. */
export async function postbackBenchmark(log: (line: string) => void): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), "pivot-postback-bench-"));
  try {
    log(
      `postback: ${CONNECTIONS} keep-alive connections from another process, ${WARMUP_S} s warm-up, ${SECONDS} s measured, ` +
        "valid checksummed distinct updates, each stored in SQLite (WAL) before the answer; " +
        `load average before: ${loadText()}`,
    );
    const { result, serverCpuUsPerRequest } = await ours(dir, log);
    const ok = (result.statuses["200"] ?? 0) === result.requests;
    if (!ok) log(`postback, ours: not every answer was 200: ${JSON.stringify(result.statuses)}`);
    const figures: Figure[] = [
      {
        name: "postback, ours (fastify + SQLite)",
        value: Math.round(result.perSecond),
        unit: "requests/s",
        target: ">= 10,000",
        met: ok && result.perSecond >= 10_000,
      },
      {
        name: "postback, ours, p99 latency",
        value: Math.round(result.p99Ms * 100) / 100,
        unit: "ms",
        target: "< 10",
        met: result.p99Ms < 10,
      },
      {
        name: "postback, ours, server CPU per request",
        value: Math.round(serverCpuUsPerRequest),
        unit: "µs",
      },
    ];
    const theirs = await flask(dir, log);
    if (theirs) {
      const ratio = result.perSecond / theirs.perSecond;
      figures.push(
        {
          name: "postback, Flask (python3-flask + sqlite3)",
          value: Math.round(theirs.perSecond),
          unit: "requests/s",
        },
        { name: "postback, Flask, p99 latency", value: Math.round(theirs.p99Ms * 100) / 100, unit: "ms" },
        {
          name: "postback, ours / Flask",
          value: Math.round(ratio * 10) / 10,
          unit: "x",
          target: ">= 10",
          met: ratio >= 10,
        },
      );
    }
    log(`postback: load average after: ${loadText()}`);
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `node dist/bench/postback.bench.js`: this benchmark alone.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const figures = await postbackBenchmark((line) => process.stderr.write(`${line}\n`));
  for (const f of figures)
    process.stdout.write(`${f.name}: ${f.value} ${f.unit}${f.target ? ` (target ${f.target})` : ""}\n`);
}
