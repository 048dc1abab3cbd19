import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, test } from "node:test";
import { KiteRest } from "../../../src/adapters/kite/kite-rest.js";
import {
  buildLoginUrl,
  FilePendingStates,
  LoginFlow,
  MemoryPendingStates,
  type PendingStates,
} from "../../../src/adapters/kite/login-flow.js";
import { RateLimiter } from "../../../src/adapters/kite/rate-limiter.js";
import { readSessionFile, SessionStore } from "../../../src/adapters/kite/session-store.js";
import { istEpochMs } from "../../../src/domain/ist.js";
import { ManualClock } from "../../../src/ports/clock.js";
import { FakeKite, kiteError, mockJson } from "./fake-kite.js";

const API_KEY = "kitekey1";
const API_SECRET = "s3cret-api";
const REQUEST_TOKEN = "rt-7f3a9c";
const ACCESS_TOKEN = "at-9d8e7f6a";

let fake: FakeKite;
const tmp = mkdtempSync(join(tmpdir(), "pivot-login-flow-"));
before(async () => {
  fake = await FakeKite.start();
});
after(async () => {
  await fake.close();
  rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  fake.clearRequests();
  // The recorded session payload's user differs from the recorded profile's: make them one user.
  fake.route("POST /session/token", () => {
    const s = mockJson<{ data: Record<string, unknown> }>("generate_session.json");
    s.data.user_id = "AB1234";
    s.data.access_token = ACCESS_TOKEN;
    return { json: s };
  });
});

let n = 0;
function setup(options: { states?: PendingStates; clock?: ManualClock } = {}) {
  const clock = options.clock ?? new ManualClock(istEpochMs("2025-09-04", 8 * 60 + 30));
  const path = join(tmp, `case-${++n}`, "access_token.json");
  const store = new SessionStore({ path, clock });
  const kite = new KiteRest({
    apiKey: API_KEY,
    apiRoot: fake.url,
    timeoutMs: 1000,
    limiter: new RateLimiter({ clock, sleep: async (ms) => clock.advance(ms) }),
  });
  let count = 0;
  const flow = new LoginFlow({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    loginUrl: "https://kite.zerodha.com/connect/login",
    authTimeoutSeconds: 300,
    clock,
    states: options.states ?? new MemoryPendingStates(),
    kite,
    store,
    newState: () => `state${++count}`,
  });
  return { flow, store, path, clock };
}

const callback = (state: string | undefined, extra: Record<string, string> = {}) => {
  const q = new URLSearchParams({
    action: "login",
    type: "login",
    status: "success",
    request_token: REQUEST_TOKEN,
    ...extra,
  });
  if (state !== undefined) q.set("state", state);
  return q;
};

test("buildLoginUrl → Kite's URL with api_key, v=3 and the state inside redirect_params", () => {
  const url = new URL(buildLoginUrl("https://kite.zerodha.com/connect/login", "kitekey1", "Ab_9-x"));
  assert.equal(url.origin + url.pathname, "https://kite.zerodha.com/connect/login");
  assert.equal(url.searchParams.get("api_key"), "kitekey1");
  assert.equal(url.searchParams.get("v"), "3");
  assert.equal(url.searchParams.get("redirect_params"), "state=Ab_9-x");
  assert.match(url.search, /redirect_params=state%3DAb_9-x/);
});

test("LoginFlow.start → a fresh random state each time, in the URL", () => {
  const { flow } = setup();
  const a = flow.start();
  const b = flow.start();
  assert.notEqual(a.state, b.state);
  assert.equal(new URL(a.url).searchParams.get("redirect_params"), `state=${a.state}`);
});

test("LoginFlow callback with the right state → exchanged with the checksum, profile checked, session stored", async () => {
  const { flow, path, clock } = setup();
  const { state } = flow.start();
  const outcome = await flow.handleCallback(callback(state));
  assert.deepEqual(outcome, {
    ok: true,
    userId: "AB1234",
    userName: "Kite Connect",
    expiresAt: "2025-09-05T06:00:00+05:30",
  });
  const exchange = fake.requests.find((r) => r.path === "/session/token");
  assert.equal(exchange?.form.get("api_key"), API_KEY);
  assert.equal(exchange?.form.get("request_token"), REQUEST_TOKEN);
  assert.equal(
    exchange?.form.get("checksum"),
    createHash("sha256")
      .update(API_KEY + REQUEST_TOKEN + API_SECRET)
      .digest("hex"),
  );
  assert.equal(exchange?.form.get("api_secret"), null);
  const profile = fake.requests.find((r) => r.path === "/user/profile");
  assert.equal(profile?.headers.authorization, `token ${API_KEY}:${ACCESS_TOKEN}`);
  const file = readSessionFile(path, clock.now());
  assert.equal(file.state === "valid" && file.session.accessToken, ACCESS_TOKEN);
});

test("LoginFlow callback with a wrong or missing state → bad_state, nothing exchanged", async () => {
  const { flow, path, clock } = setup();
  flow.start();
  for (const state of ["forged", undefined]) {
    const outcome = await flow.handleCallback(callback(state));
    assert.equal(!outcome.ok && outcome.reason, "bad_state");
  }
  assert.equal(fake.requests.length, 0);
  assert.equal(readSessionFile(path, clock.now()).state, "missing");
});

test("LoginFlow callback with status other than success → not_success, nothing exchanged", async () => {
  const { flow } = setup();
  const { state } = flow.start();
  const outcome = await flow.handleCallback(callback(state, { status: "cancelled" }));
  assert.equal(!outcome.ok && outcome.reason, "not_success");
  assert.equal(fake.requests.length, 0);
});

test("LoginFlow callback with action other than login → not_login", async () => {
  const { flow } = setup();
  const { state } = flow.start();
  const outcome = await flow.handleCallback(callback(state, { action: "basket" }));
  assert.equal(!outcome.ok && outcome.reason, "not_login");
});

test("LoginFlow callback without request_token → missing_request_token, nothing exchanged", async () => {
  const { flow } = setup();
  const { state } = flow.start();
  const q = callback(state);
  q.delete("request_token");
  const outcome = await flow.handleCallback(q);
  assert.equal(!outcome.ok && outcome.reason, "missing_request_token");
  assert.equal(fake.requests.length, 0);
});

test("LoginFlow callback reusing a state → bad_state the second time, one exchange only", async () => {
  const { flow } = setup();
  const { state } = flow.start();
  assert.equal((await flow.handleCallback(callback(state))).ok, true);
  const again = await flow.handleCallback(callback(state));
  assert.equal(!again.ok && again.reason, "bad_state");
  assert.equal(fake.count("POST /session/token"), 1);
});

test("LoginFlow callback after auth_timeout_seconds → expired_state, nothing exchanged", async () => {
  const { flow, clock } = setup();
  const { state } = flow.start();
  clock.advance(301_000);
  const outcome = await flow.handleCallback(callback(state));
  assert.equal(!outcome.ok && outcome.reason, "expired_state");
  assert.equal(fake.requests.length, 0);
});

test("LoginFlow with Kite refusing the request token → exchange_failed, no session, no secret in the message", async () => {
  fake.route("POST /session/token", kiteError(403, "TokenException", "Token is invalid or has expired."));
  const { flow, path, clock } = setup();
  const { state } = flow.start();
  const outcome = await flow.handleCallback(callback(state));
  assert.equal(!outcome.ok && outcome.reason, "exchange_failed");
  const message = !outcome.ok ? outcome.message : "";
  assert.match(message, /Token is invalid/);
  for (const secret of [REQUEST_TOKEN, API_SECRET]) assert.ok(!message.includes(secret));
  assert.equal(readSessionFile(path, clock.now()).state, "missing");
});

test("LoginFlow whose session and profile name different users → user_mismatch, no session", async () => {
  fake.route("POST /session/token", () => ({ json: mockJson("generate_session.json") })); // user XX0000
  const { flow, path, clock } = setup();
  const { state } = flow.start();
  const outcome = await flow.handleCallback(callback(state));
  assert.equal(!outcome.ok && outcome.reason, "user_mismatch");
  assert.equal(readSessionFile(path, clock.now()).state, "missing");
});

test("FilePendingStates shared by two flows → a state handed out by one is accepted once by the other", async () => {
  const clock = new ManualClock(istEpochMs("2025-09-04", 8 * 60 + 30));
  const statesPath = join(tmp, `case-${++n}`, "login_states.json");
  const cli = setup({ clock, states: new FilePendingStates(statesPath, clock) });
  const service = setup({ clock, states: new FilePendingStates(statesPath, clock) });
  const { state } = cli.flow.start();
  assert.equal((await service.flow.handleCallback(callback(state))).ok, true);
  const again = await cli.flow.handleCallback(callback(state));
  assert.equal(!again.ok && again.reason, "bad_state");
});

test("a refused request token while a session is held → the held session is not ended", async () => {
  fake.route("POST /session/token", kiteError(403, "TokenException", "Token is invalid or has expired."));
  const clock = new ManualClock(istEpochMs("2025-09-04", 10 * 60));
  let ended = 0;
  const kite = new KiteRest({
    apiKey: API_KEY,
    apiRoot: fake.url,
    timeoutMs: 1000,
    limiter: new RateLimiter({ clock, sleep: async (ms) => clock.advance(ms) }),
    accessToken: "live-token",
    onSessionExpired: () => ended++,
  });
  const r = await kite.generateSession(REQUEST_TOKEN, API_SECRET);
  assert.equal(!r.ok && r.error.kind, "session_expired");
  assert.equal(ended, 0);
  assert.equal((await kite.profile()).ok, true);
  assert.equal(fake.requests.at(-1)?.headers.authorization, `token ${API_KEY}:live-token`);
});
