import assert from "node:assert/strict";
import { test } from "node:test";
import type { LoginOutcome } from "../../src/adapters/kite/login-flow.js";
import { LoginGuard } from "../../src/app/login-guard.js";
import { istEpochMs } from "../../src/domain/ist.js";
import { ManualClock } from "../../src/ports/clock.js";
import type { Notification } from "../../src/ports/notifier.js";

function guardWith(outcome: LoginOutcome) {
  const clock = new ManualClock(istEpochMs("2025-09-04", 8 * 60 + 5));
  const told: Notification[] = [];
  const audited: Array<{ actor: string; action: string; details?: Record<string, unknown> }> = [];
  const alerts: Array<[string, string]> = [];
  const guard = new LoginGuard({
    login: { start: () => ({ url: "https://kite.example/x" }), handleCallback: async () => outcome },
    clock,
    notifier: { notify: (n) => told.push(n) },
    audit: {
      record: (actor, action, details) => audited.push({ actor, action, ...(details ? { details } : {}) }),
    },
    alert: (level, message) => alerts.push([level, message]),
    expectedUserId: "AB1234",
  });
  return { guard, clock, told, audited, alerts };
}

test("a refused session of another Kite user → Telegram login_refused, audit entry, dashboard alert, critical /status line for the day", async () => {
  const { guard, clock, told, audited, alerts } = guardWith({
    ok: false,
    reason: "foreign_user",
    message: "the Kite account ZX9999 is not the one this system trades for",
    refusedUserId: "ZX9999",
  });
  const outcome = await guard.port.handleCallback({ state: "s" });
  assert.equal(outcome.ok, false);
  assert.deepEqual(
    told.map((n) => n.kind === "login_refused" && [n.userId, n.expectedUserId]),
    [["ZX9999", "AB1234"]],
  );
  assert.deepEqual(audited, [
    {
      actor: "kite_callback",
      action: "kite_session_refused",
      details: { userId: "ZX9999", expectedUserId: "AB1234" },
    },
  ]);
  assert.equal(alerts[0]?.[0], "critical");
  assert.match(alerts[0]?.[1] ?? "", /ZX9999/);
  const [line] = guard.checks();
  assert.equal(line?.level, "critical");
  assert.match(line?.detail ?? "", /at 08:05 IST a Kite session of ZX9999/);
  clock.advance(24 * 3600_000);
  assert.deepEqual(guard.checks(), [], "the next day starts clean");
});

test("another failed login → only the usual login_result failure, nothing audited, /status clean", async () => {
  const { guard, told, audited, alerts } = guardWith({
    ok: false,
    reason: "expired_state",
    message: "too slow",
  });
  await guard.port.handleCallback({});
  assert.deepEqual(
    told.map((n) => n.kind),
    ["login_result"],
  );
  assert.deepEqual(audited, []);
  assert.deepEqual(alerts, []);
  assert.deepEqual(guard.checks(), []);
});
