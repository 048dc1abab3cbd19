import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { KiteRest } from "../../../src/adapters/kite/kite-rest.js";
import { RateLimiter } from "../../../src/adapters/kite/rate-limiter.js";
import { readSessionFile, SessionStore } from "../../../src/adapters/kite/session-store.js";
import { istEpochMs } from "../../../src/domain/ist.js";
import { ManualClock } from "../../../src/ports/clock.js";
import { FakeKite, kiteError } from "./fake-kite.js";

let fake: FakeKite;
const tmp = mkdtempSync(join(tmpdir(), "pivot-kite-expiry-"));
before(async () => {
  fake = await FakeKite.start();
});
after(async () => {
  await fake.close();
  rmSync(tmp, { recursive: true, force: true });
});

const TOKEN_REJECTED = kiteError(403, "TokenException", "Incorrect `api_key` or `access_token`.");

test("TokenException on several calls at once → one session_expired event, the session file no longer valid", async () => {
  const clock = new ManualClock(istEpochMs("2025-09-04", 10 * 60));
  const path = join(tmp, "a", "access_token.json");
  const store = new SessionStore({ path, clock });
  const session = store.save({ accessToken: "dead-token-1", userId: "AB1234", userName: "A B" });
  const events: string[] = [];
  store.on("session_expired", (e) => events.push(`${e.type}:${e.userId}:${e.reason}`));

  for (const key of ["GET /user/profile", "GET /orders", "GET /portfolio/positions", "GET /user/margins"]) {
    fake.route(key, TOKEN_REJECTED);
  }
  const sleep = async (ms: number) => clock.advance(ms);
  const kite = new KiteRest({
    apiKey: "testkey",
    apiRoot: fake.url,
    timeoutMs: 1000,
    limiter: new RateLimiter({ clock, sleep }),
    sleep,
    accessToken: session.accessToken,
    onSessionExpired: (token) => store.markExpired(token),
  });
  const results = await Promise.all([kite.profile(), kite.orders(), kite.positions()]);
  for (const r of results) {
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.kind, "session_expired");
    assert.equal(!r.ok && r.error.httpStatus, 403);
  }
  // TokenException is final: not retried.
  assert.equal(fake.requests.length, 3);
  assert.deepEqual(events, ["session_expired:AB1234:token_rejected"]);
  assert.equal(readSessionFile(path, clock.now()).state, "missing");
  assert.equal(store.current(), null);

  // Later calls fail at once, without a request and without a second event.
  const later = await kite.margins();
  assert.equal(!later.ok && later.error.kind, "session_expired");
  assert.equal(fake.requests.length, 3);
  assert.equal(events.length, 1);
});

test("TokenException for a token older than the stored session → the new session stays, no event", async () => {
  const clock = new ManualClock(istEpochMs("2025-09-04", 10 * 60));
  const path = join(tmp, "b", "access_token.json");
  const store = new SessionStore({ path, clock });
  store.save({ accessToken: "new-token", userId: "AB1234" });
  let events = 0;
  store.on("session_expired", () => events++);
  assert.equal(store.markExpired("old-token"), false);
  assert.equal(events, 0);
  assert.equal(readSessionFile(path, clock.now()).state, "valid");
  assert.equal(store.current()?.accessToken, "new-token");
});
