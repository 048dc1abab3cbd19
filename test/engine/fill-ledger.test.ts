import assert from "node:assert/strict";
import { test } from "node:test";
import { outsideExitReason } from "../../src/engine/fill-ledger.js";

test("outsideExitReason of the order manager's exit reasons → the strategy's own exits none, the stop STOP_FILLED, PANIC, anything else MANUAL", () => {
  for (const own of ["STOP_LOSS", "TARGET", "TIMEOUT", "EOD", "MAX_DAILY_LOSS"])
    assert.equal(outsideExitReason(own), null, own);
  assert.equal(outsideExitReason("protective_stop"), "STOP_FILLED");
  assert.equal(outsideExitReason("PANIC"), "PANIC");
  assert.equal(outsideExitReason("resumed"), "MANUAL", "an exit whose reason was lost over a restart");
});
