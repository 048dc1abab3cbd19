import assert from "node:assert/strict";
import { test } from "node:test";
import { staticIpCheck } from "../../src/ops/doctor/checks/static-ip.js";
import type { DoctorSettings } from "../../src/ops/doctor/settings.js";
import { deployedSettings, fakeHost, fakeProbes } from "./fake-probes.js";

/*
 * Issue 13 §6: since 1 April 2026 Kite refuses orders from an unregistered address, and
 * nothing told the trader that this server's (dynamic, DDNS) address was not registered.
 */

const NOW = Date.parse("2025-10-26T02:30:00Z"); // 08:00 IST

async function run(publicAddress: string | Error, settings: Partial<DoctorSettings>) {
  const host = fakeHost(NOW);
  host.publicAddress = publicAddress;
  return staticIpCheck.run({ probes: fakeProbes(host), settings: deployedSettings(settings) });
}

test("static_ip with live trading and this host's address not in kite.static_ips → critical, the fix in the message", async () => {
  const r = await run("198.51.100.23", { liveTrading: true, staticIps: ["203.0.113.7"] });
  assert.equal(r.level, "critical");
  assert.match(r.detail, /this host is 198\.51\.100\.23, not in kite\.static_ips \(203\.0\.113\.7\)/);
  assert.match(r.detail, /developers\.kite\.trade/);
  assert.match(r.detail, /Elastic IP/);
});

test("static_ip with live trading and kite.static_ips empty → critical", async () => {
  const r = await run("198.51.100.23", { liveTrading: true, staticIps: [] });
  assert.equal(r.level, "critical");
  assert.match(r.detail, /kite\.static_ips is empty/);
});

test("static_ip with this host's address registered (any spelling of IPv6) → ok", async () => {
  assert.equal((await run("203.0.113.7", { liveTrading: true, staticIps: ["203.0.113.7"] })).level, "ok");
  const v6 = await run("2001:db8:0:0:0:0:0:7", { liveTrading: true, staticIps: ["2001:DB8::7"] });
  assert.equal(v6.level, "ok");
});

test("static_ip in paper trading → ok without asking (warning when a listed address does not match)", async () => {
  assert.equal(
    (await run(new Error("must not be asked"), { liveTrading: false, staticIps: [] })).level,
    "ok",
  );
  assert.equal(
    (await run("198.51.100.23", { liveTrading: false, staticIps: ["203.0.113.7"] })).level,
    "warning",
  );
});

test("static_ip when the public address cannot be learned → warning in live trading (cannot vouch), never ok", async () => {
  const r = await run(Object.assign(new Error("offline"), { code: "ENOTFOUND" }), {
    liveTrading: true,
    staticIps: ["203.0.113.7"],
  });
  assert.equal(r.level, "warning");
  assert.match(r.detail, /ENOTFOUND/);
});
