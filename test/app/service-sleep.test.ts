import assert from "node:assert/strict";
import { test } from "node:test";
import { timerSleep } from "../../src/adapters/kite/rate-limiter.js";
import { serviceSleep } from "../../src/app/service-sleep.js";
import { realSetTimer, type SetTimer } from "../../src/ports/timer.js";

/** Timers that fire only when the test says (a market clock the test moves). */
function heldTimers() {
  const due: Array<{ ms: number; fn: () => void; cancelled: boolean }> = [];
  const setTimer: SetTimer = (ms, fn) => {
    const t = { ms, fn, cancelled: false };
    due.push(t);
    return () => {
      t.cancelled = true;
    };
  };
  const fireAll = () => {
    for (const t of due.splice(0)) if (!t.cancelled) t.fn();
  };
  return { setTimer, due, fireAll };
}

test("serviceSleep on the real timers → the plain real-time sleep", () => {
  assert.equal(serviceSleep(realSetTimer), timerSleep);
});

test("serviceSleep on a market clock faster than real time → ends when the market timer fires, long before the real wait", async () => {
  const t = heldTimers();
  const started = performance.now();
  const slept = serviceSleep(t.setTimer)(60_000);
  assert.equal(t.due[0]?.ms, 60_000, "the wait is asked in the service's time");
  t.fireAll();
  await slept;
  assert.ok(performance.now() - started < 1_000);
});

test("serviceSleep on a paused market clock → ends after the same wait in real time, the market timer cancelled", async () => {
  const t = heldTimers();
  const started = performance.now();
  await serviceSleep(t.setTimer)(40);
  assert.ok(performance.now() - started >= 35);
  assert.equal(t.due[0]?.cancelled, true);
});
