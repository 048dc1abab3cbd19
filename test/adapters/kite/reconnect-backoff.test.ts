import assert from "node:assert/strict";
import { test } from "node:test";
import { ReconnectBackoff } from "../../../src/adapters/kite/reconnect-backoff.js";

test("ReconnectBackoff with the top of the jitter → doubles from the initial delay up to the cap", () => {
  const b = new ReconnectBackoff({ initialMs: 1_000, maxMs: 8_000 }, () => 1);
  assert.deepEqual(
    Array.from({ length: 6 }, () => b.next()),
    [1_000, 2_000, 4_000, 8_000, 8_000, 8_000],
  );
  assert.equal(b.attempt, 6);
});

test("ReconnectBackoff with a jitter source of 0 → a tenth of the initial delay, never 0", () => {
  const b = new ReconnectBackoff({ initialMs: 1_000, maxMs: 8_000 }, () => 0);
  assert.equal(b.next(), 100);
  assert.equal(b.next(), 100);
});

test("ReconnectBackoff after reset → starts again from the initial delay", () => {
  const b = new ReconnectBackoff(undefined, () => 1);
  b.next();
  b.next();
  b.reset();
  assert.equal(b.attempt, 0);
  assert.equal(b.next(), 1_000);
});
