import assert from "node:assert/strict";
import { test } from "node:test";
import { testApp } from "./web-fixture.js";

test("GET /health while the probe is ok → 200 with uptime and version, and no log line", async () => {
  const { app, log } = testApp();
  const res = await app.inject({ method: "GET", url: "/health" });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { status: "ok", uptime_s: 90, version: "9.9.9" });
  assert.equal(log.entries.length, 0, log.text());
});

test("GET /health when the engine's loop is stuck → 503 with the reason", async () => {
  const { app } = testApp({ health: () => ({ ok: false, reason: "the engine loop has not run for 40 s" }) });
  const res = await app.inject({ method: "GET", url: "/health" });
  assert.equal(res.statusCode, 503);
  assert.equal(res.json().reason, "the engine loop has not run for 40 s");
  assert.equal(res.json().status, "unavailable");
});

test("GET /health when the probe throws → 503, the error logged, no stack to the client", async () => {
  const { app, log } = testApp({
    health: () => {
      throw new Error("SQLITE_CORRUPT: database disk image is malformed");
    },
  });
  const res = await app.inject({ method: "GET", url: "/health" });
  assert.equal(res.statusCode, 503);
  assert.doesNotMatch(res.body, /SQLITE|at .*\.js/);
  assert.match(log.text(), /health probe failed/);
});

test("GET /metrics from loopback → Prometheus text with the service's counters and summaries", async () => {
  const { app, metrics } = testApp();
  metrics.ticks.inc(5);
  metrics.orders.inc({ status: "COMPLETE" });
  metrics.orderAckSeconds.observe(0.04);
  const res = await app.inject({ method: "GET", url: "/metrics" });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
  assert.match(res.body, /^pivot_ticks_total 5$/m);
  assert.match(res.body, /^pivot_orders_total\{status="COMPLETE"\} 1$/m);
  assert.match(res.body, /^pivot_order_ack_seconds\{quantile="0\.99"\} 0\.04$/m);
  assert.match(res.body, /^# TYPE pivot_postbacks_total counter$/m);
});

test("GET /metrics from another address → 403", async () => {
  const { app } = testApp();
  const res = await app.inject({ method: "GET", url: "/metrics", remoteAddress: "203.0.113.9" });
  assert.equal(res.statusCode, 403);
});

test("GET /metrics proxied by nginx for an outside client → 403 (the forwarded client counts)", async () => {
  const { app } = testApp();
  const res = await app.inject({
    method: "GET",
    url: "/metrics",
    remoteAddress: "127.0.0.1",
    headers: { "x-forwarded-for": "198.51.100.7" },
  });
  assert.equal(res.statusCode, 403);
});

test("GET /metrics from outside claiming to be loopback in X-Forwarded-For → 403", async () => {
  const { app } = testApp();
  const res = await app.inject({
    method: "GET",
    url: "/metrics",
    remoteAddress: "203.0.113.9",
    headers: { "x-forwarded-for": "127.0.0.1" },
  });
  assert.equal(res.statusCode, 403);
});

test("an unknown path → 404 JSON", async () => {
  const { app } = testApp();
  const res = await app.inject({ method: "GET", url: "/wp-login.php" });
  assert.equal(res.statusCode, 404);
  assert.deepEqual(res.json(), { error: "not found" });
});

test("GET /favicon.ico without a session → 200, the dashboard's icon (no 404 on the login form)", async () => {
  const { app } = testApp();
  const res = await app.inject({ method: "GET", url: "/favicon.ico" });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers["content-type"]), /^image\/svg\+xml/);
  assert.match(res.body, /^<svg /);
});
