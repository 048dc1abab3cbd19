import assert from "node:assert/strict";
import { test } from "node:test";
import { logIn, testApp } from "./web-fixture.js";

const CALLBACK = "/callback?action=login&type=login&status=success&request_token=RqT0k3nSecretValue&state=s1";

test("GET /login with a dashboard session → 302 to a fresh Kite login URL each time", async () => {
  const { app, login } = testApp();
  const { cookie } = await logIn(app);
  const a = await app.inject({ method: "GET", url: "/login", headers: { cookie } });
  const b = await app.inject({ method: "GET", url: "/login", headers: { cookie } });
  assert.equal(a.statusCode, 302);
  assert.equal(
    a.headers.location,
    "https://kite.example/connect/login?api_key=k&v=3&redirect_params=state%3Ds1",
  );
  assert.notEqual(a.headers.location, b.headers.location);
  assert.equal(login.starts, 2);
});

test("GET /login more than 10 times a minute from one address → 429 with Retry-After, then allowed again", async () => {
  const { app, clock } = testApp();
  const { cookie } = await logIn(app);
  const get = (remoteAddress: string) =>
    app.inject({ method: "GET", url: "/login", remoteAddress, headers: { cookie } });
  for (let i = 0; i < 10; i++) assert.equal((await get("203.0.113.5")).statusCode, 302);
  const limited = await get("203.0.113.5");
  assert.equal(limited.statusCode, 429);
  assert.ok(Number(limited.headers["retry-after"]) > 0);
  const other = await get("203.0.113.6");
  assert.equal(other.statusCode, 302, "another address is not limited");
  clock.advance(60_000);
  assert.equal((await get("203.0.113.5")).statusCode, 302);
});

test("GET /callback that logs in → 200 page with who and until when; the request token in neither page nor log", async () => {
  const { app, login, log } = testApp();
  const res = await app.inject({ method: "GET", url: CALLBACK });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers["content-type"]), /text\/html/);
  assert.match(res.body, /AB1234/);
  assert.match(res.body, /A Trader/);
  assert.match(res.body, /2025-09-05T06:00:00\+05:30/);
  assert.equal(login.queries[0]?.request_token, "RqT0k3nSecretValue", "the login port got the query");
  assert.doesNotMatch(res.body, /RqT0k3n/);
  assert.doesNotMatch(log.text(), /RqT0k3n/);
  assert.match(log.text(), /"path":"\/callback"/);
});

test("GET /callback that fails → 400 page saying what went wrong and how to retry", async () => {
  const { app, login } = testApp();
  login.outcome = {
    ok: false,
    reason: "expired_state",
    message: "the login took longer than 300 s: start it again",
  };
  const res = await app.inject({ method: "GET", url: CALLBACK });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /took longer than 300 s/);
  assert.match(res.body, /href="\/login"/);
  assert.match(res.body, /pivot login/);
  assert.doesNotMatch(res.body, /RqT0k3n/);
});

test("callback pages → HTML in the outcome is escaped", async () => {
  const { app, login } = testApp();
  login.outcome = {
    ok: true,
    userId: "<script>alert(1)</script>",
    userName: `"><img src=x onerror=alert(2)>`,
    expiresAt: "<b>soon</b>",
  };
  const ok = await app.inject({ method: "GET", url: CALLBACK });
  assert.doesNotMatch(ok.body, /<script>|<img|<b>/);
  assert.match(ok.body, /&#60;script&#62;alert\(1\)&#60;\/script&#62;/);
  login.outcome = { ok: false, reason: "exchange_failed", message: "Kite refused: <iframe src=//evil>" };
  const bad = await app.inject({ method: "GET", url: CALLBACK });
  assert.doesNotMatch(bad.body, /<iframe/);
  assert.match(bad.body, /&#60;iframe/);
});
