import assert from "node:assert/strict";
import { test } from "node:test";
import { logIn, PASSWORD, testApp, testConfig } from "./web-fixture.js";

const form = (password: string) => `password=${encodeURIComponent(password)}`;
const FORM = { "content-type": "application/x-www-form-urlencoded" };

test("GET /auth/login → the login form", async () => {
  const { app } = testApp();
  const res = await app.inject({ method: "GET", url: "/auth/login" });
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /<form method="post" action="\/auth\/login">/);
  assert.match(res.body, /name="password" type="password"/);
});

test("POST /auth/login with the right password → 303 to / with an HttpOnly, SameSite=Strict cookie", async () => {
  const { app } = testApp();
  const res = await app.inject({
    method: "POST",
    url: "/auth/login",
    headers: FORM,
    payload: form(PASSWORD),
  });
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, "/");
  const cookie = String(res.headers["set-cookie"]);
  assert.match(cookie, /^pivot_session=[A-Za-z0-9_-]{43};/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  assert.match(cookie, /Path=\//);
  assert.match(cookie, /Max-Age=43200/);
  assert.doesNotMatch(cookie, /Secure/, "plain HTTP: not Secure");
});

test("POST /auth/login over HTTPS (nginx on loopback says so) → the cookie is Secure", async () => {
  const { app } = testApp();
  const res = await app.inject({
    method: "POST",
    url: "/auth/login",
    headers: { ...FORM, "x-forwarded-proto": "https", "x-forwarded-for": "198.51.100.4" },
    payload: form(PASSWORD),
  });
  assert.match(String(res.headers["set-cookie"]), /; Secure/);
  assert.match(String(res.headers["strict-transport-security"]), /max-age=/);
});

test("X-Forwarded-Proto from a non-loopback peer → ignored (no Secure, no HSTS)", async () => {
  const { app } = testApp();
  const res = await app.inject({
    method: "POST",
    url: "/auth/login",
    remoteAddress: "203.0.113.8",
    headers: { ...FORM, "x-forwarded-proto": "https" },
    payload: form(PASSWORD),
  });
  assert.equal(res.statusCode, 303);
  assert.doesNotMatch(String(res.headers["set-cookie"]), /Secure/);
  assert.equal(res.headers["strict-transport-security"], undefined);
});

test("POST /auth/login with a wrong or missing password → 401, the form again with a message", async () => {
  const { app } = testApp();
  for (const payload of [form("wrong"), form(""), "nothing=here"]) {
    const res = await app.inject({ method: "POST", url: "/auth/login", headers: FORM, payload });
    assert.equal(res.statusCode, 401, payload);
    assert.match(res.body, /Wrong password/);
    assert.match(res.body, /<form/);
    assert.equal(res.headers["set-cookie"], undefined);
  }
});

test("POST /auth/login a 6th time in a minute from one address → 429 with Retry-After; another address is not held", async () => {
  const { app, clock } = testApp();
  const attempt = (remoteAddress: string, password = "wrong") =>
    app.inject({ method: "POST", url: "/auth/login", headers: FORM, payload: form(password), remoteAddress });
  for (let i = 0; i < 5; i++) assert.equal((await attempt("203.0.113.1")).statusCode, 401);
  const limited = await attempt("203.0.113.1", PASSWORD);
  assert.equal(limited.statusCode, 429, "even the right password waits");
  assert.equal(limited.headers["retry-after"], "60");
  assert.match(limited.body, /Too many login attempts/);
  assert.equal((await attempt("203.0.113.2", PASSWORD)).statusCode, 303);
  clock.advance(45_000);
  assert.equal((await attempt("203.0.113.1", PASSWORD)).headers["retry-after"], "15");
  clock.advance(15_000);
  assert.equal((await attempt("203.0.113.1", PASSWORD)).statusCode, 303);
});

test("login attempts through nginx → limited per forwarded client, not per proxy", async () => {
  const { app } = testApp();
  const attempt = (client: string) =>
    app.inject({
      method: "POST",
      url: "/auth/login",
      headers: { ...FORM, "x-forwarded-for": client },
      payload: form("wrong"),
    });
  for (let i = 0; i < 5; i++) await attempt("198.51.100.1");
  assert.equal((await attempt("198.51.100.1")).statusCode, 429);
  assert.equal((await attempt("198.51.100.2")).statusCode, 401);
});

test("no password hash configured → the page says to run pivot set-password; POST refused with 403", async () => {
  const { app } = testApp({ config: testConfig({ password_hash: "" }) });
  const page = await app.inject({ method: "GET", url: "/auth/login" });
  assert.match(page.body, /pivot set-password/);
  assert.doesNotMatch(page.body, /<form/);
  const res = await app.inject({ method: "POST", url: "/auth/login", headers: FORM, payload: form("") });
  assert.equal(res.statusCode, 403);
  assert.match(res.body, /pivot set-password/);
  assert.equal(res.headers["set-cookie"], undefined);
});

test("a session → good until server.session_hours, then 401 / 302 to the login form", async () => {
  const { app, clock } = testApp({ config: testConfig({ session_hours: 2 }) });
  const { cookie } = await logIn(app);
  clock.advance(2 * 3_600_000 - 1);
  assert.equal(
    (await app.inject({ method: "GET", url: "/api/session", headers: { cookie } })).statusCode,
    200,
  );
  clock.advance(1);
  assert.equal(
    (await app.inject({ method: "GET", url: "/api/session", headers: { cookie } })).statusCode,
    401,
  );
  const page = await app.inject({ method: "GET", url: "/", headers: { cookie, accept: "text/html" } });
  assert.equal(page.statusCode, 302);
  assert.equal(page.headers.location, "/auth/login");
});

test("GET /auth/login with a live session → 303 to the dashboard", async () => {
  const { app } = testApp();
  const { cookie } = await logIn(app);
  const res = await app.inject({ method: "GET", url: "/auth/login", headers: { cookie } });
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, "/");
});

test("POST /auth/logout with the CSRF token → 303 to the login form, the session ended and the cookie cleared", async () => {
  const { app } = testApp();
  const { cookie, csrf } = await logIn(app);
  const res = await app.inject({
    method: "POST",
    url: "/auth/logout",
    headers: { cookie, "x-csrf-token": csrf },
  });
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, "/auth/login");
  assert.match(String(res.headers["set-cookie"]), /pivot_session=;.*Max-Age=0/);
  assert.equal(
    (await app.inject({ method: "GET", url: "/api/session", headers: { cookie } })).statusCode,
    401,
  );
});

test("POST /auth/logout from the plain form (csrf_token field) → 303", async () => {
  const { app } = testApp();
  const { cookie, csrf } = await logIn(app);
  const res = await app.inject({
    method: "POST",
    url: "/auth/logout",
    headers: { cookie, ...FORM },
    payload: `csrf_token=${encodeURIComponent(csrf)}`,
  });
  assert.equal(res.statusCode, 303);
  assert.equal(
    (await app.inject({ method: "GET", url: "/api/session", headers: { cookie } })).statusCode,
    401,
  );
});

test("POST /auth/logout without or with a wrong CSRF token → 403, the session lives on", async () => {
  const { app } = testApp();
  const { cookie, csrf } = await logIn(app);
  for (const headers of [{ cookie }, { cookie, "x-csrf-token": `${csrf}x` }]) {
    const res = await app.inject({ method: "POST", url: "/auth/logout", headers });
    assert.equal(res.statusCode, 403);
  }
  assert.equal(
    (await app.inject({ method: "GET", url: "/api/session", headers: { cookie } })).statusCode,
    200,
  );
});

test("the dashboard scope without a session → page GETs 302 to /auth/login, API calls 401 JSON", async () => {
  const { app } = testApp();
  const page = await app.inject({ method: "GET", url: "/" });
  assert.equal(page.statusCode, 302);
  assert.equal(page.headers.location, "/auth/login");
  for (const [method, url] of [
    ["GET", "/api/session"],
    ["GET", "/events"],
    ["GET", "/api/candles?symbol=X"],
    ["POST", "/api/control/panic"],
  ] as const) {
    const res = await app.inject({ method, url });
    assert.equal(res.statusCode, 401, url);
    assert.match(String(res.headers["content-type"]), /application\/json/);
  }
});

test("a forged session cookie → treated as no session", async () => {
  const { app } = testApp();
  await logIn(app);
  const res = await app.inject({
    method: "GET",
    url: "/api/session",
    headers: { cookie: "pivot_session=AAAA" },
  });
  assert.equal(res.statusCode, 401);
});
