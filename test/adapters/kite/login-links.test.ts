import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  LOGIN_LINK_TTL_MS,
  LoginLinks,
  loadOrCreateLinkKey,
  loginLinkKeyPath,
  loginLinkUrl,
} from "../../../src/adapters/kite/login-links.js";
import { ManualClock } from "../../../src/ports/clock.js";

const tmp = mkdtempSync(join(tmpdir(), "pivot-login-links-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("loadOrCreateLinkKey without a key file → 32 random bytes written owner-only in an owner-only folder; read back the same", () => {
  const path = loginLinkKeyPath(join(tmp, "fresh", "data", "access_token.json"));
  const key = loadOrCreateLinkKey(path);
  assert.equal(key.length, 32);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(join(tmp, "fresh", "data")).mode & 0o777, 0o700);
  assert.deepEqual(loadOrCreateLinkKey(path), key);
});

test("loadOrCreateLinkKey with a damaged key file → an error naming the file and the fix", () => {
  const path = join(tmp, "damaged.key");
  writeFileSync(path, "not a key\n", { mode: 0o600 });
  assert.throws(() => loadOrCreateLinkKey(path), /damaged\.key is damaged: delete it and restart/);
});

test("a link after a restart (same key file) → still accepted; after its TTL → expired", () => {
  const path = join(tmp, "restart", "login_link.key");
  const clock = new ManualClock(1_760_000_000_000);
  const { token } = new LoginLinks({ key: loadOrCreateLinkKey(path), clock }).issue();
  const restarted = new LoginLinks({ key: loadOrCreateLinkKey(path), clock });
  clock.advance(LOGIN_LINK_TTL_MS - 1);
  assert.equal(restarted.take(token), "ok");
  const other = new LoginLinks({ key: loadOrCreateLinkKey(path), clock }).issue().token;
  clock.advance(LOGIN_LINK_TTL_MS);
  assert.equal(restarted.take(other), "expired");
});

test("loginLinkUrl → /login beside the callback, the token as ?link=", () => {
  assert.equal(
    loginLinkUrl("https://pivot.example.net/callback", "a.b.c"),
    "https://pivot.example.net/login?link=a.b.c",
  );
  assert.equal(
    loginLinkUrl("https://x.example/pivot/callback?x=1", "t"),
    "https://x.example/pivot/login?link=t",
  );
});
