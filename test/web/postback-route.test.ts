import assert from "node:assert/strict";
import { test } from "node:test";
import { checkKitePostback } from "../../src/adapters/kite/postback-check.js";
import { API_SECRET, signedPostback, testApp } from "./web-fixture.js";

const post = (
  app: ReturnType<typeof testApp>["app"],
  payload: string,
  headers: Record<string, string> = {},
  remoteAddress?: string,
) =>
  app.inject({
    method: "POST",
    url: "/postback",
    payload,
    headers,
    ...(remoteAddress ? { remoteAddress } : {}),
  });

test("POST /postback with a valid update → 200, handed to the sink with the raw body", async () => {
  const { app, sink, metrics } = testApp();
  const body = signedPostback();
  const res = await post(app, body, { "content-type": "application/json" });
  assert.equal(res.statusCode, 200);
  assert.equal(sink.accepted.length, 1);
  assert.equal(sink.accepted[0]?.update.orderId, "250904000000001");
  assert.equal(sink.accepted[0]?.update.status, "COMPLETE");
  assert.equal(sink.accepted[0]?.raw, body);
  assert.equal(metrics.postbacks.get({ outcome: "applied" }), 1);
  assert.equal(metrics.postbackSeconds.quantile(1) >= 0, true);
});

test("POST /postback whatever the content type (or none) → the raw body is read and verified", async () => {
  const { app, sink } = testApp();
  const types = [
    "text/plain",
    "application/x-www-form-urlencoded",
    "application/octet-stream",
    "application/json; charset=utf-8",
    "weird/thing; x=",
    "",
  ];
  for (const [i, type] of types.entries()) {
    const headers: Record<string, string> = type ? { "content-type": type } : {};
    const res = await post(app, signedPostback({ order_id: `ORD${i}` }), headers);
    assert.equal(res.statusCode, 200, `${type}: ${res.body}`);
  }
  assert.equal(sink.accepted.length, types.length);
});

test("POST /postback of the same update twice → 200 both times (the sink says duplicate)", async () => {
  const { app, sink, metrics } = testApp();
  assert.equal((await post(app, signedPostback())).statusCode, 200);
  assert.equal((await post(app, signedPostback())).statusCode, 200);
  assert.equal(sink.accepted.length, 1);
  assert.equal(metrics.postbacks.get({ outcome: "duplicate" }), 1);
});

test("POST /postback with invalid JSON → 400, nothing accepted", async () => {
  const { app, sink } = testApp();
  for (const body of ["{", "not json", "[1,2]", "null", "", '"a string"']) {
    const res = await post(app, body, { "content-type": "application/json" });
    assert.equal(res.statusCode, 400, body);
  }
  assert.equal(sink.accepted.length, 0);
});

test("POST /postback without a checksum or with a wrong one → 401, logged with the client address", async () => {
  const { app, sink, log } = testApp();
  const forged = signedPostback({}, "not-the-secret");
  const noChecksum = JSON.stringify({ ...JSON.parse(signedPostback()), checksum: undefined });
  assert.equal((await post(app, forged, {}, "127.0.0.1")).statusCode, 401);
  const res = await app.inject({
    method: "POST",
    url: "/postback",
    payload: noChecksum,
    remoteAddress: "127.0.0.1",
    headers: { "x-forwarded-for": "198.51.100.23" },
  });
  assert.equal(res.statusCode, 401);
  assert.equal(sink.accepted.length, 0);
  const warnings = log.entries.filter((e) => e.level === "warn");
  assert.equal(warnings.length, 2);
  assert.equal(warnings[1]?.fields.client, "198.51.100.23");
  assert.doesNotMatch(log.text(), new RegExp(JSON.parse(forged).checksum));
});

test("POST /postback with a valid checksum on a changed order id → 401", async () => {
  const { app, sink } = testApp();
  const body = JSON.parse(signedPostback()) as Record<string, unknown>;
  body.order_id = "250904000000999";
  assert.equal((await post(app, JSON.stringify(body))).statusCode, 401);
  assert.equal(sink.accepted.length, 0);
});

test("POST /postback with the checksum right but the order's fields unreadable → 400", async () => {
  const { app, sink } = testApp();
  const res = await post(app, signedPostback({ quantity: "twenty" }));
  assert.equal(res.statusCode, 400);
  assert.equal(sink.accepted.length, 0);
});

test("POST /postback over 64 KB → 413, whether or not Content-Length says so", async () => {
  const { app, sink, metrics } = testApp();
  const big = signedPostback({ status_message: "x".repeat(70_000) });
  assert.equal((await post(app, big, { "content-type": "application/json" })).statusCode, 413);
  assert.equal((await post(app, big, { "content-type": "text/plain" })).statusCode, 413);
  // Just under the limit is fine.
  const fits = signedPostback({ status_message: "y".repeat(60_000) });
  assert.equal((await post(app, fits)).statusCode, 200);
  assert.equal(sink.accepted.length, 1);
  assert.equal(metrics.postbacks.get({ outcome: "too_large" }), 2);
});

test("POST /postback failing 20 times a minute from one address → 429, one log line, valid ones still accepted", async () => {
  const { app, sink, log, clock } = testApp();
  const forged = signedPostback({}, "guess");
  for (let i = 0; i < 20; i++) assert.equal((await post(app, forged, {}, "203.0.113.50")).statusCode, 401);
  for (let i = 0; i < 5; i++) {
    const res = await post(app, forged, {}, "203.0.113.50");
    assert.equal(res.statusCode, 429);
    assert.ok(Number(res.headers["retry-after"]) >= 1);
  }
  const warns = log.entries.filter((e) => e.level === "warn");
  assert.equal(warns.length, 21, "20 refusals and one 'rate limited' line");
  assert.equal(
    (await post(app, signedPostback(), {}, "203.0.113.50")).statusCode,
    200,
    "a valid one goes through",
  );
  assert.equal(sink.accepted.length, 1);
  assert.equal((await post(app, forged, {}, "203.0.113.51")).statusCode, 401, "other addresses unaffected");
  clock.advance(60_000);
  assert.equal((await post(app, forged, {}, "203.0.113.50")).statusCode, 401, "a new minute");
});

test("POST /postback when the sink cannot store a valid update → 503 (our failure, logged), not 200", async () => {
  const { app, sink, log } = testApp();
  sink.failWith = new Error("SQLITE_FULL: database or disk is full");
  const res = await post(app, signedPostback());
  assert.equal(res.statusCode, 503);
  assert.doesNotMatch(res.body, /SQLITE/);
  assert.match(log.text(), /could not be stored/);
});

test("POST /postback with an empty api_secret configured → every update refused (401)", async () => {
  const { app, sink } = testApp({ deps: { checkPostback: (raw) => checkKitePostback(raw, "") } });
  assert.equal((await post(app, signedPostback({}, ""))).statusCode, 401);
  assert.equal((await post(app, signedPostback({}, API_SECRET))).statusCode, 401);
  assert.equal(sink.accepted.length, 0);
});
