import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, beforeEach, test } from "node:test";
import type { KiteRestOptions } from "../../../src/adapters/kite/kite-rest.js";
import { parseInstrumentMaster } from "../../../src/domain/instruments.js";
import { BFO_MASTER_CSV, FakeKite, kiteData, kiteError, mockJson, restOnFake } from "./fake-kite.js";

let fake: FakeKite;
before(async () => {
  fake = await FakeKite.start();
});
after(() => fake.close());
beforeEach(() => fake.clearRequests());

/** A client on the fake (see restOnFake). */
const client = (options: Partial<KiteRestOptions> = {}) => restOnFake(fake, options);

function value<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) assert.fail(`expected success, got ${JSON.stringify(r.error)}`);
  return r.value;
}

test("KiteRest.profile on the recorded payload → typed profile, sent with Kite's headers", async () => {
  const { kite } = client();
  const profile = value(await kite.profile());
  assert.equal(profile.user_id, "AB1234");
  assert.equal(profile.user_name, "AxAx Bxx");
  assert.ok(profile.exchanges.includes("BFO"));
  const req = fake.requests.at(-1);
  assert.equal(req?.headers.authorization, "token testkey:access-token-1");
  assert.equal(req?.headers["x-kite-version"], "3");
});

test("KiteRest.margins on the recorded payload → equity net and live balance", async () => {
  const m = value(await client().kite.margins());
  assert.equal(m.equity?.net, 99725.05000000002);
  assert.equal(m.equity?.available.live_balance, 99725.05000000002);
  assert.equal(m.equity?.utilised.span, 101989);
});

test("KiteRest.instruments BFO (text/csv) → CSV text that parses to the same master as the dump", async () => {
  const csv = value(await client().kite.instruments("BFO"));
  const expected = parseInstrumentMaster(readFileSync(BFO_MASTER_CSV, "utf8"));
  assert.deepEqual(parseInstrumentMaster(csv), expected);
  assert.ok(parseInstrumentMaster(csv).some((i) => i.tradingsymbol === "SENSEX2591180500CE"));
});

test("KiteRest.instruments with a charset in the content type → the body as sent", async () => {
  const raw = readFileSync(BFO_MASTER_CSV, "utf8");
  fake.route("GET /instruments/:exchange", { text: raw, contentType: "text/csv; charset=utf-8" });
  try {
    assert.equal(value(await client().kite.instruments("BFO")), raw);
  } finally {
    fake.route("GET /instruments/:exchange", { text: raw, contentType: "text/csv" });
  }
});

test("KiteRest.quote / ohlc / ltp on the recorded payloads → typed quotes keyed EXCHANGE:SYMBOL", async () => {
  const { kite } = client();
  const quote = value(await kite.quote(["NSE:INFY"]));
  assert.equal(quote["NSE:INFY"]?.last_price, 1412.95);
  assert.equal(quote["NSE:INFY"]?.ohlc.open, 1396);
  assert.equal(quote["NSE:INFY"]?.timestamp, "2021-06-08 15:45:56");
  assert.equal(quote["NSE:INFY"]?.depth?.sell[0]?.quantity, 5191);
  assert.deepEqual(fake.requests.at(-1)?.query.getAll("i"), ["NSE:INFY"]);
  assert.equal(value(await kite.ohlc(["NSE:INFY"]))["NSE:INFY"]?.ohlc.close, 1075.8);
  assert.equal(value(await kite.ltp(["NSE:INFY", "BSE:SENSEX"]))["NSE:INFY"]?.last_price, 1074.35);
  assert.deepEqual(fake.requests.at(-1)?.query.getAll("i"), ["NSE:INFY", "BSE:SENSEX"]);
});

test("KiteRest.historical → candles with their instants, asked with IST wall-clock texts", async () => {
  const candles = value(
    await client().kite.historical(265, "minute", "2017-12-15 00:00:00", "2017-12-15 23:59:59"),
  );
  assert.equal(candles.length, 6);
  assert.deepEqual(candles[0], {
    time: Date.parse("2017-12-15T09:15:00+05:30"),
    open: 1704.5,
    high: 1705,
    low: 1699.25,
    close: 1702.8,
    volume: 2499,
  });
  const req = fake.requests.at(-1);
  assert.equal(req?.path, "/instruments/historical/265/minute");
  assert.equal(req?.query.get("from"), "2017-12-15 00:00:00");
  assert.equal(req?.query.get("to"), "2017-12-15 23:59:59");
});

test("KiteRest.orders / orderHistory / orderTrades / trades / positions → typed payloads", async () => {
  const { kite } = client();
  const orders = value(await kite.orders());
  const raw = mockJson<{ data: Array<Record<string, unknown>> }>("orders.json").data;
  assert.equal(orders.length, raw.length);
  assert.equal(orders[0]?.order_id, raw[0]?.order_id);
  assert.equal(orders[0]?.order_timestamp, raw[0]?.order_timestamp);
  assert.equal(orders[0]?.status, "CANCELLED");

  const history = value(await kite.orderHistory("171229000724687"));
  assert.equal(fake.requests.at(-1)?.path, "/orders/171229000724687");
  assert.deepEqual(
    history.map((o) => o.status),
    [
      "PUT ORDER REQ RECEIVED",
      "VALIDATION PENDING",
      "OPEN PENDING",
      "OPEN",
      "MODIFY VALIDATION PENDING",
      "MODIFY PENDING",
      "MODIFIED",
      "OPEN",
    ],
  );
  assert.equal(history[0]?.exchange_order_id, null);

  const fills = value(await kite.orderTrades("200000000000000"));
  assert.equal(fills[0]?.trade_id, "10000000");
  assert.equal(fills[0]?.fill_timestamp, "2021-05-31 16:00:36");
  assert.equal(value(await kite.trades()).length, 4);

  const positions = value(await kite.positions());
  assert.equal(positions.net.length, 3);
  assert.equal(positions.day[0]?.tradingsymbol, "GOLDGUINEA17DECFUT");
  assert.equal(positions.day[0]?.quantity, -3);
});

test("KiteRest.orders on a host in a DST time zone → order times exactly as Kite wrote them", async () => {
  const saved = process.env.TZ;
  process.env.TZ = "America/New_York";
  try {
    const orders = value(await client().kite.orders());
    const raw = mockJson<{ data: Array<Record<string, unknown>> }>("orders.json").data;
    assert.deepEqual(
      orders.map((o) => [o.order_timestamp, o.exchange_timestamp]),
      raw.map((o) => [o.order_timestamp, o.exchange_timestamp]),
    );
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

test("KiteRest.placeOrder MARKET → order id, form with tag, variety and market_protection -1", async () => {
  const { kite } = client();
  const before = fake.count("POST /orders/regular");
  const placed = value(
    await kite.placeOrder({
      exchange: "BFO",
      tradingsymbol: "SENSEX2591180500CE",
      transaction_type: "BUY",
      order_type: "MARKET",
      quantity: 20,
      product: "MIS",
      tag: "pvtA1",
    }),
  );
  assert.deepEqual(placed, { order_id: "151220000000000", via: "response" });
  assert.equal(fake.count("POST /orders/regular"), before + 1);
  const form = fake.requests.at(-1)?.form;
  assert.equal(form?.get("tag"), "pvtA1");
  assert.equal(form?.get("market_protection"), "-1");
  assert.equal(form?.get("tradingsymbol"), "SENSEX2591180500CE");
  assert.equal(form?.get("quantity"), "20");
});

test("KiteRest.modifyOrder / cancelOrder → PUT and DELETE of the order, its id back", async () => {
  const { kite } = client();
  assert.equal(
    value(await kite.modifyOrder("151220000000000", { price: 101.5 })).order_id,
    "151220000000000",
  );
  const put = fake.requests.at(-1);
  assert.equal(put?.method, "PUT");
  assert.equal(put?.path, "/orders/regular/151220000000000");
  assert.equal(put?.form.get("price"), "101.5");
  assert.equal(value(await kite.cancelOrder("151220000000000")).order_id, "151220000000000");
  assert.equal(fake.requests.at(-1)?.method, "DELETE");
});

test("KiteRest.placeOrder without a valid tag → input failure, nothing sent", async () => {
  const { kite } = client();
  const before = fake.count("POST /orders/regular");
  for (const tag of ["", "has space", "x".repeat(21)]) {
    const r = await kite.placeOrder({
      exchange: "BFO",
      tradingsymbol: "SENSEX2591180500CE",
      transaction_type: "BUY",
      order_type: "LIMIT",
      price: 100,
      quantity: 20,
      product: "MIS",
      tag,
    });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.kind, "input");
  }
  assert.equal(fake.count("POST /orders/regular"), before);
});

test("KiteRest.placeOrder with a tag already sent → input failure, no second POST", async () => {
  const { kite } = client();
  const order = {
    exchange: "BFO",
    tradingsymbol: "SENSEX2591180500CE",
    transaction_type: "BUY",
    order_type: "LIMIT",
    price: 100,
    quantity: 20,
    product: "MIS",
    tag: "pvtSame1",
  } as const;
  assert.equal((await kite.placeOrder(order)).ok, true);
  const before = fake.count("POST /orders/regular");
  const again = await kite.placeOrder(order);
  assert.equal(!again.ok && again.error.kind, "input");
  assert.equal(fake.count("POST /orders/regular"), before);
});

test("KiteRest calls without an access token → session_expired at once, nothing sent", async () => {
  const { kite } = client({ accessToken: null });
  const before = fake.requests.length;
  const r = await kite.positions();
  assert.equal(!r.ok && r.error.kind, "session_expired");
  assert.equal(fake.requests.length, before);
});

test("KiteRest GET answered 429 twice → retried after pauses of at least a second, then succeeds", async () => {
  fake.route("GET /user/margins", (_req, n) =>
    n <= 2 ? kiteError(429, "NetworkException", "Too many requests") : { json: mockJson("margins.json") },
  );
  try {
    const { kite, sleeps } = client();
    const r = await kite.margins();
    assert.equal(r.ok, true);
    assert.equal(fake.count("GET /user/margins"), 3);
    assert.equal(sleeps.filter((ms) => ms >= 1000).length, 2);
  } finally {
    fake.route("GET /user/margins", () => ({ json: mockJson("margins.json") }));
  }
});

test("KiteRest GET answered 503 every time → gives up after 3 tries with a server failure", async () => {
  fake.route("GET /trades", kiteError(503, "NetworkException", "Service unavailable"));
  try {
    const { kite, sleeps } = client();
    const before = fake.count("GET /trades");
    const r = await kite.trades();
    assert.equal(r.ok, false);
    assert.deepEqual(!r.ok && { kind: r.error.kind, status: r.error.httpStatus }, {
      kind: "server",
      status: 503,
    });
    assert.equal(!r.ok && r.error.message, "Service unavailable");
    assert.equal(fake.count("GET /trades") - before, 3);
    // Exponential: the second pause is longer than the first, all within a few seconds.
    assert.equal(sleeps.length, 2);
    assert.ok((sleeps[1] as number) > (sleeps[0] as number));
    assert.ok(sleeps.reduce((a, b) => a + b, 0) < 5000);
  } finally {
    fake.route("GET /trades", () => ({ json: mockJson("trades.json") }));
  }
});

test("KiteRest.historical answered by an HTML 502 page → a server failure with its status, no crash", async () => {
  fake.route("GET /instruments/historical/:token/:interval", (_req, n) =>
    n === 1
      ? { status: 502, text: "<html>Bad Gateway</html>", contentType: "text/html" }
      : { json: mockJson("historical_minute.json") },
  );
  try {
    const { kite } = client({ retry: { maxAttempts: 1 } });
    const r = await kite.historical(265, "minute", "2017-12-15 00:00:00", "2017-12-15 23:59:59");
    assert.deepEqual(!r.ok && { kind: r.error.kind, status: r.error.httpStatus }, {
      kind: "server",
      status: 502,
    });
    assert.equal(
      (await kite.historical(265, "minute", "2017-12-15 00:00:00", "2017-12-15 23:59:59")).ok,
      true,
    );
  } finally {
    fake.route("GET /instruments/historical/:token/:interval", () => ({
      json: mockJson("historical_minute.json"),
    }));
  }
});

test("KiteRest GET that times out → a network failure after 3 tries", async () => {
  fake.route("GET /portfolio/positions", { delayMs: 400, json: mockJson("positions.json") });
  try {
    const { kite } = client({ timeoutMs: 100 });
    const before = fake.count("GET /portfolio/positions");
    const r = await kite.positions();
    assert.equal(!r.ok && r.error.kind, "network");
    assert.match(!r.ok ? r.error.message : "", /ECONNABORTED/);
    assert.equal(fake.count("GET /portfolio/positions") - before, 3);
  } finally {
    fake.route("GET /portfolio/positions", () => ({ json: mockJson("positions.json") }));
  }
});

test("KiteRest GET to a closed port → a network failure (ECONNREFUSED), never a throw", async () => {
  const { freePort } = await import("./fake-kite.js");
  const port = await freePort();
  const { kite } = client({ apiRoot: `http://127.0.0.1:${port}` });
  const r = await kite.profile();
  assert.equal(!r.ok && r.error.kind, "network");
  assert.match(!r.ok ? r.error.message : "", /ECONNREFUSED/);
});

test("KiteRest GET answered InputException → an input failure, not retried", async () => {
  fake.route("GET /orders/:order_id", kiteError(400, "InputException", "Invalid order_id"));
  try {
    const { kite } = client();
    const before = fake.count("GET /orders/:order_id");
    const r = await kite.orderHistory("nope");
    assert.deepEqual(!r.ok && r.error, {
      kind: "input",
      message: "Invalid order_id",
      errorType: "InputException",
      httpStatus: 400,
    });
    assert.equal(fake.count("GET /orders/:order_id") - before, 1);
  } finally {
    fake.route("GET /orders/:order_id", () => ({ json: mockJson("order_info.json") }));
  }
});

test("KiteRest GET answered 200 with an unexpected shape → an unknown failure naming the field", async () => {
  fake.route("GET /user/profile", kiteData({ user_name: "no id" }));
  try {
    const r = await client().kite.profile();
    assert.equal(!r.ok && r.error.kind, "unknown");
    assert.match(!r.ok ? r.error.message : "", /profile payload at user_id/);
  } finally {
    fake.route("GET /user/profile", () => ({ json: mockJson("profile.json") }));
  }
});

test("KiteRest GET answered 200 text/html → a server failure, no crash", async () => {
  fake.route("GET /user/profile", { text: "<html>captive portal</html>", contentType: "text/html" });
  try {
    const r = await client({ retry: { maxAttempts: 1 } }).kite.profile();
    assert.equal(!r.ok && r.error.kind, "server");
    assert.equal(!r.ok && r.error.errorType, "DataException");
  } finally {
    fake.route("GET /user/profile", () => ({ json: mockJson("profile.json") }));
  }
});
