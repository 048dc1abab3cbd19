import assert from "node:assert/strict";
import { test } from "node:test";
import { Store } from "../../src/adapters/sqlite/store.js";
import { EntryGate } from "../../src/engine/entry-gate.js";
import type { LiveDay } from "../../src/engine/live-day.js";
import { ManualClock } from "../../src/ports/clock.js";

function harness(options: { staticIpBlock?: string } = {}) {
  const store = Store.open(":memory:", { clock: new ManualClock(0) });
  const calls: string[] = [];
  const state = { stopping: false, sessionLost: false };
  const day = {
    setEntriesEnabled: (enabled: boolean, reason?: string) =>
      calls.push(enabled ? "entries on" : `entries off: ${reason}`),
  } as unknown as LiveDay;
  const gate = new EntryGate({
    store,
    staticIp: { entryBlock: () => options.staticIpBlock ?? null },
    stopping: () => state.stopping,
    sessionLost: () => state.sessionLost,
    day: () => day,
    orderManager: {
      panic: async () => {
        calls.push("panic");
        return undefined as never;
      },
      resumeEntries: () => {
        calls.push("resume");
      },
    },
    track: () => {},
  });
  return { store, calls, state, gate };
}

test("EntryGate with nothing against entries → allowed, and the day told so", () => {
  const h = harness();
  assert.equal(h.gate.block(), null);
  h.gate.apply();
  assert.deepEqual(h.calls, ["entries on"]);
});

test("EntryGate → each reason in order: stopping, panic, the operator's switch, the session, the static IP", () => {
  const h = harness({ staticIpBlock: "static IP differs" });
  assert.equal(h.gate.block(), "static IP differs");
  h.state.sessionLost = true;
  assert.equal(h.gate.block(), "the broker session expired");
  h.store.control.setEntriesEnabled(false, "test");
  assert.equal(h.gate.block(), "entries disabled by the operator");
  h.store.control.setPanic(true, "test");
  assert.equal(h.gate.block(), "panic");
  h.state.stopping = true;
  assert.equal(h.gate.block(), "the service is stopping");
});

test("EntryGate.applyControl with panic set twice, then released → panic once, entries resumed once", () => {
  const h = harness();
  h.store.control.setPanic(true, "test");
  h.gate.applyControl();
  h.gate.applyControl();
  h.store.control.setPanic(false, "test");
  h.gate.applyControl();
  h.gate.applyControl();
  assert.deepEqual(
    h.calls.filter((c) => c === "panic" || c === "resume"),
    ["panic", "resume"],
  );
  assert.deepEqual(h.calls.at(-1), "entries on");
});
