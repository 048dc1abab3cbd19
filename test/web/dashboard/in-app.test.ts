import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkKitePostback } from "../../../src/adapters/kite/postback-check.js";
import { parseConfig } from "../../../src/config/load.js";
import type { LoginPort, PostbackSink } from "../../../src/ports/app.js";
import { buildApp } from "../../../src/web/app.js";
import { createDashboard } from "../../../src/web/dashboard/plugin.js";
import { hashPassword } from "../../../src/web/password-hash.js";
import { FakeEngine } from "../../support/fake-engine.js";

const PASSWORD = "dashboard test password";
const PASSWORD_HASH = await hashPassword(PASSWORD, { ln: 4, r: 8, p: 1 });

function appWithDashboard() {
  const parsed = parseConfig({ server: { password_hash: PASSWORD_HASH } });
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  const engine = new FakeEngine();
  const postbacks: PostbackSink = { accept: async () => "ignored" };
  const login: LoginPort = {
    start: () => ({ url: "https://kite.example/connect/login" }),
    handleCallback: async () =>
      ({ ok: false, reason: "missing_token", message: "not in this test" }) as never,
  };
  return buildApp({
    engine,
    postbacks,
    login,
    checkPostback: (raw) => checkKitePostback(raw, "secret"),
    config: parsed.config,
    clock: engine.clock,
    log: () => {},
    version: "0.1.0",
    startedAtMs: engine.clock.now(),
    health: () => ({ ok: true }),
    dashboard: createDashboard(),
  });
}

describe("dashboard inside buildApp", () => {
  it("logged out → GET / and the assets go to the login form", async () => {
    const app = appWithDashboard();
    const page = await app.inject({ method: "GET", url: "/" });
    assert.equal(page.statusCode, 302);
    assert.equal(page.headers.location, "/auth/login");
    const asset = await app.inject({ method: "GET", url: "/assets/whatever.js" });
    assert.equal(asset.statusCode, 302);
    await app.close();
  });

  it("logged in → the page and its assets, under the app's CSP", async () => {
    const app = appWithDashboard();
    const login = await app.inject({
      method: "POST",
      url: "/auth/login",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: `password=${encodeURIComponent(PASSWORD)}`,
    });
    assert.equal(login.statusCode, 303);
    const cookie = String(login.headers["set-cookie"]).split(";", 1)[0] as string;
    const page = await app.inject({ method: "GET", url: "/", headers: { cookie } });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers["content-security-policy"]), /script-src 'self'/);
    assert.match(page.body, /id="universe"/);
    const script = /src="(\/assets\/dashboard-[0-9a-f]+\.js)"/.exec(page.body)?.[1];
    assert.ok(script);
    const res = await app.inject({ method: "GET", url: script, headers: { cookie } });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers["content-type"]), /^text\/javascript/);
    assert.match(String(res.headers["cache-control"]), /immutable/);
    await app.close();
  });
});
