import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { FilePendingStates, LoginFlow } from "../../src/adapters/kite/login-flow.js";
import { LoginLinks, loginLinkUrl } from "../../src/adapters/kite/login-links.js";
import { ManualClock } from "../../src/ports/clock.js";
import { logIn, T0, testApp } from "./web-fixture.js";

/*
 * Issue 13 §1: `/login` was public. Any visitor got a Kite redirect, and each visit wrote a
 * pending login state to disk. Now it takes a dashboard session or a link the service signed.
 */

const tmp = mkdtempSync(join(tmpdir(), "pivot-login-access-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const KEY = Buffer.alloc(32, 7);

function linksAt(clock: ManualClock, key = KEY): LoginLinks {
  return new LoginLinks({ key, clock });
}

/** The path and query of a signed link, as a browser would request it. */
function pathOf(token: string): string {
  const url = new URL(loginLinkUrl("https://trader.example/callback", token));
  return url.pathname + url.search;
}

test("GET /login from a public visitor → 403 page, no redirect to Kite, no login started", async () => {
  const { app, login } = testApp();
  const res = await app.inject({ method: "GET", url: "/login", remoteAddress: "198.51.100.9" });
  assert.equal(res.statusCode, 403);
  assert.equal(res.headers.location, undefined);
  assert.match(res.body, /dashboard/);
  assert.equal(login.starts, 0);
});

test("GET /login from a public visitor with the real login flow → nothing written to disk; with a dashboard session → the state is written", async () => {
  const dir = join(tmp, "states");
  const clock = new ManualClock(T0);
  const flow = new LoginFlow({
    apiKey: "k",
    apiSecret: "s",
    loginUrl: "https://kite.example/connect/login",
    authTimeoutSeconds: 300,
    clock,
    states: new FilePendingStates(join(dir, "login_states.json"), clock),
    kite: {
      generateSession: async () => assert.fail("no exchange"),
      profile: async () => assert.fail("no profile"),
    },
    store: { save: () => assert.fail("no save") },
  });
  const { app } = testApp({ deps: { login: flow } });
  for (const url of ["/login", "/login?link=", "/login?link=1.2.3"]) {
    assert.equal((await app.inject({ method: "GET", url })).statusCode, 403);
  }
  assert.equal(existsSync(dir), false, "a public visitor writes nothing");
  const { cookie } = await logIn(app);
  const res = await app.inject({ method: "GET", url: "/login", headers: { cookie } });
  assert.equal(res.statusCode, 302);
  assert.match(String(res.headers.location), /^https:\/\/kite\.example\/connect\/login\?/);
  assert.deepEqual(readdirSync(dir), ["login_states.json"]);
  assert.equal(statSync(join(dir, "login_states.json")).mode & 0o777, 0o600);
});

test("GET /login with a link the service signed → 302 once; the same link again → 403", async () => {
  const clock = new ManualClock(T0);
  const links = linksAt(clock);
  const { app, login } = testApp({ deps: { loginLinks: links } });
  const { token } = links.issue();
  const first = await app.inject({ method: "GET", url: pathOf(token), remoteAddress: "198.51.100.9" });
  assert.equal(first.statusCode, 302);
  assert.match(String(first.headers.location), /^https:\/\/kite\.example\//);
  const again = await app.inject({ method: "GET", url: pathOf(token), remoteAddress: "198.51.100.9" });
  assert.equal(again.statusCode, 403);
  assert.match(again.body, /already used/);
  assert.equal(again.headers.location, undefined);
  assert.equal(login.starts, 1);
});

test("GET /login with an expired, doctored or foreign-key link → 403, no login started", async () => {
  const clock = new ManualClock(T0);
  const links = linksAt(clock);
  const { app, login } = testApp({ deps: { loginLinks: links } });
  // The fixture's own clock is not the links' clock: links are judged by theirs.
  const expired = links.issue().token;
  clock.advance(60 * 60 * 1000 + 1);
  const fresh = links.issue().token;
  const [exp, nonce, mac] = fresh.split(".") as [string, string, string];
  const later = `${(Number.parseInt(exp, 36) + 86_400_000).toString(36)}.${nonce}.${mac}`;
  const foreign = linksAt(clock, Buffer.alloc(32, 9)).issue().token;
  const cases: Array<[string, RegExp]> = [
    [expired, /expired/],
    [later, /not valid/],
    [foreign, /not valid/],
    [`${fresh}x`, /not valid/],
  ];
  for (const [token, why] of cases) {
    const res = await app.inject({ method: "GET", url: pathOf(token) });
    assert.equal(res.statusCode, 403, token);
    assert.equal(res.headers.location, undefined);
    assert.match(res.body, why);
  }
  assert.equal(login.starts, 0);
  assert.equal(
    (await app.inject({ method: "GET", url: pathOf(fresh) })).statusCode,
    302,
    "the real one still works",
  );
});

test("HEAD /login with a signed link (a link checker, a preview) → not served; the link still works for the trader", async () => {
  const clock = new ManualClock(T0);
  const links = linksAt(clock);
  const { app } = testApp({ deps: { loginLinks: links } });
  const { token } = links.issue();
  const head = await app.inject({ method: "HEAD", url: pathOf(token) });
  assert.notEqual(head.statusCode, 302);
  assert.equal((await app.inject({ method: "GET", url: pathOf(token) })).statusCode, 302);
});
