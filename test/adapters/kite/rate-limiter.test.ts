import assert from "node:assert/strict";
import { test } from "node:test";
import { type RateClass, RateLimiter } from "../../../src/adapters/kite/rate-limiter.js";
import { ManualClock } from "../../../src/ports/clock.js";

/** A limiter on a manual clock that only its sleep moves: no real waiting. */
function limiter(safetyMarginMs = 0) {
  const clock = new ManualClock(0);
  const sleeps: number[] = [];
  const rl = new RateLimiter({
    clock,
    safetyMarginMs,
    // Time passes after whatever is already due has run, as with a real timer.
    sleep: async (ms) => {
      sleeps.push(ms);
      await new Promise((resolve) => setImmediate(resolve));
      clock.advance(ms);
    },
  });
  /** Acquires `n` grants of a class at once; resolves with the clock time of each grant. */
  const grantTimes = (cls: RateClass, n: number) =>
    Promise.all(Array.from({ length: n }, () => rl.acquire(cls).then(() => clock.now())));
  return { rl, clock, sleeps, grantTimes };
}

test("RateLimiter quote class (1/s) → one grant a second", async () => {
  const { grantTimes } = limiter();
  assert.deepEqual(await grantTimes("quote", 4), [0, 1000, 2000, 3000]);
});

test("RateLimiter with a safety margin → grants spaced by the window plus the margin", async () => {
  const { grantTimes } = limiter(50);
  assert.deepEqual(await grantTimes("quote", 3), [0, 1050, 2100]);
});

test("RateLimiter historical class (3/s) → three grants, then the next second", async () => {
  const { grantTimes } = limiter();
  assert.deepEqual(await grantTimes("historical", 7), [0, 0, 0, 1000, 1000, 1000, 2000]);
});

test("RateLimiter orders class → 10 a second, and the 401st waits for the minute window", async () => {
  const { grantTimes } = limiter();
  const times = await grantTimes("orders", 401);
  assert.deepEqual(times.slice(0, 11), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1000]);
  assert.equal(times[399], 39_000);
  assert.equal(times[400], 60_000);
});

test("RateLimiter others class (10/s) → ten grants a second", async () => {
  const { grantTimes } = limiter();
  const times = await grantTimes("others", 21);
  assert.equal(times.filter((t) => t === 0).length, 10);
  assert.equal(times.filter((t) => t === 1000).length, 10);
  assert.equal(times[20], 2000);
});

test("RateLimiter within a class → calls granted in the order they asked (FIFO)", async () => {
  const { rl } = limiter();
  const order: number[] = [];
  await Promise.all([1, 2, 3, 4, 5].map((i) => rl.acquire("quote").then(() => order.push(i))));
  assert.deepEqual(order, [1, 2, 3, 4, 5]);
});

test("RateLimiter classes → independent: a waiting quote queue does not hold back others", async () => {
  const { rl, clock } = limiter();
  const quotes = Promise.all([rl.acquire("quote"), rl.acquire("quote"), rl.acquire("quote")]);
  let othersAt = -1;
  await rl.acquire("others").then(() => {
    othersAt = clock.now();
  });
  assert.equal(othersAt, 0);
  await quotes;
});

test("RateLimiter with a clock set back → waits at most one window", async () => {
  const { rl, clock, sleeps } = limiter();
  clock.set(100_000);
  await rl.acquire("quote");
  clock.set(0); // NTP stepped the clock back
  await rl.acquire("quote");
  assert.ok(Math.max(...sleeps) <= 1000);
});

test("RateLimiter under load → no real time spent waiting", async () => {
  const { grantTimes } = limiter();
  const started = performance.now();
  await grantTimes("quote", 50);
  assert.ok(performance.now() - started < 1000);
});
