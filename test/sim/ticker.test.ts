import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Tick } from "../../src/adapters/kite/ticker-protocol.js";
import { loadCandleDirectory } from "../../src/backtest/candle-directory.js";
import type { Candle } from "../../src/domain/candle.js";
import { istEpochMs } from "../../src/domain/ist.js";
import { type RunningSimulator, startSimulator } from "../../src/sim/simulator.js";
import {
  type Kite,
  loggedInClient,
  openSocket,
  REAL_CANDLES_DIR,
  type SocketRecorder,
  waitFor,
} from "./sim-helpers.js";

const SYMBOL = "SENSEX2591180500CE";
const data = loadCandleDirectory(REAL_CANDLES_DIR, () => {}).byDay;
const candles = data.get("2025-09-05")?.get(SYMBOL)?.toCandles() as Candle[];
const previous = data.get("2025-09-04")?.get(SYMBOL)?.toCandles() as Candle[];
const seconds = (hhmm: string) =>
  istEpochMs("2025-09-05", Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))) / 1000;

let sim: RunningSimulator;
let kite: Kite;
let accessToken: string;
let token: number;
const sockets: SocketRecorder[] = [];
const open = async () => {
  const s = await openSocket(sim, accessToken);
  sockets.push(s);
  return s;
};
/** Closes the test's sockets and waits until the simulator has let go of them. */
const closeAll = async (...list: SocketRecorder[]) => {
  for (const s of list) s.ws.terminate();
  await waitFor(() => sim.state().subscriptions.length === 0, 2000, "sockets closed");
};

before(async () => {
  sim = await startSimulator({
    port: 0,
    dataDir: REAL_CANDLES_DIR,
    date: "2025-09-05",
    startPaused: true,
    rateLimits: false,
  });
  ({ kite, accessToken } = await loggedInClient(sim));
  token = Number(
    (await kite.getInstruments("BFO")).find((i) => i.tradingsymbol === SYMBOL)?.instrument_token,
  );
});
after(async () => {
  for (const s of sockets) s.ws.terminate();
  await sim.close();
});

test("ticker with a token the simulator never issued → the upgrade is refused with HTTP 403", async () => {
  await assert.rejects(openSocket(sim, "not_a_token"), /HTTP 403/);
  await assert.rejects(openSocket(sim, accessToken, "other_key"), /HTTP 403/);
});

test("subscribe + mode full → binary frames that decode to the replayed candle: open first, its high and low, its close, its volume", async () => {
  const s = await open();
  s.send({ a: "subscribe", v: [token, 265] });
  s.send({ a: "mode", v: ["full", [token]] });
  await waitFor(() => sim.state().subscriptions.some((c) => c.modes[String(token)] === "full"), 2000, "mode");
  sim.advanceTo("09:18:00");
  await waitFor(
    () => s.ticks.some((t) => t.instrument_token === token && t.last_trade_time === seconds("09:18")),
    3000,
    "ticks",
  );
  const traded = s.ticks.filter((t) => t.instrument_token === token && (t.volume ?? 0) > 0);
  const first = traded.filter((t) => (t.last_trade_time as number) < seconds("09:18"));
  const c = candles[0] as Candle;
  assert.ok(first.length >= 4 && first.length <= 12, `${first.length} ticks in the candle`);
  assert.ok(first.every((t) => t.mode === "full" && t.depth?.buy.length === 5 && t.tradable));
  assert.equal(first[0]?.last_price, c.open);
  assert.equal(Math.max(...first.map((t) => t.last_price)), c.high);
  assert.equal(Math.min(...first.map((t) => t.last_price)), c.low);
  assert.equal(first[first.length - 1]?.last_price, c.close);
  assert.equal(first[first.length - 1]?.volume, c.volume);
  assert.deepEqual(first[first.length - 1]?.ohlc, {
    open: c.open,
    high: c.high,
    low: c.low,
    close: (previous[previous.length - 1] as Candle).close,
  });
  const next = traded.find((t) => t.last_trade_time === seconds("09:18")) as Tick;
  assert.equal(next.last_price, (candles[1] as Candle).open);
  const index = s.ticks.filter((t) => t.instrument_token === 265);
  assert.ok(index.length > 4);
  assert.ok(index.every((t) => t.mode === "quote" && !t.tradable && (t.ohlc?.close ?? 0) > 0));
  await closeAll(s);
});

test("mode ltp, then unsubscribe → 8-byte LTP packets, then nothing more for that instrument", async () => {
  const s = await open();
  s.send({ a: "subscribe", v: [token] });
  s.send({ a: "mode", v: ["ltp", [token]] });
  await waitFor(() => sim.state().subscriptions.some((c) => c.modes[String(token)] === "ltp"), 2000, "mode");
  const before = s.ticks.length;
  sim.advanceTo("09:21:00");
  await waitFor(() => s.ticks.length > before + 3, 2000, "ltp ticks");
  assert.ok(s.ticks.slice(before).every((t) => t.mode === "ltp" && t.ohlc === undefined));
  s.send({ a: "unsubscribe", v: [token] });
  await waitFor(
    () => sim.state().subscriptions.every((c) => !(String(token) in c.modes)),
    2000,
    "unsubscribe",
  );
  const count = s.ticks.length;
  sim.advanceTo("09:24:00");
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(s.ticks.length, count);
  await closeAll(s);
});

test("an idle socket → a 1-byte heartbeat about every second", async () => {
  const s = await open();
  await waitFor(() => s.heartbeats >= 2, 3000, "two heartbeats");
  await closeAll(s);
});

test("drop_socket fault → every ticker socket closes abruptly (1006, no close frame)", async () => {
  const s = await open();
  sim.injectFault({ kind: "drop_socket" });
  await waitFor(() => s.closed !== null, 2000, "close");
  assert.equal(s.closed?.code, 1006);
});

test("silence_socket fault → the socket stays open but nothing comes, not even heartbeats; then they resume", async () => {
  const s = await open();
  s.send({ a: "subscribe", v: [token] });
  await waitFor(() => sim.state().subscriptions.some((c) => String(token) in c.modes), 2000, "subscribe");
  await new Promise((r) => setTimeout(r, 50));
  sim.injectFault({ kind: "silence_socket", seconds: 1.3 });
  const from = s.arrivals.length;
  sim.advanceTo("09:30:00");
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal(s.arrivals.length, from, "nothing during the silence");
  assert.equal(s.closed, null);
  await waitFor(() => s.heartbeats > 0 && s.arrivals.length > from, 2500, "heartbeats again");
  await closeAll(s);
});

test("a fourth socket for one api_key → refused (Kite allows three connections an api_key)", async () => {
  const three = await Promise.all([open(), open(), open()]);
  await assert.rejects(openSocket(sim, accessToken), /HTTP 429/);
  await closeAll(...three);
  await closeAll(await open());
});

test("start() at speed 2000 → market time runs 2000× real time and ticks flow by themselves", async () => {
  const fast = await startSimulator({
    port: 0,
    dataDir: REAL_CANDLES_DIR,
    date: "2025-09-05",
    startPaused: true,
    speed: 2000,
  });
  try {
    const login = await loggedInClient(fast);
    const s = await openSocket(fast, login.accessToken);
    sockets.push(s);
    s.send({ a: "subscribe", v: [265] });
    const t0 = fast.state().marketTimeMs;
    assert.equal(fast.state().marketTime, "2025-09-05T09:15:00+05:30");
    fast.start();
    await waitFor(() => s.ticks.length > 20, 3000, "ticks");
    await new Promise((r) => setTimeout(r, 300));
    const state = fast.state();
    assert.equal(state.running, true);
    const elapsed = (state.marketTimeMs - t0) / 2000;
    assert.ok(elapsed > 250 && elapsed < 5000, `${elapsed} ms of real time`);
    assert.ok(state.ticks.played > 0);
  } finally {
    await fast.close();
  }
});
