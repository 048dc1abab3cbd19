import assert from "node:assert/strict";
import { test } from "node:test";
import { API_TOKEN, logIn, testApp, testConfig } from "./web-fixture.js";

test("GET /status without credentials → 401 with a Bearer challenge", async () => {
  const { app } = testApp();
  const res = await app.inject({ method: "GET", url: "/status" });
  assert.equal(res.statusCode, 401);
  assert.match(String(res.headers["www-authenticate"]), /^Bearer/);
});

test("GET /status with a wrong bearer token → 401", async () => {
  const { app } = testApp();
  for (const authorization of [
    `Bearer ${API_TOKEN}x`,
    `Bearer ${API_TOKEN.slice(0, -1)}`,
    "Bearer ",
    API_TOKEN,
  ]) {
    const res = await app.inject({ method: "GET", url: "/status", headers: { authorization } });
    assert.equal(res.statusCode, 401, authorization);
  }
});

test("GET /status with the API token → 200, the engine's snapshot", async () => {
  const { app, engine } = testApp();
  const res = await app.inject({
    method: "GET",
    url: "/status",
    headers: { authorization: `Bearer ${API_TOKEN}` },
  });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), JSON.parse(JSON.stringify(engine.snapshot)));
});

test("GET /status with a dashboard session → 200", async () => {
  const { app } = testApp();
  const { cookie } = await logIn(app);
  const res = await app.inject({ method: "GET", url: "/status", headers: { cookie } });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().mode, "PAPER");
});

test("GET /status with no api_token configured → a bearer token never opens it", async () => {
  const { app } = testApp({ config: testConfig({ api_token: "" }) });
  for (const authorization of ["Bearer ", "Bearer x", `Bearer ${API_TOKEN}`]) {
    const res = await app.inject({ method: "GET", url: "/status", headers: { authorization } });
    assert.equal(res.statusCode, 401, authorization);
  }
});
