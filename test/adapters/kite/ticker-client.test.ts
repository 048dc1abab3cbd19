import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { once } from "node:events";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { test } from "node:test";
import { type WebSocket, WebSocketServer } from "ws";
import { TickerClient } from "../../../src/adapters/kite/ticker-client.js";
import {
  decodeFrameToArray,
  encodeFrame,
  HEARTBEAT_FRAME,
  type Tick,
} from "../../../src/adapters/kite/ticker-protocol.js";
import type {
  TickerClientOptions,
  TickerError,
  TickerEvents,
} from "../../../src/adapters/kite/ticker-types.js";
import { REPO_ROOT } from "../../support/paths.js";

const CE = 219964165;
const PE = 219964421;
const INDEX = 265;

interface Connection {
  ws: WebSocket;
  url: URL;
  /** The JSON requests the client sent on this connection, in order. */
  requests: unknown[];
}

interface Server {
  url: string;
  connections: Connection[];
  /** Handshakes refused by verifyClient. */
  refused: number;
  close(): Promise<void>;
}

/** A local ticker server on a free port; `accept` decides each upgrade (false → HTTP 403). */
async function startServer(accept: (url: URL) => boolean = () => true): Promise<Server> {
  const connections: Connection[] = [];
  const server: Server = { url: "", connections, refused: 0, close: async () => {} };
  const wss = new WebSocketServer({
    port: 0,
    host: "127.0.0.1",
    verifyClient: (info, done) => {
      if (accept(new URL(info.req.url ?? "/", "http://localhost"))) return done(true);
      server.refused++;
      done(false, 403, "Forbidden");
    },
  });
  await once(wss, "listening");
  wss.on("connection", (ws, req) => {
    const conn: Connection = { ws, url: new URL(req.url ?? "/", "http://localhost"), requests: [] };
    ws.on("message", (data) => conn.requests.push(JSON.parse(data.toString())));
    connections.push(conn);
  });
  server.url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`;
  server.close = () =>
    new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => resolve());
    });
  return server;
}

/** Polls until `condition` holds; fails after `ms`. */
async function until(condition: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Records every event of a client. */
function record(client: TickerClient) {
  const seen = {
    ticks: [] as Tick[][],
    orders: [] as Record<string, unknown>[],
    errors: [] as TickerError[],
    messages: [] as unknown[],
    connected: [] as TickerEvents["connected"][0][],
    disconnected: [] as TickerEvents["disconnected"][0][],
    reconnecting: [] as TickerEvents["reconnecting"][0][],
    silence: [] as TickerEvents["silence"][0][],
    noToken: [] as TickerEvents["no_token"][0][],
  };
  client.on("ticks", (t) => seen.ticks.push(t));
  client.on("order", (o) => seen.orders.push(o));
  client.on("error", (e) => seen.errors.push(e));
  client.on("message", (m) => seen.messages.push(m));
  client.on("connected", (i) => seen.connected.push(i));
  client.on("disconnected", (i) => seen.disconnected.push(i));
  client.on("reconnecting", (i) => seen.reconnecting.push(i));
  client.on("silence", (i) => seen.silence.push(i));
  client.on("no_token", (i) => seen.noToken.push(i));
  return seen;
}

function client(server: Server, options: Partial<TickerClientOptions> = {}): TickerClient {
  return new TickerClient({
    url: server.url,
    apiKey: "kitekey",
    accessToken: () => "token-1",
    random: () => 1,
    backoff: { initialMs: 20, maxMs: 200 },
    ...options,
  });
}

const SUBSCRIBE_ALL = [
  { a: "subscribe", v: [CE, PE, INDEX] },
  { a: "mode", v: ["full", [CE, PE]] },
  { a: "mode", v: ["quote", [INDEX]] },
];

test("TickerClient on connect → URL carries api_key and the token; subscribe then mode sent for every remembered token", async () => {
  const server = await startServer();
  const c = client(server);
  const seen = record(c);
  try {
    c.subscribe([CE, PE]);
    c.subscribe([INDEX], "quote");
    c.connect();
    await until(() => server.connections[0]?.requests.length === 3, "subscribe + modes");
    const conn = server.connections[0] as Connection;
    assert.equal(conn.url.searchParams.get("api_key"), "kitekey");
    assert.equal(conn.url.searchParams.get("access_token"), "token-1");
    assert.deepEqual(conn.requests, SUBSCRIBE_ALL);
    assert.equal(seen.connected[0]?.url.includes("token-1"), false, "the token is masked in events");
    assert.match(seen.connected[0]?.url ?? "", /access_token=\*\*\*/);
    assert.equal(c.stats.connected, true);

    c.subscribe([123], "ltp"); // while connected: sent at once
    c.unsubscribe([PE]);
    await until(() => conn.requests.length === 6, "live subscribe, mode, unsubscribe");
    assert.deepEqual(conn.requests.slice(3), [
      { a: "subscribe", v: [123] },
      { a: "mode", v: ["ltp", [123]] },
      { a: "unsubscribe", v: [PE] },
    ]);
  } finally {
    await c.close();
    await server.close();
  }
});

test("TickerClient receiving binary frames → one 'ticks' event per frame, decoded; heartbeats count as frames only", async () => {
  const server = await startServer();
  const c = client(server);
  const seen = record(c);
  const frame = encodeFrame([
    { mode: "ltp", tradable: true, instrument_token: CE, last_price: 512.35 },
    {
      mode: "full",
      tradable: false,
      instrument_token: INDEX,
      last_price: 80512.25,
      ohlc: { open: 80100, high: 80600.5, low: 80050.75, close: 80000 },
      timestamp: 1_756_957_500,
    },
  ]);
  try {
    c.connect();
    await until(() => server.connections.length === 1 && c.stats.connected, "connection");
    const ws = (server.connections[0] as Connection).ws;
    ws.send(HEARTBEAT_FRAME);
    ws.send(frame);
    ws.send(HEARTBEAT_FRAME);
    await until(() => c.stats.frames === 3, "three frames");
    assert.equal(seen.ticks.length, 1);
    assert.deepEqual(seen.ticks[0], decodeFrameToArray(frame));
    assert.equal(seen.ticks[0]?.[1]?.last_price, 80512.25);
    assert.equal(c.stats.ticks, 2);
    assert.notEqual(c.stats.lastFrameAt, null);
  } finally {
    await c.close();
    await server.close();
  }
});

test("TickerClient receiving order, error and message text frames → 'order', 'error' (kite) and 'message' events", async () => {
  const server = await startServer();
  const c = client(server);
  const seen = record(c);
  try {
    c.connect();
    await until(() => c.stats.connected && server.connections.length === 1, "connection");
    const ws = (server.connections[0] as Connection).ws;
    const order = { order_id: "151220000000000", status: "COMPLETE", filled_quantity: 20 };
    ws.send(JSON.stringify({ type: "order", data: order }));
    ws.send(JSON.stringify({ type: "error", data: "Invalid mode" }));
    ws.send(JSON.stringify({ type: "message", data: "hello" }));
    await until(() => c.stats.frames === 3, "three text frames");
    assert.deepEqual(seen.orders, [order]);
    assert.deepEqual(seen.errors, [{ source: "kite", message: "Invalid mode", data: "Invalid mode" }]);
    assert.deepEqual(seen.messages, ["hello"]);
    assert.deepEqual(seen.ticks, []);
  } finally {
    await c.close();
    await server.close();
  }
});

test("TickerClient dropped by the server → reconnects with the NEW token and re-sends subscribe + current modes", async () => {
  const server = await startServer();
  let token = "day-1";
  const c = client(server, { accessToken: () => token });
  const seen = record(c);
  try {
    c.subscribe([CE, PE]);
    c.subscribe([INDEX], "quote");
    c.connect();
    await until(() => server.connections[0]?.requests.length === 3, "first subscription");
    c.setMode("ltp", [PE]);
    await until(() => server.connections[0]?.requests.length === 4, "mode change");

    token = "day-2";
    (server.connections[0] as Connection).ws.terminate();
    await until(() => (server.connections[1]?.requests.length ?? 0) >= 4, "re-subscription");
    const second = server.connections[1] as Connection;
    assert.equal(second.url.searchParams.get("access_token"), "day-2");
    assert.deepEqual(second.requests, [
      { a: "subscribe", v: [CE, PE, INDEX] },
      { a: "mode", v: ["full", [CE]] },
      { a: "mode", v: ["ltp", [PE]] },
      { a: "mode", v: ["quote", [INDEX]] },
    ]);
    assert.equal(seen.disconnected.length, 1);
    assert.equal(seen.disconnected[0]?.willRetryInMs, 20);
    assert.deepEqual(seen.reconnecting, [{ attempt: 1, delayMs: 20 }]);
    assert.equal(seen.connected.length, 2);
    assert.equal(c.stats.reconnects, 1);
  } finally {
    await c.close();
    await server.close();
  }
});

test("TickerClient whose server goes silent → watchdog fires, socket terminated, reconnects", async () => {
  const server = await startServer();
  const c = client(server, { silenceMs: 150 });
  const seen = record(c);
  try {
    c.subscribe([CE]);
    c.connect();
    await until(() => server.connections.length === 2, "a second connection", 3000);
    assert.equal(seen.silence.length, 1);
    assert.equal(seen.silence[0]?.phase, "open");
    assert.ok((seen.silence[0]?.silentForMs ?? 0) >= 150);
    await until(() => (server.connections[1]?.requests.length ?? 0) === 2, "re-subscription");
    assert.deepEqual(server.connections[1]?.requests, [
      { a: "subscribe", v: [CE] },
      { a: "mode", v: ["full", [CE]] },
    ]);
  } finally {
    await c.close();
    await server.close();
  }
});

test("TickerClient whose handshake hangs (TCP accepted, no HTTP answer) → watchdog times it out and tries again", async () => {
  const sockets: Socket[] = [];
  const tcp = createServer((s) => sockets.push(s)); // reads the upgrade request, never answers
  tcp.listen(0, "127.0.0.1");
  await once(tcp, "listening");
  const c = new TickerClient({
    url: `ws://127.0.0.1:${(tcp.address() as AddressInfo).port}/ws`,
    apiKey: "k",
    accessToken: () => "t",
    random: () => 1,
    silenceMs: 100,
    backoff: { initialMs: 10, maxMs: 10 },
  });
  const seen = record(c);
  try {
    c.connect();
    await until(() => sockets.length >= 2, "a second TCP connection");
    assert.equal(seen.silence[0]?.phase, "connecting");
    assert.equal(seen.connected.length, 0);
  } finally {
    await c.close();
    for (const s of sockets) s.destroy();
    await new Promise((r) => tcp.close(r));
  }
});

test("TickerClient receiving only heartbeats → the watchdog stays quiet (heartbeats are life)", async () => {
  const server = await startServer();
  const c = client(server, { silenceMs: 150 });
  const seen = record(c);
  let beat: NodeJS.Timeout | undefined;
  try {
    c.connect();
    await until(() => server.connections.length === 1, "connection");
    const ws = (server.connections[0] as Connection).ws;
    beat = setInterval(() => ws.send(HEARTBEAT_FRAME), 40);
    await sleep(500);
    assert.deepEqual(seen.silence, []);
    assert.equal(server.connections.length, 1);
    assert.ok(c.stats.frames >= 5);
  } finally {
    clearInterval(beat);
    await c.close();
    await server.close();
  }
});

test("TickerClient with watchdogActive false → a silent socket is kept", async () => {
  const server = await startServer();
  const c = client(server, { silenceMs: 100, watchdogActive: () => false });
  const seen = record(c);
  try {
    c.connect();
    await until(() => c.stats.connected, "connection");
    await sleep(350);
    assert.deepEqual(seen.silence, []);
    assert.equal(server.connections.length, 1);
    assert.equal(c.stats.connected, true);
  } finally {
    await c.close();
    await server.close();
  }
});

test("TickerClient refused with HTTP 403 → handshake error, retries with growing backoff, connects once the token is renewed", async () => {
  const server = await startServer((url) => url.searchParams.get("access_token") === "good");
  let token = "expired";
  const c = client(server, { accessToken: () => token });
  const seen = record(c);
  c.on("reconnecting", ({ attempt }) => {
    if (attempt === 3) token = "good"; // renewed while the client waits
  });
  try {
    c.connect();
    await until(() => c.stats.connected, "connection with the renewed token");
    assert.equal(server.refused, 3);
    assert.deepEqual(
      seen.reconnecting.map((r) => r.delayMs),
      [20, 40, 80],
    );
    assert.equal(seen.errors.length, 3);
    assert.deepEqual(seen.errors[0], {
      source: "handshake",
      message: "Unexpected server response: 403",
      status: 403,
    });
    assert.equal(seen.disconnected.length, 3);
    assert.equal(seen.disconnected[0]?.reason, "HTTP 403");
    assert.equal(server.connections[0]?.url.searchParams.get("access_token"), "good");
  } finally {
    await c.close();
    await server.close();
  }
});

test("TickerClient without an access token → 'no_token' with backoff (no spinning), connects when a token appears", async () => {
  const server = await startServer();
  let token: string | null = null;
  const c = client(server, { accessToken: () => token, backoff: { initialMs: 40, maxMs: 400 } });
  const seen = record(c);
  try {
    c.connect();
    await sleep(130);
    // 40 + 80 ms of waiting fit in 130 ms: two or three asks, not thousands.
    assert.ok(seen.noToken.length >= 2 && seen.noToken.length <= 3, `${seen.noToken.length} asks`);
    assert.equal(server.connections.length, 0);
    token = "fresh";
    await until(() => c.stats.connected, "connection");
    assert.equal(server.connections[0]?.url.searchParams.get("access_token"), "fresh");
  } finally {
    await c.close();
    await server.close();
  }
});

test("TickerClient with a jitter source of 0 → delays stay above a floor and grow to the cap", async () => {
  const server = await startServer(() => false);
  const delays: number[] = [];
  const c = client(server, { random: () => 0, backoff: { initialMs: 10, maxMs: 40 } });
  c.on("reconnecting", (r) => delays.push(r.delayMs));
  const c2 = client(server, { random: () => 1, backoff: { initialMs: 10, maxMs: 40 } });
  const capped: number[] = [];
  c2.on("reconnecting", (r) => capped.push(r.delayMs));
  try {
    c.connect();
    c2.connect();
    await until(() => delays.length >= 5 && capped.length >= 5, "five attempts each");
    assert.ok(
      delays.every((d) => d >= 1),
      `delays ${delays}`,
    );
    assert.deepEqual(capped.slice(0, 5), [10, 20, 40, 40, 40]);
  } finally {
    await c.close();
    await c2.close();
    await server.close();
  }
});

test("TickerClient after a connection stable for stableMs → the backoff starts again from the first step", async () => {
  const server = await startServer();
  const c = client(server, { stableMs: 80 });
  const seen = record(c);
  try {
    c.connect();
    await until(() => server.connections.length === 1 && c.stats.connected, "first connection");
    (server.connections[0] as Connection).ws.terminate(); // unstable: dropped at once
    await until(() => server.connections.length === 2 && c.stats.connected, "second connection");
    (server.connections[1] as Connection).ws.terminate();
    await until(() => server.connections.length === 3 && c.stats.connected, "third connection");
    await sleep(150); // stable now
    (server.connections[2] as Connection).ws.terminate();
    await until(() => seen.reconnecting.length === 3, "third reconnect");
    assert.deepEqual(
      seen.reconnecting.map((r) => [r.attempt, r.delayMs]),
      [
        [1, 20],
        [2, 40],
        [1, 20],
      ],
    );
  } finally {
    await c.close();
    await server.close();
  }
});

test("TickerClient facing a refused port and no 'error' listener → nothing thrown, keeps retrying", async () => {
  const server = await startServer();
  const url = server.url;
  await server.close(); // the port is now closed
  const c = new TickerClient({
    url,
    apiKey: "k",
    accessToken: () => "t",
    random: () => 1,
    backoff: { initialMs: 10, maxMs: 20 },
  });
  const retries: number[] = [];
  c.on("reconnecting", (r) => retries.push(r.attempt));
  try {
    c.connect();
    await until(() => retries.length >= 3, "three retries");
    assert.ok(c.stats.errors >= 3);
    assert.equal(c.stats.connected, false);
  } finally {
    await c.close();
  }
});

test("TickerClient whose 'ticks' listener throws → 'error' (listener) and the socket keeps delivering", async () => {
  const server = await startServer();
  const c = client(server);
  const seen = record(c);
  c.on("ticks", () => {
    throw new Error("consumer bug");
  });
  try {
    c.connect();
    await until(() => c.stats.connected && server.connections.length === 1, "connection");
    const ws = (server.connections[0] as Connection).ws;
    const frame = encodeFrame([{ mode: "ltp", tradable: true, instrument_token: CE, last_price: 1 }]);
    ws.send(frame);
    ws.send(frame);
    await until(() => seen.ticks.length === 2, "both frames");
    assert.equal(seen.errors.length, 2);
    assert.equal(seen.errors[0]?.source, "listener");
    assert.match(seen.errors[0]?.message ?? "", /consumer bug/);
    assert.equal(server.connections.length, 1);
  } finally {
    await c.close();
    await server.close();
  }
});

test("TickerClient close() while connected → 'disconnected' with no retry, no reconnection afterwards", async () => {
  const server = await startServer();
  const c = client(server);
  const seen = record(c);
  c.connect();
  await until(() => c.stats.connected, "connection");
  await c.close();
  assert.equal(c.stats.connected, false);
  assert.deepEqual(
    seen.disconnected.map((d) => d.willRetryInMs),
    [null],
  );
  await sleep(100);
  assert.equal(server.connections.length, 1);
  assert.deepEqual(seen.reconnecting, []);
  await server.close();
});

/** Run in a child process: close() must leave nothing that keeps the event loop alive. */
const CHILD = `
const { TickerClient } = await import(process.env.CLIENT_URL);
const { WebSocketServer } = await import("ws");
const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
await new Promise((r) => wss.once("listening", r));
const client = new TickerClient({
  url: "ws://127.0.0.1:" + wss.address().port + "/ws",
  apiKey: "k",
  accessToken: () => "t",
  random: () => 1,
  backoff: { initialMs: 60000, maxMs: 60000 },
  silenceMs: 60000,
  stableMs: 60000,
});
client.on("error", () => {});
client.subscribe([265]);
// 1: dropped by the server, a 60 s retry pending when close() is called
wss.once("connection", (ws) => setTimeout(() => ws.terminate(), 20));
client.connect();
await new Promise((r) => client.once("reconnecting", r));
await client.close();
// 2: open, with the watchdog and stability timers armed, when close() is called
client.connect();
await new Promise((r) => client.once("connected", r));
await client.close();
await new Promise((r) => wss.close(r));
console.log("closed cleanly");
`;

test("TickerClient close() with a retry pending or a socket open → no handle left: the process exits by itself", async () => {
  const clientUrl = new URL("../../../src/adapters/kite/ticker-client.js", import.meta.url).href;
  const started = Date.now();
  const result = await new Promise<{ code: number | null; signal: string | null; stdout: string }>(
    (resolve) => {
      execFile(
        process.execPath,
        ["--input-type=module", "-e", CHILD],
        { cwd: REPO_ROOT, env: { ...process.env, CLIENT_URL: clientUrl }, timeout: 10_000 },
        (error, stdout) =>
          resolve({
            code: error ? ((error as { code?: number }).code ?? null) : 0,
            signal: error ? ((error as { signal?: string }).signal ?? null) : null,
            stdout,
          }),
      );
    },
  );
  const elapsed = Date.now() - started;
  assert.equal(result.signal, null, "the child had to be killed: something kept it alive");
  assert.equal(result.code, 0);
  assert.match(result.stdout, /closed cleanly/);
  assert.ok(elapsed < 5_000, `exited after ${elapsed} ms`);
});
