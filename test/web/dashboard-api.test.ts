import assert from "node:assert/strict";
import { test } from "node:test";
import { logIn, SYMBOL, testApp } from "./web-fixture.js";

test("GET /api/session → the session's CSRF token and the mode", async () => {
  const { app } = testApp();
  const { cookie, csrf } = await logIn(app);
  const res = await app.inject({ method: "GET", url: "/api/session", headers: { cookie } });
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assert.equal(body.csrfToken, csrf);
  assert.equal(body.mode, "PAPER");
  assert.match(body.expiresAt, /^\d{4}-\d\d-\d\dT/);
});

test("two logins → two sessions with different CSRF tokens", async () => {
  const { app } = testApp();
  const a = await logIn(app);
  const b = await logIn(app);
  assert.notEqual(a.cookie, b.cookie);
  assert.notEqual(a.csrf, b.csrf);
});

test("GET /api/candles of a contract of the universe → its candles", async () => {
  const { app, engine } = testApp();
  const { cookie } = await logIn(app);
  const res = await app.inject({ method: "GET", url: `/api/candles?symbol=${SYMBOL}`, headers: { cookie } });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), engine.candles(SYMBOL));
});

test("GET /api/candles with a missing, invalid or unknown symbol → 400", async () => {
  const { app } = testApp();
  const { cookie } = await logIn(app);
  for (const q of [
    "",
    "?symbol=",
    "?symbol=%3Cscript%3E",
    "?symbol=sensex",
    "?symbol=SENSEX2591180600PE",
    "?symbol=A&symbol=B",
  ]) {
    const res = await app.inject({ method: "GET", url: `/api/candles${q}`, headers: { cookie } });
    assert.equal(res.statusCode, 400, q);
    assert.doesNotMatch(res.body, /<script>/);
  }
});

const controls = [
  { url: "/api/control/entries", payload: { enabled: false }, action: "entries", value: false },
  { url: "/api/control/panic", payload: { confirm: true }, action: "panic" },
  { url: "/api/control/panic/clear", payload: undefined, action: "clearPanic" },
  { url: "/api/control/lots", payload: { lots: 3 }, action: "lots", value: 3 },
] as const;

test("control routes with the session and its CSRF token → 200, the engine told with the actor", async () => {
  const { app, engine } = testApp();
  const { cookie, csrf } = await logIn(app);
  for (const c of controls) {
    const res = await app.inject({
      method: "POST",
      url: c.url,
      headers: { cookie, "x-csrf-token": csrf },
      ...(c.payload ? { payload: c.payload } : {}),
    });
    assert.equal(res.statusCode, 200, `${c.url}: ${res.body}`);
    assert.deepEqual(res.json(), { ok: true });
  }
  assert.deepEqual(
    engine.calls,
    controls.map((c) => ({
      action: c.action,
      ...("value" in c ? { value: c.value } : {}),
      actor: "dashboard@127.0.0.1",
    })),
  );
});

test("control through nginx → the actor names the forwarded client", async () => {
  const { app, engine } = testApp();
  const { cookie, csrf } = await logIn(app);
  await app.inject({
    method: "POST",
    url: "/api/control/entries",
    headers: { cookie, "x-csrf-token": csrf, "x-forwarded-for": "198.51.100.77" },
    payload: { enabled: true },
  });
  assert.equal(engine.calls[0]?.actor, "dashboard@198.51.100.77");
});

test("control routes without or with a wrong CSRF token → 403, the engine untouched", async () => {
  const { app, engine } = testApp();
  const { cookie, csrf } = await logIn(app);
  const other = await logIn(app);
  for (const c of controls) {
    for (const headers of [
      { cookie },
      { cookie, "x-csrf-token": "nope" },
      { cookie, "x-csrf-token": other.csrf },
    ]) {
      const res = await app.inject({
        method: "POST",
        url: c.url,
        headers,
        ...(c.payload ? { payload: c.payload } : {}),
      });
      assert.equal(res.statusCode, 403, `${c.url} ${JSON.stringify(headers)}`);
    }
  }
  assert.equal(engine.calls.length, 0);
  assert.ok(csrf);
});

test("control routes with a bad body → 400 saying what is wrong, the engine untouched", async () => {
  const { app, engine } = testApp();
  const { cookie, csrf } = await logIn(app);
  const cases: Array<[string, unknown]> = [
    ["/api/control/entries", { enabled: "no" }],
    ["/api/control/entries", {}],
    ["/api/control/entries", { enabled: true, extra: 1 }],
    ["/api/control/panic", { confirm: false }],
    ["/api/control/panic", {}],
    ["/api/control/lots", { lots: 1.5 }],
    ["/api/control/lots", { lots: "2" }],
  ];
  for (const [url, payload] of cases) {
    const res = await app.inject({
      method: "POST",
      url,
      headers: { cookie, "x-csrf-token": csrf },
      payload: payload as object,
    });
    assert.equal(res.statusCode, 400, `${url} ${JSON.stringify(payload)}: ${res.body}`);
    assert.ok(typeof res.json().error === "string");
  }
  const notJson = await app.inject({
    method: "POST",
    url: "/api/control/entries",
    headers: { cookie, "x-csrf-token": csrf, "content-type": "application/json" },
    payload: "{enabled: tru",
  });
  assert.equal(notJson.statusCode, 400);
  assert.equal(engine.calls.length, 0);
});

test("POST /api/control/lots out of the engine's range → 400 with the engine's message", async () => {
  const { app } = testApp();
  const { cookie, csrf } = await logIn(app);
  const res = await app.inject({
    method: "POST",
    url: "/api/control/lots",
    headers: { cookie, "x-csrf-token": csrf },
    payload: { lots: 9 },
  });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().error, "lots must be between 1 and 5, found 9");
});

test("a control port failing otherwise → 500 with a generic message, the error logged", async () => {
  const { app, engine, log } = testApp();
  engine.control.panic = () => {
    throw new Error("broker unreachable: ECONNRESET at /internal/path.js:12");
  };
  const { cookie, csrf } = await logIn(app);
  const res = await app.inject({
    method: "POST",
    url: "/api/control/panic",
    headers: { cookie, "x-csrf-token": csrf },
    payload: { confirm: true },
  });
  assert.equal(res.statusCode, 500);
  assert.doesNotMatch(res.body, /ECONNRESET|internal/);
  assert.match(log.text(), /ECONNRESET/);
});

test("GET / without a dashboard plugin → a minimal page linking to /status, with a logout form", async () => {
  const { app } = testApp();
  const { cookie, csrf } = await logIn(app);
  const res = await app.inject({ method: "GET", url: "/", headers: { cookie } });
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /href="\/status"/);
  assert.match(res.body, new RegExp(`name="csrf_token" value="${csrf}"`));
});

test("a dashboard plugin → registered behind the session", async () => {
  const { app } = testApp({
    deps: {
      dashboard: async (scope) => {
        scope.get("/", async (_req, reply) => reply.type("text/html").send("<p>the dashboard</p>"));
        scope.get("/assets/app.js", async (_req, reply) => reply.type("text/javascript").send("1"));
      },
    },
  });
  assert.equal((await app.inject({ method: "GET", url: "/" })).statusCode, 302);
  assert.equal((await app.inject({ method: "GET", url: "/assets/app.js" })).statusCode, 302);
  const { cookie } = await logIn(app);
  const res = await app.inject({ method: "GET", url: "/", headers: { cookie } });
  assert.equal(res.statusCode, 200);
  assert.equal(res.body, "<p>the dashboard</p>");
  assert.equal((await app.inject({ method: "GET", url: "/assets/app.js", headers: { cookie } })).body, "1");
});
