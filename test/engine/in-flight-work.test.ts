import assert from "node:assert/strict";
import { test } from "node:test";
import { InFlightWork } from "../../src/engine/in-flight-work.js";

test("InFlightWork whose work rejects → the failure reported, the work no longer in flight", async () => {
  const failures: string[] = [];
  const work = new InFlightWork((e) => failures.push((e as Error).message));
  work.track(Promise.reject(new Error("order refused")));
  assert.equal(work.size, 1);
  await work.settled();
  assert.deepEqual(failures, ["order refused"]);
  assert.equal(work.size, 0);
});

test("InFlightWork.settled with work that starts more work → waits for that too", async () => {
  const work = new InFlightWork(() => {});
  const done: string[] = [];
  work.track(
    (async () => {
      await Promise.resolve();
      work.track(
        (async () => {
          await new Promise((r) => setImmediate(r));
          done.push("second");
        })(),
      );
      done.push("first");
    })(),
  );
  await work.settled();
  assert.deepEqual(done, ["first", "second"]);
});
