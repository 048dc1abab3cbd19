import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { renderSystemdUnit, type SystemdUnitOptions, UNIT_NAME } from "../../src/ops/deploy/systemd-unit.js";
import { REPO_ROOT } from "../support/paths.js";

const tmp = mkdtempSync(join(tmpdir(), "pivot-systemd-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const appDir = REPO_ROOT.replace(/\/$/, "");
const options: SystemdUnitOptions = {
  appDir,
  configFile: `${appDir}/config.json`,
  nodeBin: process.execPath,
  user: "pivot",
  writablePaths: [`${appDir}/data`, `${appDir}/logs`],
};

// The skip reason, or false to run. .ci/run installs systemd and sets PIVOT_REQUIRE_DEPLOY_TOOLS:
// there, a missing systemd-analyze fails the tests instead of skipping them.
const hasVerify =
  spawnSync("systemd-analyze", ["--version"]).error === undefined ||
  process.env.PIVOT_REQUIRE_DEPLOY_TOOLS === "1"
    ? false
    : "systemd-analyze is not installed (CI installs the systemd package: .ci/run)";

test("renderSystemdUnit → pivot start as the user, restarts with a start limit, hardening", () => {
  const unit = renderSystemdUnit(options);
  assert.match(unit, /^User=pivot$/m);
  assert.match(unit, new RegExp(`^WorkingDirectory=${appDir}$`, "m"));
  assert.match(
    unit,
    new RegExp(
      `^ExecStart=${process.execPath} ${appDir}/dist/pivot.js start --config ${appDir}/config.json$`,
      "m",
    ),
  );
  assert.match(unit, /^Restart=on-failure$/m);
  assert.match(unit, /^StartLimitIntervalSec=\d+$/m);
  assert.match(unit, /^StartLimitBurst=\d+$/m);
  const stop = Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)?.[1]);
  assert.ok(stop >= 15, `TimeoutStopSec ${stop}`);
  for (const line of ["NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes"])
    assert.match(unit, new RegExp(`^${line}$`, "m"));
  assert.match(unit, new RegExp(`^ReadWritePaths=${appDir}/data ${appDir}/logs$`, "m"));
  assert.doesNotMatch(unit, /^MemoryDenyWriteExecute/m); // node's JIT needs it off
});

test("renderSystemdUnit under /home → ProtectHome=read-only (the checkout stays visible)", () => {
  const unit = renderSystemdUnit({
    ...options,
    appDir: "/home/ubuntu/pivot",
    configFile: "/home/ubuntu/pivot/config.json",
    writablePaths: ["/home/ubuntu/pivot/data", "/home/ubuntu/pivot/logs"],
  });
  assert.match(unit, /^ProtectHome=read-only$/m);
  assert.match(renderSystemdUnit({ ...options, appDir: "/opt/pivot" }), /^ProtectHome=yes$/m);
});

test("renderSystemdUnit as root, or with relative or spaced paths → RangeError", () => {
  assert.throws(() => renderSystemdUnit({ ...options, user: "root" }), /root/);
  assert.throws(() => renderSystemdUnit({ ...options, appDir: "pivot" }), /absolute/);
  assert.throws(() => renderSystemdUnit({ ...options, writablePaths: ["/opt/my data"] }), /spaces/);
});

test("the unit passes systemd-analyze verify", { skip: hasVerify }, () => {
  const file = join(tmp, UNIT_NAME);
  writeFileSync(file, renderSystemdUnit(options));
  const r = spawnSync("systemd-analyze", ["verify", file], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  // verify exits 0 even for ignored settings: any remark about the file is a failure.
  assert.equal(
    r.stderr
      .split("\n")
      .filter((l) => l.includes(UNIT_NAME))
      .join("\n"),
    "",
  );
});

test("systemd-analyze verify catches a broken setting (the check can fail)", { skip: hasVerify }, () => {
  const file = join(tmp, UNIT_NAME);
  writeFileSync(file, renderSystemdUnit(options).replace("ProtectSystem=strict", "ProtectSystem=stricter"));
  const r = spawnSync("systemd-analyze", ["verify", file], { encoding: "utf8" });
  assert.match(r.stderr, /pivot-trading\.service:\d+: .*protect system/i);
});
