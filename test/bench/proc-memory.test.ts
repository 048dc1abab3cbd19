import assert from "node:assert/strict";
import { test } from "node:test";
import { readProcMemory } from "../../bench/proc-memory.js";

test("readProcMemory → this process's RSS and peak in MB on Linux; null for a process that does not exist", {
  skip: process.platform !== "linux",
}, () => {
  const m = readProcMemory(process.pid);
  assert.ok(m, "read");
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  assert.ok(Math.abs(m.rssMb - rssMb) < 20, `${m.rssMb} vs ${rssMb}`);
  assert.ok(m.peakMb >= m.rssMb);
  assert.equal(readProcMemory(2 ** 22 + 1), null);
});
