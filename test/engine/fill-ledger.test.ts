import assert from "node:assert/strict";
import { test } from "node:test";
import { outsideExitReason } from "../../src/engine/outside-exit.js";
import { EMERGENCY_REASON } from "../../src/engine/stop-keeper.js";

test("outsideExitReason of the order manager's exit reasons → the strategy's own exits none, the stop STOP_FILLED, PANIC, anything else MANUAL", () => {
  for (const own of ["STOP_LOSS", "TARGET", "TIMEOUT", "EOD", "MAX_DAILY_LOSS"])
    assert.equal(outsideExitReason(own), null, own);
  assert.equal(outsideExitReason("protective_stop"), "STOP_FILLED");
  assert.equal(outsideExitReason("PANIC"), "PANIC");
  assert.equal(outsideExitReason("resumed"), "MANUAL", "an exit whose reason was lost over a restart");
});

test("outsideExitReason of the stop keeper's emergency exit (no stop could rest) → EMERGENCY, not MANUAL", () => {
  assert.equal(outsideExitReason(EMERGENCY_REASON), "EMERGENCY");
});
