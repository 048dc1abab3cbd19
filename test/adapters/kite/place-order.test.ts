import assert from "node:assert/strict";
import { after, afterEach, before, test } from "node:test";
import type { KiteRestOptions, PlaceOrderParams } from "../../../src/adapters/kite/kite-rest.js";
import { type FakeKite as Fake, FakeKite, kiteError, mockJson, restOnFake } from "./fake-kite.js";

/*
 * Order placement never makes a duplicate: a lost answer is looked up by tag in the order book
 * before the one and only retry. The fake's order book is the recorded orders.json plus the
 * orders it "accepted" in the test.
 */

let fake: Fake;
/** Orders the fake accepted during a test, as GET /orders shows them. */
let accepted: Array<Record<string, unknown>> = [];

before(async () => {
  fake = await FakeKite.start();
});
after(() => fake.close());
afterEach(() => {
  accepted = [];
  fake.clearRequests();
  fake.route("POST /orders/regular", () => ({ json: mockJson("order_response.json") }));
  fake.route("GET /orders", () => ({ json: mockJson("orders.json") }));
});

function bookWithAccepted(): void {
  fake.route("GET /orders", () => {
    const book = mockJson<{ status: string; data: Array<Record<string, unknown>> }>("orders.json");
    book.data.push(...accepted);
    return { json: book };
  });
}

/** Records the order in the book, as Kite does when it takes a request. */
function accept(form: URLSearchParams, orderId: string): void {
  const template = mockJson<{ data: Array<Record<string, unknown>> }>("orders.json").data[1] as Record<
    string,
    unknown
  >;
  accepted.push({
    ...template,
    order_id: orderId,
    status: "OPEN",
    tag: form.get("tag"),
    tradingsymbol: form.get("tradingsymbol"),
    exchange: form.get("exchange"),
    quantity: Number(form.get("quantity")),
  });
}

const client = (options: Partial<KiteRestOptions> = {}) =>
  restOnFake(fake, { timeoutMs: 1000, placeLookupDelaysMs: [1000, 2000], ...options });

const order = (tag: string): PlaceOrderParams => ({
  exchange: "BFO",
  tradingsymbol: "SENSEX2591180500CE",
  transaction_type: "BUY",
  order_type: "LIMIT",
  price: 512.5,
  quantity: 20,
  product: "MIS",
  tag,
});

test("placeOrder answered 503 after Kite took it → found by tag, no second POST", async () => {
  bookWithAccepted();
  fake.route("POST /orders/regular", (req) => {
    accept(req.form, "250904000000101");
    return kiteError(503, "NetworkException", "Gateway timed out");
  });
  const { kite } = client();
  const r = await kite.placeOrder(order("pvt503a"));
  assert.equal(r.ok, true);
  assert.deepEqual(r.ok && { id: r.value.order_id, via: r.value.via }, {
    id: "250904000000101",
    via: "lookup",
  });
  assert.equal(fake.count("POST /orders/regular"), 1);
  assert.ok(fake.count("GET /orders") >= 1);
});

test("placeOrder that times out after Kite took it → found by tag, no second POST", async () => {
  bookWithAccepted();
  fake.route("POST /orders/regular", (req) => {
    accept(req.form, "250904000000102");
    return { delayMs: 600, json: mockJson("order_response.json") };
  });
  const { kite } = client({ timeoutMs: 150 });
  const r = await kite.placeOrder(order("pvtTimeout1"));
  assert.deepEqual(r.ok && { id: r.value.order_id, via: r.value.via }, {
    id: "250904000000102",
    via: "lookup",
  });
  assert.equal(fake.count("POST /orders/regular"), 1);
});

test("placeOrder whose connection drops before Kite took it → not in the book, sent once more", async () => {
  bookWithAccepted();
  fake.route("POST /orders/regular", (req, n) => {
    if (n === 1) return { hangUp: true };
    accept(req.form, "250904000000103");
    return { json: { status: "success", data: { order_id: "250904000000103" } } };
  });
  const { kite, sleeps } = client();
  const r = await kite.placeOrder(order("pvtDrop1"));
  assert.deepEqual(r.ok && { id: r.value.order_id, via: r.value.via }, {
    id: "250904000000103",
    via: "retry",
  });
  assert.equal(fake.count("POST /orders/regular"), 2);
  // Both look-ups happened, after their pauses, before the retry.
  assert.equal(fake.count("GET /orders"), 2);
  assert.deepEqual(sleeps.slice(0, 2), [1000, 2000]);
});

test("placeOrder answered 500 twice and never in the book → failure after exactly two POSTs", async () => {
  bookWithAccepted();
  fake.route("POST /orders/regular", kiteError(500, "GeneralException", "Internal error"));
  const { kite } = client();
  const r = await kite.placeOrder(order("pvt500x"));
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.error.kind, "server");
  assert.equal(!r.ok && r.error.uncertain, undefined);
  assert.equal(fake.count("POST /orders/regular"), 2);
});

test("placeOrder answered 503 while the order book is unreadable → uncertain failure, no second POST", async () => {
  fake.route("POST /orders/regular", kiteError(503, "NetworkException", "Gateway timed out"));
  fake.route("GET /orders", kiteError(503, "NetworkException", "Gateway timed out"));
  const { kite } = client();
  const r = await kite.placeOrder(order("pvtBlind1"));
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.error.uncertain, true);
  assert.match(!r.ok ? r.error.message : "", /reconcile by tag pvtBlind1/);
  assert.equal(fake.count("POST /orders/regular"), 1);
});

test("placeOrder answered 429 after which the book is unreadable at the first look-up (its retries used up) and readable at the second → found by tag, not uncertain, one POST", async () => {
  let gets = 0;
  fake.route("POST /orders/regular", (req) => {
    accept(req.form, "250904000000104");
    return kiteError(429, "NetworkException", "Too many requests");
  });
  fake.route("GET /orders", () => {
    gets++;
    // The first look-up's three tries meet the burst; the second look-up reads the book.
    if (gets <= 3) return kiteError(429, "NetworkException", "Too many requests");
    const book = mockJson<{ status: string; data: Array<Record<string, unknown>> }>("orders.json");
    book.data.push(...accepted);
    return { json: book };
  });
  const { kite } = client();
  const r = await kite.placeOrder(order("pvtBurst1"));
  assert.deepEqual(r.ok ? { id: r.value.order_id, via: r.value.via } : r.error, {
    id: "250904000000104",
    via: "lookup",
  });
  assert.equal(fake.count("POST /orders/regular"), 1);
  assert.equal(gets, 4);
});

test("placeOrder rejected by Kite (MarginException) → margin failure, no look-up, no retry", async () => {
  fake.route("POST /orders/regular", kiteError(400, "MarginException", "Insufficient funds"));
  const { kite } = client();
  const getsBefore = fake.count("GET /orders");
  const r = await kite.placeOrder(order("pvtMargin1"));
  assert.deepEqual(!r.ok && { kind: r.error.kind, message: r.error.message }, {
    kind: "margin",
    message: "Insufficient funds",
  });
  assert.equal(fake.count("POST /orders/regular"), 1);
  assert.equal(fake.count("GET /orders"), getsBefore);
});

test("placeOrder rejected as an OrderException → order failure, one POST", async () => {
  fake.route("POST /orders/regular", kiteError(400, "OrderException", "Order rejected by RMS"));
  const before = fake.count("POST /orders/regular");
  const r = await client().kite.placeOrder(order("pvtOrdEx1"));
  assert.equal(!r.ok && r.error.kind, "order");
  assert.equal(fake.count("POST /orders/regular") - before, 1);
});
