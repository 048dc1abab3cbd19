import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Store } from "../../src/adapters/sqlite/store.js";
import { parseConfig } from "../../src/config/load.js";
import { privateFilesCheck } from "../../src/ops/doctor/checks/private-files.js";
import { realProbes } from "../../src/ops/doctor/probes.js";
import { doctorSettings, privatePathsOf } from "../../src/ops/doctor/settings.js";
import { systemClock } from "../../src/ports/clock.js";
import { deployedSettings, fakeHost, fakeProbes } from "./fake-probes.js";

test("file permissions → ok when owner-only; warning naming each readable file; critical when others can write", async () => {
  const host = fakeHost(0);
  const file = (path: string, mode: number) => host.files.set(path, { data: "", mode, mtimeMs: 0 });
  file("/opt/pivot/data", 0o700);
  file("/opt/pivot/data/trading.db", 0o600);
  file("/opt/pivot/logs", 0o700);
  file("/opt/pivot/logs/pivot.2025-10-26.1.log", 0o600);
  host.dirs.set("/opt/pivot/logs", ["pivot.2025-10-26.1.log", "current.log.notalog"]);
  const run = () => privateFilesCheck.run({ probes: fakeProbes(host), settings: deployedSettings() });
  assert.deepEqual(await run(), {
    name: "file permissions",
    level: "ok",
    detail: "4 private files and folders, owner-only",
  });

  file("/opt/pivot/data/trading.db-wal", 0o644);
  file("/opt/pivot/logs/pivot.2025-10-26.1.log", 0o640);
  const readable = await run();
  assert.equal(readable.level, "warning");
  assert.equal(
    readable.detail,
    "others can read: /opt/pivot/data/trading.db-wal (644), /opt/pivot/logs/pivot.2025-10-26.1.log (640); " +
      "fix: chmod go-rwx /opt/pivot/data/trading.db-wal /opt/pivot/logs/pivot.2025-10-26.1.log",
  );

  file("/opt/pivot/data", 0o777);
  assert.equal((await run()).level, "critical");
});

test("privatePathsOf → both databases with their WAL and folders, the session and the login states", () => {
  const parsed = parseConfig({
    data: {
      database_path: "/srv/p/trading.db",
      paper_database_path: "/srv/p/paper.db",
      access_token_file: "/srv/s/access_token.json",
    },
  });
  assert.ok(parsed.ok);
  assert.deepEqual(privatePathsOf(parsed.config), [
    "/srv/p",
    "/srv/p/trading.db",
    "/srv/p/trading.db-wal",
    "/srv/p/trading.db-shm",
    "/srv/p/paper.db",
    "/srv/p/paper.db-wal",
    "/srv/p/paper.db-shm",
    "/srv/s",
    "/srv/s/access_token.json",
    "/srv/s/login_states.json",
  ]);
});

test("file permissions on a real folder → a database made by this system is ok; a chmod 644 is found", async () => {
  const root = mkdtempSync(join(tmpdir(), "doctor-files-"));
  const parsed = parseConfig({
    data: {
      database_path: join(root, "data", "trading.db"),
      paper_database_path: join(root, "data", "paper.db"),
      access_token_file: join(root, "data", "access_token.json"),
      log_dir: join(root, "logs"),
    },
  });
  assert.ok(parsed.ok);
  Store.open(parsed.config.data.database_path, { clock: systemClock }).close();
  const settings = { ...doctorSettings(parsed.config, null, false, { logDir: join(root, "logs") }) };
  const probes = realProbes(systemClock);
  assert.equal((await privateFilesCheck.run({ probes, settings })).level, "ok");
  writeFileSync(parsed.config.data.access_token_file, "{}");
  chmodSync(parsed.config.data.access_token_file, 0o644);
  const r = await privateFilesCheck.run({ probes, settings });
  assert.equal(r.level, "warning");
  assert.match(r.detail, /access_token\.json \(644\)/);
});
