/** Shared set-up of the simulator tests: logging in through the real client, a postback catcher, a socket. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KiteConnect } from "kiteconnect";
import { WebSocket } from "ws";
import { decodeFrameToArray, type Tick } from "../../src/adapters/kite/ticker-protocol.js";
import { type RunningSimulator, type SimulatorOptions, startSimulator } from "../../src/sim/simulator.js";

export { REAL_CANDLES_DIR } from "../support/paths.js";

/** A JSON payload read in a test (Kite's payloads are deep and loosely typed). */
// biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary JSON fields
export type Loose = Record<string, any>;

/** The official client type (its declarations export a constructor value). */
export type Kite = InstanceType<typeof KiteConnect>;

/** A `redirect_params`-carrying login through the page (autoLogin or `&auto=1`): the redirect's query. */
export async function loginRedirect(sim: RunningSimulator, state = "abc"): Promise<URL> {
  const page = `${sim.loginUrl}?api_key=${sim.apiKey}&v=3&redirect_params=${encodeURIComponent(`state=${state}`)}&auto=1`;
  const res = await fetch(page, { redirect: "manual" });
  assert.equal(res.status, 302);
  return new URL(res.headers.get("location") as string);
}

/** A logged-in official client. */
export async function loggedInClient(sim: RunningSimulator): Promise<{ kite: Kite; accessToken: string }> {
  const redirect = await loginRedirect(sim);
  const kite = new KiteConnect({ api_key: sim.apiKey, root: sim.url });
  const session = await kite.generateSession(
    redirect.searchParams.get("request_token") as string,
    sim.apiSecret,
  );
  return { kite, accessToken: session.access_token };
}

/** Runs `call` and returns what it rejected with (the client rejects with plain objects). */
export async function rejection(
  call: Promise<unknown>,
): Promise<{ status?: string; message: string; error_type: string }> {
  try {
    await call;
  } catch (e) {
    return e as { status?: string; message: string; error_type: string };
  }
  assert.fail("expected the call to be rejected");
}

/** Waits until `check` holds (polling), failing after `ms`. */
export async function waitFor(check: () => boolean, ms = 3000, what = "condition"): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A local HTTP server that records postbacks (raw body and parsed JSON). */
export async function postbackCatcher(): Promise<{
  url: string;
  received: Array<{ raw: string; json: Record<string, unknown>; contentType: string | undefined }>;
  close: () => Promise<void>;
}> {
  const received: Array<{ raw: string; json: Record<string, unknown>; contentType: string | undefined }> = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    received.push({ raw, json: JSON.parse(raw), contentType: req.headers["content-type"] });
    res.end("ok");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/postback`,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A ticker socket that records every message. */
export interface SocketRecorder {
  ws: WebSocket;
  ticks: Tick[];
  heartbeats: number;
  texts: Array<Record<string, unknown>>;
  /** Arrival time (ms) of every message. */
  arrivals: number[];
  closed: { code: number } | null;
  send(message: unknown): void;
}

/** Opens the ticker with credentials; resolves once open (rejects with the HTTP status when refused). */
export function openSocket(
  sim: RunningSimulator,
  accessToken: string,
  apiKey = sim.apiKey,
): Promise<SocketRecorder> {
  const ws = new WebSocket(`${sim.wsUrl}?api_key=${apiKey}&access_token=${accessToken}`);
  const rec: SocketRecorder = {
    ws,
    ticks: [],
    heartbeats: 0,
    texts: [],
    arrivals: [],
    closed: null,
    send: (m) => ws.send(JSON.stringify(m)),
  };
  ws.on("message", (data, isBinary) => {
    rec.arrivals.push(Date.now());
    if (!isBinary) {
      rec.texts.push(JSON.parse(data.toString()));
      return;
    }
    const frame = data as Buffer;
    if (frame.length < 2) rec.heartbeats++;
    else rec.ticks.push(...decodeFrameToArray(frame));
  });
  ws.on("close", (code) => {
    rec.closed = { code };
  });
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(rec));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once("error", reject);
  });
}

/**
 * A small data directory: one contract, a previous day (4 Sep 2025) and the replay day
 * (5 Sep 2025) whose candles are flat (open = high = low = close), so every tick of a candle
 * trades at the candle's price and fills are exact. Prices of the replay day by candle start:
 * 09:15 100, 09:18 100, 09:21 110, 09:24 90, 09:27 95, 09:30 120, then 120 to 09:42.
 */
export const TINY_SYMBOL = "SENSEX2591180500CE";
export const TINY_PRICES: ReadonlyArray<[string, number]> = [
  ["09:15", 100],
  ["09:18", 100],
  ["09:21", 110],
  ["09:24", 90],
  ["09:27", 95],
  ["09:30", 120],
  ["09:33", 120],
  ["09:36", 120],
  ["09:39", 120],
];

export function writeTinyData(): string {
  const dir = mkdtempSync(join(tmpdir(), "pivot-sim-test-"));
  mkdirSync(dir, { recursive: true });
  const rows = ["timestamp,open,high,low,close,volume"];
  rows.push("2025-09-04 09:15:00+05:30,80,90,70,85,1000");
  rows.push("2025-09-04 15:27:00+05:30,85,96,84,96,1000");
  for (const [time, price] of TINY_PRICES)
    rows.push(`2025-09-05 ${time}:00+05:30,${price},${price},${price},${price},2000`);
  writeFileSync(join(dir, `${TINY_SYMBOL}_2025-09-04.csv`), `${rows.join("\n")}\n`);
  return dir;
}

/**
 * Paused simulators on the tiny data set (flat candles: 09:15 100, 09:18 100, 09:21 110, 09:24
 * 90, 09:27 95, 09:30 120), each with a logged-in official client; `close()` ends them all.
 */
export function tinySimulators(): {
  start: (extra?: SimulatorOptions) => Promise<{ sim: RunningSimulator; kite: Kite; accessToken: string }>;
  close: () => Promise<void>;
} {
  const dir = writeTinyData();
  const running: RunningSimulator[] = [];
  return {
    async start(extra = {}) {
      const sim = await startSimulator({
        port: 0,
        dataDir: dir,
        date: "2025-09-05",
        startPaused: true,
        rateLimits: false,
        ...extra,
      });
      running.push(sim);
      return { sim, ...(await loggedInClient(sim)) };
    },
    async close() {
      await Promise.all(running.map((s) => s.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
