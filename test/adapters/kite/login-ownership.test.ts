import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { KiteRest } from "../../../src/adapters/kite/kite-rest.js";
import { LoginFlow, MemoryPendingStates } from "../../../src/adapters/kite/login-flow.js";
import { RateLimiter } from "../../../src/adapters/kite/rate-limiter.js";
import { readSessionFile, SessionStore } from "../../../src/adapters/kite/session-store.js";
import { istEpochMs } from "../../../src/domain/ist.js";
import { ManualClock } from "../../../src/ports/clock.js";
import { FakeKite, mockJson } from "./fake-kite.js";

/*
 * Issue 13 §1: anyone could complete a Kite login on the service with their own account and
 * the callback replaced the trader's session. With kite.user_id the flow refuses a session of
 * any other user before it is stored, and the client keeps using the trader's token.
 */

const API_KEY = "kitekey1";
const API_SECRET = "s3cret-api";
const HELD_TOKEN = "at-trader-held";
const FOREIGN_TOKEN = "at-attacker-new";

let fake: FakeKite;
const tmp = mkdtempSync(join(tmpdir(), "pivot-login-owner-"));
before(async () => {
  fake = await FakeKite.start();
});
after(async () => {
  await fake.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Kite's exchange and profile answer for `userId`. */
function kiteAnswersAs(userId: string, accessToken: string): void {
  fake.route("POST /session/token", () => {
    const s = mockJson<{ data: Record<string, unknown> }>("generate_session.json");
    s.data.user_id = userId;
    s.data.access_token = accessToken;
    return { json: s };
  });
  fake.route("GET /user/profile", () => {
    const p = mockJson<{ data: Record<string, unknown> }>("profile.json");
    p.data.user_id = userId;
    return { json: p };
  });
}

let n = 0;
/** The trader (AB1234) holds a session; the flow expects AB1234. */
function traderHoldingASession(expectedUserId: string) {
  const clock = new ManualClock(istEpochMs("2025-09-04", 8 * 60 + 30));
  const path = join(tmp, `case-${++n}`, "access_token.json");
  const store = new SessionStore({ path, clock });
  store.save({ accessToken: HELD_TOKEN, userId: "AB1234" });
  const kite = new KiteRest({
    apiKey: API_KEY,
    apiRoot: fake.url,
    timeoutMs: 1000,
    limiter: new RateLimiter({ clock, sleep: async (ms) => clock.advance(ms) }),
    accessToken: HELD_TOKEN,
  });
  const flow = new LoginFlow({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    loginUrl: "https://kite.zerodha.com/connect/login",
    authTimeoutSeconds: 300,
    clock,
    states: new MemoryPendingStates(),
    kite,
    store,
    expectedUserId,
  });
  return { flow, store, kite, path, clock };
}

const callbackFor = (state: string) =>
  new URLSearchParams({ action: "login", type: "login", status: "success", request_token: "rt-1", state });

test("a callback completing another user's Kite login → refused as foreign_user; the trader's session file and token stay", async () => {
  kiteAnswersAs("ZX9999", FOREIGN_TOKEN);
  const { flow, store, kite, path, clock } = traderHoldingASession("AB1234");
  const outcome = await flow.handleCallback(callbackFor(flow.start().state));

  assert.equal(outcome.ok, false);
  assert.equal(!outcome.ok && outcome.reason, "foreign_user");
  assert.equal(!outcome.ok && outcome.refusedUserId, "ZX9999");
  assert.doesNotMatch(!outcome.ok ? outcome.message : "", /AB1234/, "the page never names the trader");
  const file = readSessionFile(path, clock.now());
  assert.equal(file.state === "valid" && file.session.accessToken, HELD_TOKEN);
  assert.equal(store.current()?.userId, "AB1234");
  // The exchange had switched the client to the new token: the next call uses the trader's again.
  fake.clearRequests();
  await kite.profile();
  assert.equal(fake.requests.at(-1)?.headers.authorization, `token ${API_KEY}:${HELD_TOKEN}`);
});

test("a callback of the trader's own login (client id in any case) → stored", async () => {
  kiteAnswersAs("AB1234", "at-trader-new");
  const { flow, path, clock } = traderHoldingASession("ab1234");
  const outcome = await flow.handleCallback(callbackFor(flow.start().state));
  assert.equal(outcome.ok, true);
  const file = readSessionFile(path, clock.now());
  assert.equal(file.state === "valid" && file.session.accessToken, "at-trader-new");
});

test("without kite.user_id (paper trading) → any user's session is stored, as before", async () => {
  kiteAnswersAs("ZX9999", FOREIGN_TOKEN);
  const { flow, path, clock } = traderHoldingASession("");
  assert.equal((await flow.handleCallback(callbackFor(flow.start().state))).ok, true);
  const file = readSessionFile(path, clock.now());
  assert.equal(file.state === "valid" && file.session.userId, "ZX9999");
});
