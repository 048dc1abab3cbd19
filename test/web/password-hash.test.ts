import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_SCRYPT, hashPassword, isPasswordHash, verifyPassword } from "../../src/web/password-hash.js";

const CHEAP = { ln: 4, r: 8, p: 1 };

test("hashPassword → a self-describing scrypt string that verifies the password and nothing else", async () => {
  const hash = await hashPassword("s3cret pass", CHEAP);
  assert.match(hash, /^\$scrypt\$ln=4,r=8,p=1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
  assert.ok(isPasswordHash(hash));
  assert.equal(await verifyPassword("s3cret pass", hash), true);
  assert.equal(await verifyPassword("s3cret pass ", hash), false);
  assert.equal(await verifyPassword("", hash), false);
});

test("hashPassword twice → different salts, different hashes", async () => {
  assert.notEqual(await hashPassword("x", CHEAP), await hashPassword("x", CHEAP));
});

test("hashPassword with a fixed salt → the same hash (the parameters travel with it)", async () => {
  const salt = Buffer.alloc(16, 7);
  assert.equal(await hashPassword("x", CHEAP, salt), await hashPassword("x", CHEAP, salt));
  assert.notEqual(await hashPassword("x", { ln: 5, r: 8, p: 1 }, salt), await hashPassword("x", CHEAP, salt));
});

test("the default parameters → N = 2^15, r = 8: a hash verifies (slow on purpose, once)", async () => {
  assert.deepEqual(DEFAULT_SCRYPT, { ln: 15, r: 8, p: 1 });
  const hash = await hashPassword("default");
  assert.ok(hash.startsWith("$scrypt$ln=15,r=8,p=1$"));
  assert.equal(await verifyPassword("default", hash), true);
});

test("malformed or absurd hashes → not hashes; verifying against them is false, never a throw", async () => {
  for (const bad of [
    "",
    "plain",
    "$scrypt$ln=15,r=8,p=1$c2FsdHNhbHQ=",
    "$scrypt$ln=40,r=8,p=1$c2FsdHNhbHQ=$a2V5a2V5a2V5a2V5a2V5a2V5",
    "$scrypt$ln=15,r=8,p=1$c2E=$a2V5a2V5a2V5a2V5a2V5a2V5",
    "$bcrypt$ln=15,r=8,p=1$c2FsdHNhbHQ=$a2V5a2V5a2V5a2V5a2V5a2V5",
  ]) {
    assert.equal(isPasswordHash(bad), false, bad);
    assert.equal(await verifyPassword("x", bad), false, bad);
  }
});
