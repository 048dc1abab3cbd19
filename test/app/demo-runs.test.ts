import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { newDemoRun } from "../../src/app/demo-runs.js";

const tmp = mkdtempSync(join(tmpdir(), "pivot-demo-runs-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const dead = () => false;

test("newDemoRun → a new run-N folder; the previous run's files stay until the new run is adopted", () => {
  const root = join(tmp, "adopt");
  const first = newDemoRun(root, 100, dead);
  writeFileSync(join(first.dir, "trading.db"), "yesterday");
  first.adopt();
  const second = newDemoRun(root, 101, dead);
  assert.notEqual(second.dir, first.dir);
  assert.ok(existsSync(join(first.dir, "trading.db")), "kept while the new run starts");
  second.adopt();
  assert.equal(existsSync(first.dir), false, "replaced once the new run started");
  assert.deepEqual(readdirSync(root), ["run-2"]);
});

test("newDemoRun whose start fails → discard removes only its own folder, the previous run stays", () => {
  const root = join(tmp, "discard");
  const first = newDemoRun(root, 100, dead);
  writeFileSync(join(first.dir, "trading.db"), "keep me");
  const failed = newDemoRun(root, 101, dead);
  failed.discard();
  assert.deepEqual(readdirSync(root), ["run-1"]);
  assert.ok(existsSync(join(first.dir, "trading.db")));
});

test("newDemoRun adopted beside a run whose process still lives → that run is left alone; files of the old layout go", () => {
  const root = join(tmp, "alive");
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, "trading.db"), "the layout before run folders");
  const running = newDemoRun(root, 200, dead);
  const next = newDemoRun(root, 201, (pid) => pid === 200);
  next.adopt();
  assert.deepEqual(readdirSync(root).sort(), ["run-1", "run-2"]);
  assert.ok(existsSync(running.dir));
});
