/**
 * The Kite adapter against the local simulator, end to end: the `pivot login` command, the
 * REST client (through the official kiteconnect package), orders with their postbacks and
 * socket updates, Kite's failures (429, 5xx, an expired token), and the ticker client.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { KiteRest } from "../../src/adapters/kite/kite-rest.js";
import { verifyPostback } from "../../src/adapters/kite/postback-verify.js";
import { RateLimiter } from "../../src/adapters/kite/rate-limiter.js";
import { readSessionFile, SessionStore } from "../../src/adapters/kite/session-store.js";
import { TickerClient } from "../../src/adapters/kite/ticker-client.js";
import type { Tick } from "../../src/adapters/kite/ticker-protocol.js";
import { systemClock } from "../../src/ports/clock.js";
import { type RunningSimulator, startSimulator } from "../../src/sim/simulator.js";
import { CLI, REAL_CANDLES_DIR } from "../support/paths.js";
import { loginAtSim, postbackCatcher } from "../support/sim-login.js";
import { waitFor } from "../support/wait.js";

const tmp = mkdtempSync(join(tmpdir(), "pivot-kite-sim-"));
const postbacks: string[] = [];
let postbackServer: Awaited<ReturnType<typeof postbackCatcher>>;
let callbackPort: number;
let sim: RunningSimulator;

/** A port that was free a moment ago (the login command listens on it). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

before(async () => {
  postbackServer = await postbackCatcher((body) => postbacks.push(body));
  callbackPort = await freePort();
  sim = await startSimulator({
    port: 0,
    dataDir: REAL_CANDLES_DIR,
    date: "2025-09-05",
    startPaused: true,
    speed: 2000,
    redirectUrl: `http://127.0.0.1:${callbackPort}/callback`,
    postbackUrl: postbackServer.url,
  });
  sim.advanceTo("09:30");
});

after(async () => {
  await sim?.close();
  await postbackServer.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** A REST client with its own session store, logged in through the simulator's login page. */
async function loggedInRest(): Promise<{ rest: KiteRest; store: SessionStore; expired: string[] }> {
  const store = new SessionStore({
    path: join(mkdtempSync(join(tmp, "s-")), "token.json"),
    clock: systemClock,
  });
  const expired: string[] = [];
  const rest = new KiteRest({
    apiKey: sim.apiKey,
    apiRoot: sim.url,
    timeoutMs: 5000,
    limiter: new RateLimiter({ clock: systemClock }),
    onSessionExpired: (token) => {
      expired.push(token);
      store.markExpired(token);
    },
    placeLookupDelaysMs: [50, 100],
  });
  store.save(await loginAtSim(sim, rest));
  return { rest, store, expired };
}

test("pivot login against the simulator → login page, callback, token exchange, session file 0600", async () => {
  const sessionFile = join(tmp, "login", "access_token.json");
  const config = join(tmp, "login-config.json");
  writeFileSync(
    config,
    JSON.stringify({
      api_key: sim.apiKey,
      api_secret: sim.apiSecret,
      auth: { callback_port: callbackPort, redirect_url: `http://127.0.0.1:${callbackPort}/callback` },
      kite: { api_root: sim.url, login_url: sim.loginUrl, ws_root: sim.wsUrl },
      data: { access_token_file: sessionFile },
    }),
  );
  const child = spawn(process.execPath, [CLI, "login", "--config", config], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    await waitFor(
      () => /http:\/\/127\.0\.0\.1:\d+\/connect\/login\?\S+/.test(stdout) && /Waiting/.test(stderr),
      "the login URL",
    );
    const loginUrl = /http:\/\/127\.0\.0\.1:\d+\/connect\/login\?\S+/.exec(stdout)?.[0] as string;
    // The trader's browser: the simulator's page redirects to the callback, which `pivot login` answers.
    const page = await fetch(`${loginUrl}&auto=1`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Logged in/);
    assert.equal(await exited, 0, stderr);
    const file = readSessionFile(sessionFile, systemClock.now());
    assert.equal(file.state, "valid");
    assert.equal(file.state === "valid" && file.session.userId, "SIM001");
    assert.equal(statSync(sessionFile).mode & 0o777, 0o600);
  } finally {
    child.kill();
  }
});

test("KiteRest against the simulator → every call the system uses returns typed data", async () => {
  const { rest } = await loggedInRest();
  const profile = await rest.profile();
  assert.ok(profile.ok && profile.value.user_id === "SIM001");
  const margins = await rest.margins();
  assert.ok(margins.ok, JSON.stringify(margins));
  const bfo = await rest.instruments("BFO");
  assert.ok(bfo.ok && bfo.value.includes("SENSEX2591180500CE"));
  const bse = await rest.instruments("BSE");
  assert.ok(bse.ok && /^265,/m.test(bse.value));
  const ltp = await rest.ltp(["BFO:SENSEX2591180500CE"]);
  assert.ok(ltp.ok, JSON.stringify(ltp));
  assert.ok((ltp.value["BFO:SENSEX2591180500CE"]?.last_price ?? 0) > 0);
  await new Promise((r) => setTimeout(r, 1100)); // quote class: one request a second
  const ohlc = await rest.ohlc(["BFO:SENSEX2591180500CE"]);
  assert.ok(ohlc.ok, JSON.stringify(ohlc));
  const token = Number(/^(\d+),\d+,SENSEX2591180500CE,/m.exec(bfo.ok ? bfo.value : "")?.[1]);
  const history = await rest.historical(token, "3minute", "2025-09-04 09:15:00", "2025-09-05 15:30:00");
  assert.ok(history.ok, JSON.stringify(history));
  // The previous day in full, and today's candles up to the replay's 09:30 (no peeking ahead).
  assert.ok(history.value.length > 125 && history.value.length < 135, String(history.value.length));
  for (const call of [rest.orders(), rest.trades(), rest.positions()]) {
    const r = await call;
    assert.ok(r.ok, JSON.stringify(r));
  }
});

test("an order through KiteRest → filled by the replay, posted back with a valid checksum, on the socket too", async () => {
  const { rest, store } = await loggedInRest();
  const orderUpdates: Record<string, unknown>[] = [];
  const ticker = new TickerClient({
    url: sim.wsUrl,
    apiKey: sim.apiKey,
    accessToken: () => store.current()?.accessToken ?? null,
  });
  ticker.on("order", (o: Record<string, unknown>) => orderUpdates.push(o));
  ticker.on("error", () => {});
  ticker.connect();
  try {
    await waitFor(() => ticker.stats.connected, "the ticker to connect");
    const placed = await rest.placeOrder({
      exchange: "BFO",
      tradingsymbol: "SENSEX2591180500CE",
      transaction_type: "BUY",
      order_type: "MARKET",
      quantity: 20,
      product: "MIS",
      tag: "it20250905001",
    });
    assert.ok(placed.ok, JSON.stringify(placed));
    const orderId = placed.value.order_id;
    sim.advanceTo("09:33");
    await sim.postbacksIdle();
    const mine = postbacks
      .map((b) => verifyPostback(b, sim.apiSecret))
      .filter((v) => v.ok && v.update.order_id === orderId);
    assert.ok(mine.length >= 1, "a verified postback for the order");
    assert.ok(mine.some((v) => v.ok && v.update.status === "COMPLETE"));
    await waitFor(
      () => orderUpdates.some((o) => o.order_id === orderId && o.status === "COMPLETE"),
      "the socket update",
    );
    const history = await rest.orderHistory(orderId);
    assert.ok(history.ok && history.value.at(-1)?.status === "COMPLETE");
    const fills = await rest.orderTrades(orderId);
    assert.ok(fills.ok && fills.value.length >= 1);
    const positions = await rest.positions();
    assert.ok(
      positions.ok &&
        positions.value.net.some((p) => p.tradingsymbol === "SENSEX2591180500CE" && p.quantity === 20),
    );
    // A postback whose order id was changed no longer matches its checksum. (Kite's checksum
    // covers only the order id and timestamp: the engine checks the rest against the order book.)
    const forged = JSON.parse(postbacks.at(-1) as string);
    forged.order_id = "999999999999999";
    assert.equal(verifyPostback(JSON.stringify(forged), sim.apiSecret).ok, false);
  } finally {
    await ticker.close();
  }
});

test("429 and 5xx bursts on a GET → retried within the bound, then the data", async () => {
  const { rest } = await loggedInRest();
  sim.injectFault({ kind: "http_429", count: 1 });
  const afterRateLimit = await rest.orders();
  assert.ok(afterRateLimit.ok, JSON.stringify(afterRateLimit));
  sim.injectFault({ kind: "http_5xx", count: 2, status: 503 });
  const afterServerErrors = await rest.positions();
  assert.ok(afterServerErrors.ok, JSON.stringify(afterServerErrors));
  sim.injectFault({ kind: "http_5xx", count: 10, status: 502 });
  const givenUp = await rest.trades();
  assert.ok(!givenUp.ok && givenUp.error.kind === "server", JSON.stringify(givenUp));
  sim.injectFault({ kind: "clear" });
});

test("a 5xx answer to an order → looked up by its tag, never placed twice", async () => {
  const { rest } = await loggedInRest();
  const before = sim.state().orders.length;
  // The simulator takes the order, then answers 503: the client cannot know it was placed.
  sim.injectFault({ kind: "http_5xx", count: 1, status: 503 });
  const placed = await rest.placeOrder({
    exchange: "BFO",
    tradingsymbol: "SENSEX2591180500PE",
    transaction_type: "BUY",
    order_type: "LIMIT",
    price: 1,
    quantity: 20,
    product: "MIS",
    tag: "it20250905002",
  });
  const created = sim.state().orders.length - before;
  assert.ok(created <= 1, `at most one order, found ${created}`);
  if (placed.ok) assert.equal(sim.state().orders.filter((o) => o.tag === "it20250905002").length, 1);
  sim.injectFault({ kind: "clear" });
});

test("an expired token → one session_expired, the session file invalid, later calls refused at once", async () => {
  const { rest, store, expired } = await loggedInRest();
  assert.ok(store.current());
  let events = 0;
  store.on("session_expired", () => events++);
  sim.injectFault({ kind: "expire_token" });
  const [a, b] = await Promise.all([rest.orders(), rest.positions()]);
  assert.ok(!a.ok && a.error.kind === "session_expired");
  assert.ok(!b.ok && b.error.kind === "session_expired");
  assert.equal(expired.length, 1);
  assert.equal(events, 1);
  assert.equal(store.current(), null);
  assert.notEqual(readSessionFile(store.path, systemClock.now()).state, "valid");
});

test("ticker client against the simulator → ticks; a dropped socket reconnects with the new token and re-subscribes", async () => {
  const { store } = await loggedInRest();
  let token = store.current()?.accessToken ?? null;
  const ticks: Tick[] = [];
  const urls: string[] = [];
  const ticker = new TickerClient({
    url: sim.wsUrl,
    apiKey: sim.apiKey,
    accessToken: () => token,
    backoff: { initialMs: 20, maxMs: 100 },
    silenceMs: 1500,
  });
  ticker.on("ticks", (t: Tick[]) => ticks.push(...t));
  ticker.on("connected", (e: { url: string }) => urls.push(e.url));
  ticker.on("error", () => {});
  ticker.subscribe([265], "full");
  ticker.connect();
  try {
    await waitFor(() => ticker.stats.connected, "the first connection");
    sim.advanceTo("09:36");
    await waitFor(() => ticks.some((t) => t.instrument_token === 265), "index ticks");

    // A new day's token, then the socket drops: the client must use the new token and re-subscribe.
    token = (await loggedInRest()).store.current()?.accessToken ?? null;
    sim.injectFault({ kind: "drop_socket" });
    await waitFor(() => ticker.stats.reconnects >= 1 && ticker.stats.connected, "the reconnection");
    const subscribed = () =>
      sim
        .state()
        .subscriptions.some((s) => Object.keys(s.modes).includes("265") && s.modes["265"] === "full");
    await waitFor(subscribed, "the re-subscription in full mode");
    const count = ticks.length;
    sim.advanceTo("09:39");
    await waitFor(() => ticks.length > count, "ticks after the reconnection");

    // Silence without closing: the watchdog reconnects.
    const reconnects = ticker.stats.reconnects;
    sim.injectFault({ kind: "silence_socket", seconds: 5 });
    await waitFor(() => ticker.stats.reconnects > reconnects, "the watchdog reconnection", 8000);
  } finally {
    await ticker.close();
  }
});
