import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { pino } from "pino";
import {
  API_SECRET,
  API_TOKEN,
  logIn,
  PASSWORD,
  PASSWORD_HASH,
  signedPostback,
  testApp,
} from "./web-fixture.js";

const EXPECTED_HEADERS = {
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

function assertSecurityHeaders(headers: Record<string, unknown>, what: string): void {
  for (const [name, value] of Object.entries(EXPECTED_HEADERS))
    assert.equal(headers[name], value, `${what}: ${name}`);
  const csp = String(headers["content-security-policy"]);
  assert.match(csp, /script-src 'self'(;|$)/, `${what}: scripts from self only`);
  assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/, `${what}: no inline scripts`);
  assert.match(csp, /frame-ancestors 'none'/, what);
}

test("every response carries the security headers: pages, JSON, redirects, errors, 404s", async () => {
  const { app } = testApp({
    deps: {
      dashboard: async (scope) => {
        scope.get("/boom", async () => {
          throw new Error("kaboom");
        });
      },
    },
  });
  const { cookie } = await logIn(app);
  const requests = [
    { method: "GET", url: "/health" },
    { method: "GET", url: "/status" },
    { method: "GET", url: "/metrics" },
    { method: "GET", url: "/login" },
    { method: "GET", url: "/callback?state=x" },
    { method: "POST", url: "/postback", payload: "{" },
    { method: "GET", url: "/auth/login" },
    { method: "GET", url: "/" },
    { method: "GET", url: "/", headers: { cookie } },
    { method: "GET", url: "/boom", headers: { cookie } },
    { method: "GET", url: "/nowhere" },
    { method: "DELETE", url: "/health" },
  ] as const;
  for (const r of requests) {
    const res = await app.inject({ ...r });
    assertSecurityHeaders(res.headers, `${r.method} ${r.url} (${res.statusCode})`);
  }
});

test("an error inside a route → 500 with a generic message, no stack trace to the client", async () => {
  const { app, log } = testApp({
    deps: {
      dashboard: async (scope) => {
        scope.get("/boom", async () => {
          throw new TypeError("Cannot read properties of undefined (reading 'secretThing')");
        });
      },
    },
  });
  const { cookie } = await logIn(app);
  const res = await app.inject({ method: "GET", url: "/boom", headers: { cookie } });
  assert.equal(res.statusCode, 500);
  assert.deepEqual(res.json(), { error: "internal error" });
  assert.match(log.text(), /secretThing/, "the operator sees it in the log");
});

test("a malformed JSON body on an API route → 400 that does not echo the body", async () => {
  const { app } = testApp();
  const { cookie, csrf } = await logIn(app);
  const res = await app.inject({
    method: "POST",
    url: "/api/control/lots",
    headers: { cookie, "x-csrf-token": csrf, "content-type": "application/json" },
    payload: '{"lots": hunter2secret',
  });
  assert.equal(res.statusCode, 400);
  assert.doesNotMatch(res.body, /hunter2/);
});

test("a request body over the limit on any route → 413", async () => {
  const { app } = testApp();
  const res = await app.inject({
    method: "POST",
    url: "/auth/login",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    payload: `password=${"a".repeat(10_000)}`,
  });
  assert.equal(res.statusCode, 413);
});

test("secrets never reach the log: bearer token, cookies, request token, checksum, password, CSRF token", async () => {
  const lines: string[] = [];
  const sinkStream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = pino({ level: "info" }, sinkStream);
  const { app, login, sink } = testApp({ deps: { log: logger } });
  const { cookie, csrf } = await logIn(app);
  const sessionId = cookie.split("=")[1] as string;
  await app.inject({ method: "GET", url: "/status", headers: { authorization: `Bearer ${API_TOKEN}` } });
  await app.inject({
    method: "GET",
    url: "/status",
    headers: { authorization: `Bearer ${API_TOKEN}-wrong` },
  });
  await app.inject({
    method: "GET",
    url: "/callback?request_token=ReqTokSecret77&state=s&status=success&action=login",
  });
  login.outcome = {
    ok: false,
    reason: "exchange_failed",
    message: "Kite refused request_token=ReqTokSecret88",
  };
  await app.inject({ method: "GET", url: "/callback?request_token=ReqTokSecret88&state=s" });
  const good = signedPostback();
  const forged = signedPostback({}, "wrong-secret");
  await app.inject({ method: "POST", url: "/postback", payload: good });
  await app.inject({ method: "POST", url: "/postback", payload: forged });
  sink.failWith = new Error(`insert failed for ${good}`);
  await app.inject({ method: "POST", url: "/postback", payload: signedPostback({ order_id: "X1" }) });
  await app.inject({
    method: "POST",
    url: "/auth/login",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    payload: "password=WrongPassw0rdSecret",
  });
  await app.inject({
    method: "POST",
    url: "/api/control/entries",
    headers: { cookie, "x-csrf-token": csrf },
    payload: { enabled: true },
  });
  await app.inject({ method: "POST", url: "/auth/logout", headers: { cookie, "x-csrf-token": csrf } });

  const text = lines.join("");
  assert.ok(lines.length > 10, "the log was written");
  for (const secret of [
    API_TOKEN,
    API_SECRET,
    sessionId,
    csrf,
    "ReqTokSecret77",
    "ReqTokSecret88",
    JSON.parse(good).checksum,
    JSON.parse(forged).checksum,
    PASSWORD,
    "WrongPassw0rdSecret",
    PASSWORD_HASH,
  ]) {
    assert.ok(!text.includes(secret), `the log holds ${secret.slice(0, 12)}…:\n${text}`);
  }
});
