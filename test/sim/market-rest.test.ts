import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { loadCandleDirectory } from "../../src/backtest/candle-directory.js";
import type { Candle } from "../../src/domain/candle.js";
import { type RunningSimulator, startSimulator } from "../../src/sim/simulator.js";
import { REAL_BFO_MASTER } from "../support/paths.js";
import { type Kite, type Loose, loggedInClient, REAL_CANDLES_DIR, rejection } from "./sim-helpers.js";

const SYMBOL = "SENSEX2591180500CE";
const data = loadCandleDirectory(REAL_CANDLES_DIR, () => {}).byDay;
const candlesOf = (day: string, symbol = SYMBOL): Candle[] => data.get(day)?.get(symbol)?.toCandles() ?? [];
const hhmm = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;

let sim: RunningSimulator;
let kite: Kite;
let auth: Record<string, string>;
let token: number;

before(async () => {
  sim = await startSimulator({
    port: 0,
    dataDir: REAL_CANDLES_DIR,
    date: "2025-09-05",
    startPaused: true,
    rateLimits: false,
  });
  const login = await loggedInClient(sim);
  kite = login.kite;
  auth = { authorization: `token ${sim.apiKey}:${login.accessToken}`, "x-kite-version": "3" };
  const master = await kite.getInstruments("BFO");
  token = Number(master.find((i) => i.tradingsymbol === SYMBOL)?.instrument_token);
});
after(() => sim.close());

const getJson = async (path: string) => {
  const res = await fetch(`${sim.url}${path}`, { headers: auth });
  return {
    status: res.status,
    body: (await res.json()) as { status: string; data: Loose; error_type?: string; message?: string },
  };
};

test("GET /instruments/BFO → Kite's CSV header, the data's 20 contracts, BFO tokens (low byte 5), lot 20, tick 0.05", async () => {
  const res = await fetch(`${sim.url}/instruments/BFO`, { headers: auth });
  assert.equal(res.headers.get("content-type"), "text/csv");
  const lines = (await res.text()).trim().split("\n");
  assert.equal(
    lines[0],
    "instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange",
  );
  // The client's CSV parser turns the closing newline into one empty row, as it does with Kite's.
  const rows = (await kite.getInstruments("BFO")).filter((r) => r.tradingsymbol);
  assert.equal(rows.length, 20);
  assert.equal(lines.length, 21);
  for (const r of rows) {
    const t = Number(r.instrument_token);
    assert.equal(t & 0xff, 5, `${r.tradingsymbol} token ${t}`);
    assert.equal(Math.floor(t / 256), Number(r.exchange_token));
    assert.equal(r.lot_size, 20);
    assert.equal(r.tick_size, 0.05);
    assert.equal(r.segment, "BFO-OPT");
    assert.equal(r.exchange, "BFO");
    assert.equal(r.name, "SENSEX");
    assert.equal(String(r.tradingsymbol).slice(-2), r.instrument_type);
    assert.equal(String(r.tradingsymbol), `SENSEX25911${r.strike}${r.instrument_type}`);
  }
  assert.ok(lines.some((l) => l.endsWith(",2025-09-11,80500.0,0.05,20,CE,BFO-OPT,BFO")));
});

test("GET /instruments/BSE → the SENSEX index row as Kite's master has it; /instruments → both exchanges", async () => {
  const bse = await (await fetch(`${sim.url}/instruments/BSE`, { headers: auth })).text();
  assert.deepEqual(bse.trim().split("\n").slice(1), ["265,1,SENSEX,SENSEX,0.0,,0.0,0.0,0,EQ,INDICES,BSE"]);
  const all = (await kite.getInstruments()).filter((r) => r.tradingsymbol);
  assert.equal(all.length, 21);
  assert.equal((await getJson("/instruments/XYZ")).body.error_type, "InputException");
  assert.equal((await fetch(`${sim.url}/instruments/BFO`)).status, 403);
});

test("instrumentFiles with Zerodha's BFO dump → the real instrument tokens", async () => {
  const real = await startSimulator({
    port: 0,
    dataDir: REAL_CANDLES_DIR,
    date: "2025-09-05",
    startPaused: true,
    instrumentFiles: [REAL_BFO_MASTER],
  });
  try {
    const { kite: k } = await loggedInClient(real);
    const row = (await k.getInstruments("BFO")).find((i) => i.tradingsymbol === SYMBOL);
    assert.equal(Number(row?.instrument_token), 219952901);
  } finally {
    await real.close();
  }
});

test("quote, ohlc and ltp after 09:20:59 → the replayed day so far: open, high, low, volume of the played candles, previous close", async () => {
  sim.advanceTo("09:20:59");
  const today = candlesOf("2025-09-05").slice(0, 2);
  const previous = candlesOf("2025-09-04");
  const prevClose = (previous[previous.length - 1] as Candle).close;
  const key = `BFO:${SYMBOL}`;
  const quote = (await kite.getQuote([key, String(token), "BFO:NOPE"])) as Loose;
  assert.deepEqual(Object.keys(quote).sort(), [key, String(token)].sort());
  const q = quote[key];
  assert.equal(q.instrument_token, token);
  assert.equal(q.last_price, (today[1] as Candle).close);
  assert.deepEqual(q.ohlc, {
    open: (today[0] as Candle).open,
    high: Math.max(...today.map((c) => c.high)),
    low: Math.min(...today.map((c) => c.low)),
    close: prevClose,
  });
  assert.equal(
    q.volume,
    today.reduce((s, c) => s + c.volume, 0),
  );
  assert.equal(q.depth.buy.length, 5);
  assert.equal(q.depth.sell.length, 5);
  for (const field of [
    "timestamp",
    "last_trade_time",
    "last_quantity",
    "buy_quantity",
    "sell_quantity",
    "average_price",
    "oi",
    "net_change",
    "lower_circuit_limit",
    "upper_circuit_limit",
  ]) {
    assert.ok(field in q, `quote has ${field}`);
  }
  const ohlc = (await kite.getOHLC([key])) as Loose;
  assert.deepEqual(ohlc[key], { instrument_token: token, last_price: q.last_price, ohlc: q.ohlc });
  const ltp = (await kite.getLTP([key, "BSE:SENSEX"])) as Loose;
  assert.deepEqual(ltp[key], { instrument_token: token, last_price: q.last_price });
  assert.equal(ltp["BSE:SENSEX"].instrument_token, 265);
  assert.ok(ltp["BSE:SENSEX"].last_price > 79_000 && ltp["BSE:SENSEX"].last_price < 82_000);
});

test("historical 3minute of a past day → exactly the data's candles, Kite's row format", async () => {
  const { status, body } = await getJson(
    `/instruments/historical/${token}/3minute?from=2025-09-04+09:15:00&to=2025-09-04+15:30:00`,
  );
  assert.equal(status, 200);
  const expected = candlesOf("2025-09-04").map((c) => [
    `2025-09-04T${hhmm(c.start)}:00+0530`,
    c.open,
    c.high,
    c.low,
    c.close,
    c.volume,
  ]);
  assert.deepEqual(body.data.candles, expected);
  const viaClient = await kite.getHistoricalData(
    token,
    "3minute",
    "2025-09-04 09:15:00",
    "2025-09-04 15:30:00",
  );
  assert.equal(viaClient.length, expected.length);
  assert.equal(viaClient[0]?.date.toISOString(), "2025-09-04T03:45:00.000Z");
});

test("historical minute candles → three of them make each 3-minute candle (built from the same ticks)", async () => {
  const { body } = await getJson(
    `/instruments/historical/${token}/minute?from=2025-09-04+09:15:00&to=2025-09-04+10:14:59`,
  );
  const minutes = body.data.candles as Array<[string, number, number, number, number, number]>;
  assert.equal(minutes.length, 60);
  const three = candlesOf("2025-09-04").slice(0, 20);
  three.forEach((c, i) => {
    const group = minutes.slice(i * 3, i * 3 + 3);
    assert.equal(group[0]?.[1], c.open);
    assert.equal(Math.max(...group.map((m) => m[2])), c.high);
    assert.equal(Math.min(...group.map((m) => m[3])), c.low);
    assert.equal(group[2]?.[4], c.close);
    assert.equal(
      group.reduce((s, m) => s + m[5], 0),
      c.volume,
    );
  });
});

test("historical of the replay day → only what has been played: the running candle up to the last tick, nothing later", async () => {
  sim.advanceTo("09:22:00");
  const { body } = await getJson(
    `/instruments/historical/${token}/3minute?from=2025-09-05+09:15:00&to=2025-09-05+15:30:00`,
  );
  const rows = body.data.candles as Array<[string, number, number, number, number, number]>;
  assert.deepEqual(
    rows.map((r) => r[0]),
    ["2025-09-05T09:15:00+0530", "2025-09-05T09:18:00+0530", "2025-09-05T09:21:00+0530"],
  );
  const ltp = ((await kite.getLTP([`BFO:${SYMBOL}`])) as Loose)[`BFO:${SYMBOL}`].last_price;
  assert.equal(rows[2]?.[4], ltp);
  assert.ok((rows[2]?.[5] as number) < (candlesOf("2025-09-05")[2] as Candle).volume);
  const future = await getJson(
    `/instruments/historical/${token}/3minute?from=2025-09-06+09:15:00&to=2025-09-08+15:30:00`,
  );
  assert.deepEqual(future.body.data.candles, []);
});

test("historical day candles → one per day, the daily bar, timestamped at midnight IST", async () => {
  const { body } = await getJson(`/instruments/historical/${token}/day?from=2025-09-01&to=2025-09-04`);
  const bars = ["2025-09-01", "2025-09-02", "2025-09-04"].map((d) => {
    const cs = candlesOf(d);
    return [
      `${d}T00:00:00+0530`,
      cs[0]?.open,
      Math.max(...cs.map((c) => c.high)),
      Math.min(...cs.map((c) => c.low)),
      cs[cs.length - 1]?.close,
      cs.reduce((s, c) => s + c.volume, 0),
    ];
  });
  assert.deepEqual(body.data.candles, bars);
});

test("historical over Kite's range limits or with bad parameters → InputException", async () => {
  const over3 = await getJson(
    `/instruments/historical/${token}/3minute?from=2025-05-01+09:15:00&to=2025-09-05+15:30:00`,
  );
  assert.equal(over3.status, 400);
  assert.equal(over3.body.error_type, "InputException");
  assert.equal(over3.body.message, "interval exceeds max limit: 100 days");
  const overDay = await getJson(`/instruments/historical/${token}/day?from=2019-01-01&to=2025-09-05`);
  assert.equal(overDay.body.message, "interval exceeds max limit: 2000 days");
  const within = await getJson(
    `/instruments/historical/${token}/3minute?from=2025-06-01+09:15:00&to=2025-09-05+15:30:00`,
  );
  assert.equal(within.status, 200);
  for (const path of [
    `/instruments/historical/${token}/2minute?from=2025-09-04&to=2025-09-04`,
    `/instruments/historical/${token}/day?from=yesterday&to=2025-09-04`,
    "/instruments/historical/12345/day?from=2025-09-04&to=2025-09-04",
  ]) {
    assert.equal((await getJson(path)).body.error_type, "InputException", path);
  }
});

test("margins and profile → Kite's shapes (equity and commodity segments)", async () => {
  const margins = (await kite.getMargins()) as Loose;
  assert.deepEqual(Object.keys(margins).sort(), ["commodity", "equity"]);
  assert.equal(margins.equity.available.opening_balance, 500_000);
  for (const k of ["debits", "exposure", "m2m_realised", "m2m_unrealised", "option_premium", "span"]) {
    assert.ok(k in margins.equity.utilised, k);
  }
  const equity = (await kite.getMargins("equity")) as Loose;
  assert.equal(equity.net, margins.equity.net);
  assert.equal((await getJson("/user/margins/forex")).body.error_type, "InputException");
  assert.deepEqual(await kite.getPositions(), { net: [], day: [] });
});

test("quote endpoint called twice within a second (Kite: 1 request/s) → HTTP 429 NetworkException, then allowed again", async () => {
  const limited = await startSimulator({
    port: 0,
    dataDir: REAL_CANDLES_DIR,
    date: "2025-09-05",
    startPaused: true,
  });
  try {
    const { kite: k, accessToken } = await loggedInClient(limited);
    await k.getLTP(["BSE:SENSEX"]);
    const e = await rejection(k.getLTP(["BSE:SENSEX"]));
    assert.deepEqual(e, { status: "error", error_type: "NetworkException", message: "Too many requests" });
    const raw = await fetch(`${limited.url}/quote/ohlc?i=BSE:SENSEX`, {
      headers: { authorization: `token ${limited.apiKey}:${accessToken}` },
    });
    assert.equal(raw.status, 429);
    await k.getProfile(); // another class has its own bucket
    await new Promise((r) => setTimeout(r, 1050));
    await k.getLTP(["BSE:SENSEX"]);
  } finally {
    await limited.close();
  }
});

test("historical beyond 3 requests a second, or orders beyond 10 a second → 429", async () => {
  const limited = await startSimulator({
    port: 0,
    dataDir: REAL_CANDLES_DIR,
    date: "2025-09-05",
    startPaused: true,
  });
  try {
    const { accessToken } = await loggedInClient(limited);
    const headers = { authorization: `token ${limited.apiKey}:${accessToken}` };
    const hist = await Promise.all(
      Array.from({ length: 4 }, () =>
        fetch(`${limited.url}/instruments/historical/265/day?from=2025-09-01&to=2025-09-02`, {
          headers,
        }).then((r) => r.status),
      ),
    );
    assert.deepEqual([...hist].sort(), [200, 200, 200, 429]);
    const orders = await Promise.all(
      Array.from({ length: 11 }, () =>
        fetch(`${limited.url}/orders/regular`, {
          method: "POST",
          headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
          body: "exchange=BFO",
        }).then((r) => r.status),
      ),
    );
    assert.equal(orders.filter((s) => s === 429).length, 1);
  } finally {
    await limited.close();
  }
});

test("no data directory → a synthetic market of two days, replaying the second, with the index and its contracts", async () => {
  const synthetic = await startSimulator({ port: 0, startPaused: true, rateLimits: false });
  try {
    const state = synthetic.state();
    assert.equal(state.date, "2025-09-02");
    assert.equal(state.source, "synthetic");
    assert.deepEqual(state.derivedIndexDays, []);
    const { kite: k } = await loggedInClient(synthetic);
    const ltp = (await k.getLTP(["BSE:SENSEX"])) as Loose;
    assert.ok(ltp["BSE:SENSEX"].last_price > 0);
    // Each day lists its ATM ± 5 strikes, CE and PE: 22 a day, more when the ATM moved.
    const options = (await k.getInstruments("BFO")).filter((r) => r.tradingsymbol);
    assert.ok(options.length >= 22, `${options.length} contracts`);
    assert.equal(state.instruments, options.length + 1);
  } finally {
    await synthetic.close();
  }
});
