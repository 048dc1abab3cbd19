import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, test } from "node:test";
import { KiteConnect } from "kiteconnect";
import { istEpochMs } from "../../src/domain/ist.js";
import { ManualClock } from "../../src/ports/clock.js";
import { type RunningSimulator, startSimulator } from "../../src/sim/simulator.js";
import { loggedInClient, loginRedirect, rejection } from "./sim-helpers.js";

let sim: RunningSimulator;
const clock = new ManualClock(istEpochMs("2025-09-05", 8 * 60 + 30));

before(async () => {
  sim = await startSimulator({
    port: 0,
    startPaused: true,
    clock,
    redirectUrl: "http://127.0.0.1:1/callback",
    rateLimits: false,
  });
});
after(() => sim.close());

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

test("login page → an HTML page naming the user, whose button redirects with a request token and the state", async () => {
  const page = await fetch(
    `${sim.loginUrl}?api_key=${sim.apiKey}&v=3&redirect_params=${encodeURIComponent("state=xyz&next=/home")}`,
  );
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /Kite simulator — log in as SIM001/);
  const href = /href="([^"]+)"/.exec(html)?.[1]?.replaceAll("&#38;", "&");
  assert.ok(href, "the page has a login link");
  const res = await fetch(new URL(href, sim.url), { redirect: "manual" });
  assert.equal(res.status, 302);
  const to = new URL(res.headers.get("location") as string);
  assert.equal(`${to.origin}${to.pathname}`, "http://127.0.0.1:1/callback");
  assert.equal(to.searchParams.get("action"), "login");
  assert.equal(to.searchParams.get("type"), "login");
  assert.equal(to.searchParams.get("status"), "success");
  assert.match(to.searchParams.get("request_token") ?? "", /^[0-9a-f]{32}$/);
  assert.equal(to.searchParams.get("state"), "xyz");
  assert.equal(to.searchParams.get("next"), "/home");
});

test("login page with an unknown api_key → HTTP 400 error page", async () => {
  const res = await fetch(`${sim.loginUrl}?api_key=nope&v=3`);
  assert.equal(res.status, 400);
  assert.match(await res.text(), /invalid api_key/i);
});

test("generateSession with the right checksum → session data like Kite's; the profile then answers", async () => {
  const redirect = await loginRedirect(sim);
  const kite = new KiteConnect({ api_key: sim.apiKey, root: sim.url });
  const session = await kite.generateSession(
    redirect.searchParams.get("request_token") as string,
    sim.apiSecret,
  );
  for (const key of [
    "user_id",
    "user_name",
    "access_token",
    "public_token",
    "api_key",
    "login_time",
    "exchanges",
  ]) {
    assert.ok(key in session, `session has ${key}`);
  }
  assert.equal(session.user_id, "SIM001");
  const profile = await kite.getProfile();
  assert.equal(profile.user_id, "SIM001");
  assert.ok(profile.exchanges.includes("BFO"));
});

test("generateSession with a wrong secret (bad checksum) → TokenException, and a used request token → rejected", async () => {
  const redirect = await loginRedirect(sim);
  const token = redirect.searchParams.get("request_token") as string;
  const kite = new KiteConnect({ api_key: sim.apiKey, root: sim.url });
  const bad = await rejection(kite.generateSession(token, "wrong_secret"));
  assert.equal(bad.error_type, "TokenException");
  await kite.generateSession(token, sim.apiSecret);
  const again = await rejection(
    new KiteConnect({ api_key: sim.apiKey, root: sim.url }).generateSession(token, sim.apiSecret),
  );
  assert.equal(again.error_type, "TokenException");
  assert.equal(again.message, "Token is invalid or has expired.");
});

test("POST /session/token form-encoded by hand → checksum = sha256(api_key + request_token + api_secret)", async () => {
  const token = (await loginRedirect(sim)).searchParams.get("request_token") as string;
  const res = await fetch(`${sim.url}/session/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-kite-version": "3" },
    body: new URLSearchParams({
      api_key: sim.apiKey,
      request_token: token,
      checksum: sha256(sim.apiKey + token + sim.apiSecret),
    }).toString(),
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { status: string; data: { access_token: string } };
  assert.equal(body.status, "success");
  assert.match(body.data.access_token, /^[0-9a-f]{32}$/);
});

test("a request token older than five minutes → Token is invalid or has expired", async () => {
  const token = (await loginRedirect(sim)).searchParams.get("request_token") as string;
  clock.advance(5 * 60_000 + 1);
  const e = await rejection(
    new KiteConnect({ api_key: sim.apiKey, root: sim.url }).generateSession(token, sim.apiSecret),
  );
  assert.equal(e.error_type, "TokenException");
});

test("a call without a token, or with one the simulator never issued → HTTP 403 with Kite's exact envelope", async () => {
  const cases: Array<Record<string, string>> = [{}, { authorization: `token ${sim.apiKey}:not_a_token` }];
  for (const headers of cases) {
    const res = await fetch(`${sim.url}/user/profile`, { headers: { "x-kite-version": "3", ...headers } });
    assert.equal(res.status, 403);
    assert.deepEqual(await res.json(), {
      status: "error",
      message: "Incorrect `api_key` or `access_token`.",
      error_type: "TokenException",
      data: null,
    });
  }
});

test("an access token after 06:00 IST the next morning (ManualClock) → 403 TokenException", async () => {
  const { kite } = await loggedInClient(sim);
  await kite.getProfile();
  clock.set(istEpochMs("2025-09-06", 5 * 60 + 59));
  await kite.getProfile();
  clock.set(istEpochMs("2025-09-06", 6 * 60));
  const e = await rejection(kite.getProfile());
  assert.equal(e.error_type, "TokenException");
  assert.equal(e.message, "Incorrect `api_key` or `access_token`.");
  const fresh = await loggedInClient(sim);
  await fresh.kite.getProfile();
});

test("invalidateAccessToken (DELETE /session/token) → true, then the token is refused", async () => {
  const { kite } = await loggedInClient(sim);
  assert.equal(await kite.invalidateAccessToken(), true);
  assert.equal((await rejection(kite.getProfile())).error_type, "TokenException");
});

test("X-Kite-Version other than 3 → InputException; absent → accepted", async () => {
  const { accessToken } = await loggedInClient(sim);
  const auth = { authorization: `token ${sim.apiKey}:${accessToken}` };
  const bad = await fetch(`${sim.url}/user/profile`, { headers: { ...auth, "x-kite-version": "2" } });
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { error_type: string }).error_type, "InputException");
  const none = await fetch(`${sim.url}/user/profile`, { headers: auth });
  assert.equal(none.status, 200);
});
