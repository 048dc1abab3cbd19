import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runCli } from "../support/run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "pivot-ops-cli-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const config = join(tmp, "config.json");
writeFileSync(
  config,
  JSON.stringify({ auth: { callback_port: 8123, redirect_url: "https://sensexbot.ddns.net/callback" } }),
);

test("pivot deploy nginx → the site for the config's domain and port on stdout", () => {
  const r = runCli(["deploy", "nginx", "--config", config]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /server_name sensexbot\.ddns\.net;/);
  assert.match(r.stdout, /server 127\.0\.0\.1:8123;/);
});

test("pivot deploy nginx --out → written atomically (0644, no temp file left), said on stderr", () => {
  const out = join(tmp, "site.conf");
  const r = runCli([
    "deploy",
    "nginx",
    "--domain",
    "pivot.example.org",
    "--upstream",
    "127.0.0.1:9000",
    "--out",
    out,
    "--config",
    config,
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /wrote .*site\.conf; then: ln -s/);
  const site = readFileSync(out, "utf8");
  assert.match(site, /server_name pivot\.example\.org;/);
  assert.match(site, /server 127\.0\.0\.1:9000;/);
  assert.equal(statSync(out).mode & 0o777, 0o644);
  assert.deepEqual(
    readdirSync(tmp).filter((n) => n.endsWith(".tmp")),
    [],
  );
});

test("pivot deploy nginx with a bad domain or no domain → a clear error, no stack trace", () => {
  const bad = runCli(["deploy", "nginx", "--domain", "bad domain;", "--config", config]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^pivot: --domain: expected a domain name, found "bad domain;"\n$/);
  const empty = mkdtempSync(join(tmp, "empty-"));
  const none = runCli(["deploy", "nginx"], { cwd: empty });
  assert.equal(none.status, 1);
  assert.match(none.stderr, /--domain: required/);
});

test("pivot deploy systemd and logrotate → from the checkout, the config and the flags", () => {
  const unit = runCli(["deploy", "systemd", "--dir", tmp, "--user", "trader", "--config", config]);
  assert.equal(unit.status, 0, unit.stderr);
  assert.match(
    unit.stdout,
    new RegExp(`ExecStart=${process.execPath} ${tmp}/dist/pivot\\.js start --config ${config}`),
  );
  assert.match(unit.stdout, new RegExp(`ReadWritePaths=${tmp}/data ${tmp}/logs`));
  assert.match(unit.stdout, /^User=trader$/m);
  const rot = runCli(["deploy", "logrotate", "--dir", tmp, "--retention-days", "14"]);
  assert.equal(rot.status, 0, rot.stderr);
  assert.match(rot.stdout, new RegExp(`${tmp}/logs/pivot\\.\\*\\.log \\{`));
  assert.match(rot.stdout, /rotate 14/);
  const root = runCli(["deploy", "systemd", "--dir", tmp, "--user", "root", "--config", config]);
  assert.equal(root.status, 1);
  assert.match(root.stderr, /must not run as root/);
});

test("pivot doctor --json → one entry per check; exit 2 when something is critical", () => {
  const r = runCli(
    ["doctor", "--json", "--config", config, "--log-dir", join(tmp, "logs"), "--only", "cheap"],
    { cwd: tmp },
  );
  assert.equal(r.status, 2, r.stderr); // nothing listens on 8123, no certificate at the default path
  const checks = JSON.parse(r.stdout) as Array<{ name: string; level: string; detail: string }>;
  for (const c of checks) {
    assert.deepEqual(Object.keys(c).sort(), ["detail", "level", "name"]);
    assert.ok(["ok", "warning", "critical", "skipped"].includes(c.level));
  }
  assert.equal(checks.find((c) => c.name === "port")?.level, "critical");
  assert.equal(r.stderr, "");
});

test("pivot doctor → a readable table, and a bad --only is refused", () => {
  const r = runCli(["doctor", "--config", config, "--only", "cheap", "--port", "8124"], { cwd: tmp });
  assert.match(r.stdout, /^port\s+CRITICAL\s+nothing listens on port 8124/m);
  assert.match(r.stdout, /fix the critical ones first/);
  const bad = runCli(["doctor", "--only", "some"], { cwd: tmp });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--only: expected cheap, slow or all/);
});
