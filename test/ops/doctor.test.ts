import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import { writeSessionFile } from "../../src/adapters/kite/session-store.js";
import { defaultConfig, parseConfig } from "../../src/config/load.js";
import type { DoctorCheck } from "../../src/ops/doctor/check.js";
import { clockSyncCheck } from "../../src/ops/doctor/checks/clock-sync.js";
import { configPermissionsCheck } from "../../src/ops/doctor/checks/config-permissions.js";
import { diskCheck } from "../../src/ops/doctor/checks/disk.js";
import { dnsCheck } from "../../src/ops/doctor/checks/dns.js";
import { healthEndpointCheck } from "../../src/ops/doctor/checks/health-endpoint.js";
import { kiteSessionCheck } from "../../src/ops/doctor/checks/kite-session.js";
import { nginxCheck } from "../../src/ops/doctor/checks/nginx.js";
import { portCheck } from "../../src/ops/doctor/checks/port.js";
import { recentErrorsCheck } from "../../src/ops/doctor/checks/recent-errors.js";
import { serviceCheck } from "../../src/ops/doctor/checks/service.js";
import { tlsCertificateCheck } from "../../src/ops/doctor/checks/tls-certificate.js";
import { formatChecks } from "../../src/ops/doctor/format.js";
import { DOCTOR_CHECKS, doctorExitCode, runChecks } from "../../src/ops/doctor/run-checks.js";
import type { DoctorSettings } from "../../src/ops/doctor/settings.js";
import { doctorSettings, domainOfRedirectUrl } from "../../src/ops/doctor/settings.js";
import { deployedSettings, type FakeHost, fakeHost, fakeProbes } from "./fake-probes.js";
import { makeSelfSignedCert } from "./self-signed.js";

const tmp = mkdtempSync(join(tmpdir(), "pivot-doctor-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse("2025-10-26T03:30:00Z"); // 09:00 IST
const GB = 1024 ** 3;
const CERT = makeSelfSignedCert(tmp, "sensexbot.ddns.net", 60);
const CERT_END = Date.parse(new X509Certificate(CERT.pem).validTo);

async function check(c: DoctorCheck, host: FakeHost, settings: Partial<DoctorSettings> = {}) {
  return c.run({ probes: fakeProbes(host), settings: deployedSettings(settings) });
}

test("every check of a healthy host → ok, exit code 0", async () => {
  const host = fakeHost(CERT_END - 40 * DAY);
  host.files.set("/etc/letsencrypt/live/sensexbot.ddns.net/fullchain.pem", {
    data: CERT.pem,
    mode: 0o644,
    mtimeMs: 0,
  });
  host.files.set("/opt/pivot/config.json", { data: "{}", mode: 0o600, mtimeMs: 0 });
  host.dirs.set("/opt/pivot/logs", []);
  const sessionFile = join(tmp, "healthy-session.json");
  writeSessionFile(sessionFile, session(host.clock.now() + 5 * 60 * 60 * 1000));
  const checks = await runChecks({ probes: fakeProbes(host), settings: deployedSettings({ sessionFile }) });
  assert.deepEqual(
    checks.filter((c) => c.level !== "ok"),
    [],
  );
  assert.equal(checks.length, DOCTOR_CHECKS.length);
  assert.equal(doctorExitCode(checks), 0);
});

test("tls certificate → ok / warning under 14 days / critical under 3 days / critical expired, from the file", async () => {
  const host = fakeHost(0);
  host.files.set("/etc/letsencrypt/live/sensexbot.ddns.net/fullchain.pem", {
    data: CERT.pem,
    mode: 0o644,
    mtimeMs: 0,
  });
  const at = async (daysLeft: number) => {
    host.clock.set(CERT_END - daysLeft * DAY - 60_000);
    return check(tlsCertificateCheck, host);
  };
  const ok = await at(30);
  assert.equal(ok.level, "ok");
  assert.match(ok.detail, /^30 days left \(until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:30\)$/);
  const soon = await at(13);
  assert.equal(soon.level, "warning");
  assert.match(soon.detail, /13 days left.*certbot renew/);
  assert.equal((await at(14)).level, "ok");
  assert.equal((await at(2)).level, "critical");
  assert.equal((await at(3)).level, "warning");
  host.clock.set(CERT_END + DAY);
  const expired = await check(tlsCertificateCheck, host);
  assert.equal(expired.level, "critical");
  assert.match(expired.detail, /expired on/);
});

test("tls certificate missing, unreadable, not a certificate, or for another name → critical / warning", async () => {
  const host = fakeHost(CERT_END - 30 * DAY);
  const file = "/etc/letsencrypt/live/sensexbot.ddns.net/fullchain.pem";
  assert.equal((await check(tlsCertificateCheck, host)).level, "critical");
  host.files.set(file, { data: CERT.pem, mode: 0, mtimeMs: 0 });
  const denied = await check(tlsCertificateCheck, host);
  assert.equal(denied.level, "warning");
  assert.match(denied.detail, /run as root/);
  host.files.set(file, { data: "not a certificate", mode: 0o644, mtimeMs: 0 });
  assert.equal((await check(tlsCertificateCheck, host)).level, "critical");
  host.files.set(file, { data: CERT.pem, mode: 0o644, mtimeMs: 0 });
  const other = await check(tlsCertificateCheck, host, { domain: "other.example.org" });
  assert.equal(other.level, "critical");
  assert.match(other.detail, /not for other\.example\.org/);
  assert.equal((await check(tlsCertificateCheck, host, { domain: null, certFile: null })).level, "skipped");
});

test("disk → ok / warning under 15 % or 1 GB / critical nearly full", async () => {
  const host = fakeHost(NOW);
  const set = (totalGb: number, freeGb: number) => {
    host.disk = { bsize: 4096, blocks: (totalGb * GB) / 4096, bavail: (freeGb * GB) / 4096 };
  };
  set(7.6, 3.2);
  const ok = await check(diskCheck, host);
  assert.equal(ok.level, "ok");
  assert.match(ok.detail, /\/opt\/pivot\/data: 3\.2 GB free of 7\.6 GB \(42 %\)/);
  set(7.6, 0.9);
  assert.equal((await check(diskCheck, host)).level, "warning");
  set(100, 10);
  assert.equal((await check(diskCheck, host)).level, "warning");
  set(7.6, 0.05);
  const full = await check(diskCheck, host);
  assert.equal(full.level, "critical");
  assert.match(full.detail, /NEARLY FULL/);
});

test("service → active ok / failed critical / skipped without systemd", async () => {
  const host = fakeHost(NOW);
  assert.equal((await check(serviceCheck, host)).level, "ok");
  host.commands.set("systemctl is-active pivot-trading.service", {
    code: 3,
    stdout: "activating\n",
    stderr: "",
  });
  assert.equal((await check(serviceCheck, host)).level, "warning");
  host.commands.set("systemctl is-active pivot-trading.service", { code: 3, stdout: "failed\n", stderr: "" });
  const failed = await check(serviceCheck, host);
  assert.equal(failed.level, "critical");
  assert.match(failed.detail, /is failed \(journalctl -u pivot-trading/);
  host.exists.delete("/run/systemd/system");
  assert.equal((await check(serviceCheck, host)).level, "skipped");
});

test("port → this system ok / nothing critical / the old postback_server.py critical / unseen owner warning", async () => {
  const host = fakeHost(NOW);
  const mine = await check(portCheck, host);
  assert.equal(mine.level, "ok");
  assert.match(mine.detail, /this system listens on 127\.0\.0\.1:8001 \(pid 4321\)/);
  host.portOwner = {
    state: "held",
    address: "127.0.0.1",
    pid: 780548,
    command: "/home/ubuntu/main_trading/venv/bin/python3 postback_server.py",
  };
  const old = await check(portCheck, host);
  assert.equal(old.level, "critical");
  assert.match(old.detail, /port 8001 is held by pid 780548: .*postback_server\.py: not this system/);
  host.portOwner = { state: "free" };
  assert.equal((await check(portCheck, host)).level, "critical");
  host.portOwner = { state: "held", address: "0.0.0.0", pid: null, command: null };
  assert.equal((await check(portCheck, host)).level, "warning");
  host.portOwner = { state: "unknown", why: "no /proc" };
  assert.equal((await check(portCheck, host)).level, "skipped");
});

test("port checked inside the service (a demo, a test runner) → its own listener is this system, whatever the command line", async () => {
  const host = fakeHost(NOW);
  host.portOwner = { state: "held", address: "127.0.0.1", pid: 555, command: "node --test demo.test.js" };
  assert.equal((await check(portCheck, host)).level, "critical");
  const own = await check(portCheck, host, { servicePid: 555 });
  assert.equal(own.level, "ok");
  assert.match(own.detail, /this service listens on 127\.0\.0\.1:8001 \(pid 555\)/);
});

test("port with a real process holding it → critical, naming it", async () => {
  const { spawn } = await import("node:child_process");
  const { findPortOwner } = await import("../../src/ops/port-owner.js");
  const { freePort } = await import("../support/free-port.js");
  if (process.platform !== "linux") return;
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ["-e", `require("node:net").createServer().listen(${port}, "127.0.0.1", () => console.log("up"))`],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  try {
    await new Promise((r) => child.stdout?.once("data", r));
    const probes = { ...fakeProbes(fakeHost(NOW)), portOwner: (p: number) => findPortOwner(p) };
    const r = await portCheck.run({ probes, settings: deployedSettings({ port }) });
    assert.equal(r.level, "critical");
    assert.match(r.detail, new RegExp(`held by pid ${child.pid}: .*node -e`));
  } finally {
    child.kill("SIGKILL");
  }
});

test("health → 200 ok / 503 critical / no answer critical", async () => {
  const host = fakeHost(NOW);
  assert.equal((await check(healthEndpointCheck, host)).level, "ok");
  host.http = { status: 503, body: '{"status":"degraded"}' };
  const bad = await check(healthEndpointCheck, host);
  assert.equal(bad.level, "critical");
  assert.match(bad.detail, /answers 503: \{"status":"degraded"\}/);
  host.http = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
  assert.match((await check(healthEndpointCheck, host)).detail, /does not answer \(ECONNREFUSED\)/);
});

test("nginx → running and valid ok / test fails critical / not running critical / not installed critical", async () => {
  const host = fakeHost(NOW);
  const ok = await check(nginxCheck, host);
  assert.equal(ok.level, "ok");
  assert.equal(ok.detail, "running (pid 900), configuration valid");
  host.commands.set("nginx -t", {
    code: 1,
    stdout: "",
    stderr:
      'nginx: [emerg] cannot load certificate "/etc/letsencrypt/live/x/fullchain.pem"\nnginx: configuration file /etc/nginx/nginx.conf test failed\n',
  });
  const invalid = await check(nginxCheck, host);
  assert.equal(invalid.level, "critical");
  assert.match(invalid.detail, /nginx -t fails: \[emerg\] cannot load certificate/);
  host.commands.set("nginx -t", {
    code: 1,
    stdout: "",
    stderr:
      'nginx: [alert] could not open error log file: open() "/var/log/nginx/error.log" failed (13: Permission denied)\n',
  });
  assert.equal((await check(nginxCheck, host)).level, "warning");
  host.commands.delete("nginx -t");
  assert.match((await check(nginxCheck, host)).detail, /not installed/);
  host.commands.set("nginx -t", { code: 0, stdout: "", stderr: "" });
  host.processes = [];
  const stopped = await check(nginxCheck, host);
  assert.equal(stopped.level, "critical");
  assert.match(stopped.detail, /not running/);
  assert.equal((await check(nginxCheck, host, { domain: null })).level, "skipped");
});

test("logs → no errors ok / errors in 24 h warning / fatal critical / older errors ignored", async () => {
  const host = fakeHost(NOW);
  const dir = "/opt/pivot/logs";
  const file = `${dir}/pivot.2025-10-26.1.log`;
  const line = (level: number, agoMs: number, msg: string) =>
    `${JSON.stringify({ level, time: new Date(NOW - agoMs).toISOString(), msg })}\n`;
  host.dirs.set(dir, ["pivot.2025-10-26.1.log", "current.log"]);
  host.files.set(file, {
    data: line(30, 1000, "fine") + line(50, 30 * 60 * 60 * 1000, "old error"),
    mode: 0o600,
    mtimeMs: NOW,
  });
  assert.equal((await check(recentErrorsCheck, host)).level, "ok");
  host.files.set(file, {
    data: `${line(30, 1000, "fine")}${line(50, 60_000, "order rejected: margin")}not json\n`,
    mode: 0o600,
    mtimeMs: NOW,
  });
  const warn = await check(recentErrorsCheck, host);
  assert.equal(warn.level, "warning");
  assert.match(
    warn.detail,
    /1 error\(s\) in the last 24 h; last: "order rejected: margin" at 2025-10-26T08:59:00\+05:30/,
  );
  host.files.set(file, { data: line(60, 1000, "database is locked"), mode: 0o600, mtimeMs: NOW });
  assert.equal((await check(recentErrorsCheck, host)).level, "critical");
  host.dirs.delete(dir);
  assert.equal((await check(recentErrorsCheck, host)).level, "skipped");
});

test("kite session → valid ok (until when) / expired warning / missing warning", async () => {
  const host = fakeHost(NOW);
  const sessionFile = join(tmp, "session.json");
  writeSessionFile(sessionFile, session(NOW + 21 * 60 * 60 * 1000));
  const ok = await check(kiteSessionCheck, host, { sessionFile });
  assert.equal(ok.level, "ok");
  assert.match(ok.detail, /^valid until 2025-10-27T06:00:00\+05:30 \(user AB1234\)$/);
  host.clock.set(NOW + 22 * 60 * 60 * 1000);
  const expired = await check(kiteSessionCheck, host, { sessionFile });
  assert.equal(expired.level, "warning");
  assert.match(expired.detail, /expired at/);
  assert.match(
    (await check(kiteSessionCheck, host, { sessionFile: join(tmp, "none.json") })).detail,
    /no session/,
  );
});

test("dns → this host ok / another address critical / offline skipped", async () => {
  const host = fakeHost(NOW);
  assert.equal((await check(dnsCheck, host)).level, "ok");
  host.publicAddress = "198.51.100.9";
  const moved = await check(dnsCheck, host);
  assert.equal(moved.level, "critical");
  assert.match(moved.detail, /sensexbot\.ddns\.net → 203\.0\.113\.7, but this host is 198\.51\.100\.9/);
  host.dns = Object.assign(new Error("queryA ENOTFOUND"), { code: "ENOTFOUND" });
  assert.equal((await check(dnsCheck, host)).level, "critical");
  host.dns = Object.assign(new Error("queryA ECONNREFUSED"), { code: "ECONNREFUSED" });
  assert.equal((await check(dnsCheck, host)).level, "skipped");
  host.dns = ["203.0.113.7"];
  host.publicAddress = Object.assign(new Error("getaddrinfo EAI_AGAIN"), { code: "EAI_AGAIN" });
  assert.equal((await check(dnsCheck, host)).level, "skipped");
});

test("config permissions → 600 ok / readable by others with secrets warning / writable critical", async () => {
  const host = fakeHost(NOW);
  const set = (mode: number) => host.files.set("/opt/pivot/config.json", { data: "{}", mode, mtimeMs: 0 });
  set(0o600);
  assert.equal((await check(configPermissionsCheck, host)).level, "ok");
  set(0o644);
  const loose = await check(configPermissionsCheck, host);
  assert.equal(loose.level, "warning");
  assert.match(loose.detail, /mode 644\): chmod 600 \/opt\/pivot\/config\.json/);
  assert.equal((await check(configPermissionsCheck, host, { configHasSecrets: false })).level, "ok");
  set(0o666);
  assert.equal((await check(configPermissionsCheck, host)).level, "critical");
  assert.equal((await check(configPermissionsCheck, host, { configFile: null })).level, "skipped");
});

test("clock → synchronised ok / not synchronised warning / chrony fallback / unknown skipped", async () => {
  const host = fakeHost(NOW);
  assert.equal((await check(clockSyncCheck, host)).level, "ok");
  host.commands.set("timedatectl show -p NTPSynchronized --value", { code: 0, stdout: "no\n", stderr: "" });
  assert.equal((await check(clockSyncCheck, host)).level, "warning");
  host.commands.set("timedatectl show -p NTPSynchronized --value", {
    code: 1,
    stdout: "",
    stderr: "System has not been booted with systemd as init system (PID 1).",
  });
  host.commands.set("chronyc -n tracking", {
    code: 0,
    stdout:
      "Reference ID    : A9FEA97B (169.254.169.123)\nSystem time     : 0.000021 seconds fast of NTP time\nLeap status     : Normal\n",
    stderr: "",
  });
  const chrony = await check(clockSyncCheck, host);
  assert.equal(chrony.level, "ok");
  assert.match(chrony.detail, /chrony, 0\.0 ms fast/);
  host.commands.delete("chronyc -n tracking");
  assert.equal((await check(clockSyncCheck, host)).level, "skipped");
});

test("runChecks → cheap and slow sets apart; a throwing or hanging check is critical, never a rejection", async () => {
  const host = fakeHost(NOW);
  const probes = fakeProbes(host);
  const cheap = await runChecks({ probes, settings: deployedSettings() }, { only: "cheap" });
  assert.deepEqual(cheap.map((c) => c.name).sort(), [
    "config permissions",
    "disk",
    "file permissions",
    "kite session",
    "logs",
    "port",
    "tls certificate",
  ]);
  const slow = await runChecks({ probes, settings: deployedSettings() }, { only: "slow" });
  assert.deepEqual(slow.map((c) => c.name).sort(), [
    "clock",
    "dns",
    "health",
    "nginx",
    "service",
    "static ip",
  ]);
  const broken = {
    ...probes,
    httpGet: () => new Promise<never>(() => {}),
    statfs: async () => {
      throw new Error("boom");
    },
    processes: async () => {
      throw new Error("no /proc");
    },
  };
  const all = await runChecks({ probes: broken, settings: deployedSettings() }, { timeoutMs: 50 });
  const byName = new Map(all.map((c) => [c.name, c]));
  assert.match(byName.get("health")?.detail ?? "", /no answer within 0\.05 s/);
  assert.equal(byName.get("nginx")?.level, "critical");
  assert.match(byName.get("nginx")?.detail ?? "", /the check failed: no \/proc/);
  assert.equal(byName.get("disk")?.level, "warning");
});

test("doctorExitCode → 0 ok or skipped, 1 warnings, 2 critical; the table says what to fix", () => {
  const ok = { name: "a", level: "ok" as const, detail: "" };
  const skipped = { name: "b", level: "skipped" as const, detail: "" };
  const warning = { name: "c", level: "warning" as const, detail: "low" };
  const critical = { name: "d", level: "critical" as const, detail: "down" };
  assert.equal(doctorExitCode([ok, skipped]), 0);
  assert.equal(doctorExitCode([ok, warning]), 1);
  assert.equal(doctorExitCode([warning, critical, ok]), 2);
  const table = formatChecks([ok, warning, critical]);
  assert.match(table, /^c\s+WARNING\s+low$/m);
  assert.match(table, /1 critical, 1 warning\(s\): fix the critical ones first/);
});

test("doctorSettings → the domain from an https redirect URL, the port from auth.callback_port; flags win", () => {
  const parsed = parseConfig({
    auth: { callback_port: 8001, redirect_url: "https://sensexbot.ddns.net/callback" },
  });
  assert.ok(parsed.ok);
  const s = doctorSettings(parsed.config, "config.json", true);
  assert.equal(s.domain, "sensexbot.ddns.net");
  assert.equal(s.certFile, "/etc/letsencrypt/live/sensexbot.ddns.net/fullchain.pem");
  assert.equal(s.healthUrl, "http://127.0.0.1:8001/health");
  const flagged = doctorSettings(parsed.config, null, false, {
    domain: "x.example.org",
    port: 9000,
    certFile: "/c.pem",
  });
  assert.equal(flagged.domain, "x.example.org");
  assert.equal(flagged.certFile, "/c.pem");
  assert.equal(flagged.port, 9000);
  assert.equal(doctorSettings(defaultConfig(), null, false).domain, null);
  // The service's own port and log folder: server.port wins, data.log_dir is where logs are.
  const moved = parseConfig({ server: { port: 18001 }, data: { log_dir: "data/demo/logs" } });
  assert.ok(moved.ok);
  const settings = doctorSettings(moved.config, null, false);
  assert.equal(settings.port, 18001);
  assert.equal(settings.healthUrl, "http://127.0.0.1:18001/health");
  assert.equal(settings.logDir, resolve("data/demo/logs"));
  assert.equal(domainOfRedirectUrl("http://127.0.0.1:8001/callback"), null);
});

function session(expiresAtMs: number) {
  return {
    accessToken: "secret-token-value",
    userId: "AB1234",
    userName: null,
    loginTime: "2025-10-26T08:30:00+05:30",
    expiresAt: new Date(expiresAtMs + 330 * 60_000).toISOString().replace(/\.\d{3}Z$/, "+05:30"),
    expiresAtMs,
  };
}
