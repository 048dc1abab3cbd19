import assert from "node:assert/strict";
import { test } from "node:test";
import { istEpochMs } from "../../src/domain/ist.js";
import { StaticIpGuard } from "../../src/engine/static-ip-guard.js";
import { staticIpRule } from "../../src/ops/static-ip.js";
import { ManualClock } from "../../src/ports/clock.js";
import type { Notification } from "../../src/ports/notifier.js";

function guard(publicAddress: (() => Promise<string>) | null, staticIps: string[] = ["203.0.113.7"]) {
  const clock = new ManualClock(istEpochMs("2025-09-04", 8 * 60));
  const told: Notification[] = [];
  const alerts: Array<[string, string]> = [];
  const g = new StaticIpGuard({
    staticIps,
    publicAddress,
    rule: staticIpRule,
    clock,
    notifier: { notify: (n) => told.push(n) },
    alert: (level, message) => alerts.push([level, message]),
  });
  return { g, clock, told, alerts };
}

test("08:00 check with this host not registered → the trader told before the open (Telegram static_ip, dashboard alert, /status line)", async () => {
  const { g, told, alerts } = guard(async () => "198.51.100.23");
  const check = await g.checkBeforeOpen("2025-09-04");
  assert.equal(check.level, "critical");
  assert.equal(told.length, 1);
  const n = told[0];
  assert.ok(n?.kind === "static_ip");
  assert.equal(n.problem, "not_registered");
  assert.equal(n.address, "198.51.100.23");
  assert.match(n.message, /Kite will refuse today's orders.*Elastic IP/);
  assert.equal(alerts[0]?.[0], "critical");
  assert.equal(g.checks()[0]?.level, "critical");
  assert.equal(g.entryBlock(), null, "a mismatch alone does not stop entries: the list may be stale");
});

test("08:00 check with this host registered → silent", async () => {
  const { g, told, alerts } = guard(async () => "203.0.113.7");
  assert.equal((await g.checkBeforeOpen("2025-09-04")).level, "ok");
  assert.deepEqual([told, alerts, g.checks()], [[], [], []]);
});

test("08:00 check against the simulator (no address probe) → skipped, silent", async () => {
  const { g, told } = guard(null, []);
  assert.equal((await g.checkBeforeOpen("2025-09-04")).level, "skipped");
  assert.deepEqual(told, []);
});

test("an order Kite refused for its source address → entries stopped for the rest of the day, alerted once with the explanation; the next day open again", () => {
  const { g, clock, told, alerts } = guard(async () => "203.0.113.7");
  const failure = {
    kind: "source_ip" as const,
    message: "Order requests are not allowed from IP 198.51.100.23",
  };
  g.orderRefused("place", failure);
  g.orderRefused("cancel", failure);
  assert.match(g.entryBlock() ?? "", /static IP/);
  assert.equal(told.length, 1);
  const n = told[0];
  assert.ok(n?.kind === "static_ip" && n.problem === "order_refused");
  assert.match(n.message, /No new entries today.*developers\.kite\.trade/);
  assert.equal(alerts.length, 1);
  assert.ok(g.checks().some((c) => c.name === "static ip refusal" && c.level === "critical"));
  clock.advance(24 * 3600_000);
  assert.equal(g.entryBlock(), null);
  assert.deepEqual(g.checks(), []);
});
