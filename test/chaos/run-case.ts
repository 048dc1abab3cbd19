/**
 * Runs chaos cases: case `n` of seed `s` is generated from (s, n) alone, so any case replays
 * by itself; a failing one can be shrunk by fast-check to a smaller schedule that still fails.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { type CaseOutcome, type CaseRun, outcomeOf } from "./outcome.js";
import { runInProcessCase } from "./run-inprocess.js";
import { runProcessCase } from "./run-process.js";
import { type ChaosCase, caseSeed, chaosCaseArb, generateCase, PROCESS_SHARE } from "./schedule.js";

export { PROCESS_SHARE };

export async function runChaosCase(c: ChaosCase): Promise<CaseRun> {
  const dir = mkdtempSync(join(tmpdir(), "pivot-chaos-"));
  try {
    return c.runner === "process" ? await runProcessCase(c, dir) : await runInProcessCase(c, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Case `n` of seed `seed`, run and judged. A harness error is an outcome too (never thrown). */
export async function runCase(seed: number, n: number, processShare = PROCESS_SHARE): Promise<CaseOutcome> {
  const c = generateCase(seed, n, processShare);
  const started = performance.now();
  try {
    const run = await runChaosCase(c);
    return outcomeOf({ seed, n, processShare }, c, run, null, (performance.now() - started) / 1000);
  } catch (e) {
    const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
    return outcomeOf({ seed, n, processShare }, c, null, message, (performance.now() - started) / 1000);
  }
}

/**
 * Shrinks a failing case: fast-check replays the same case (same seed) and then smaller
 * schedules, keeping the smallest that still breaks a property. Returns it (null: it passed).
 */
export async function shrinkCase(
  seed: number,
  n: number,
  processShare = PROCESS_SHARE,
  log: (line: string) => void = () => {},
): Promise<{ chaosCase: ChaosCase; broken: string[] } | null> {
  let last: { chaosCase: ChaosCase; broken: string[] } | null = null;
  const result = await fc.check(
    fc.asyncProperty(chaosCaseArb(processShare), async (c) => {
      const run = await runChaosCase(c);
      const o = outcomeOf({ seed, n, processShare }, c, run, null, 0);
      if (o.broken.length === 0) return true;
      last = { chaosCase: c, broken: o.broken };
      log(
        `  still failing with ${c.schedule.length} action(s): ${o.broken.map((b) => b.split(":")[0]).join(", ")}`,
      );
      return false;
    }),
    { seed: caseSeed(seed, n), numRuns: 1, endOnFailure: false },
  );
  return result.failed ? last : null;
}
