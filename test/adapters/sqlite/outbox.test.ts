import assert from "node:assert/strict";
import { test } from "node:test";
import { outboxBackoffMs } from "../../../src/adapters/sqlite/outbox-repo.js";
import { memoryStore } from "./fixtures.js";

const msg = (n: number) => ({ dedupeKey: `entry:${n}`, channel: "telegram", payload: `message ${n}` });

test("outbox enqueue with a used dedupe key → ignored, one message", () => {
  const { store } = memoryStore();
  assert.equal(store.outbox.enqueue(msg(1)), true);
  assert.equal(store.outbox.enqueue({ ...msg(1), payload: "other" }), false);
  assert.equal(store.outbox.backlog(), 1);
  assert.equal(store.outbox.byDedupeKey("entry:1")?.payload, "message 1");
});

test("outbox delivery → messages come in enqueue order, each once", () => {
  const { store } = memoryStore();
  for (const n of [1, 2, 3]) store.outbox.enqueue(msg(n));
  const sent: string[] = [];
  for (let m = store.outbox.nextDue("telegram"); m; m = store.outbox.nextDue("telegram")) {
    assert.equal(store.outbox.claim(m.id), true);
    sent.push(m.payload);
    assert.equal(store.outbox.markSent(m.id), true);
  }
  assert.deepEqual(sent, ["message 1", "message 2", "message 3"]);
  assert.equal(store.outbox.backlog(), 0);
});

test("outbox markSent twice, or claim of a sent message → false the second time", () => {
  const { store } = memoryStore();
  store.outbox.enqueue(msg(1));
  const m = store.outbox.nextDue("telegram");
  assert.ok(m);
  assert.equal(store.outbox.claim(m.id), true);
  assert.equal(store.outbox.claim(m.id), false);
  assert.equal(store.outbox.markSent(m.id), true);
  assert.equal(store.outbox.markSent(m.id), false);
  assert.equal(store.outbox.claim(m.id), false);
  assert.equal(store.outbox.byId(m.id)?.attempts, 1);
});

test("outbox markFailed → not due until the backoff passes, and it holds back later messages", () => {
  const { store, clock } = memoryStore();
  store.outbox.enqueue(msg(1));
  store.outbox.enqueue(msg(2));
  const first = store.outbox.nextDue("telegram");
  assert.ok(first);
  store.outbox.claim(first.id);
  assert.equal(store.outbox.markFailed(first.id, "502 Bad Gateway"), true);
  assert.equal(store.outbox.nextDue("telegram"), null);
  clock.advance(999);
  assert.equal(store.outbox.nextDue("telegram"), null);
  clock.advance(1);
  assert.equal(store.outbox.nextDue("telegram")?.id, first.id);
  store.outbox.claim(first.id);
  store.outbox.markFailed(first.id, "502 again");
  const again = store.outbox.byId(first.id);
  assert.equal(again?.attempts, 2);
  assert.equal(again?.lastError, "502 again");
  assert.equal(again?.nextAttemptAtMs, clock.now() + 2000);
});

test("outbox markFailed with the service's retry-after → due after exactly that wait", () => {
  const { store, clock } = memoryStore();
  store.outbox.enqueue(msg(1));
  const m = store.outbox.nextDue("telegram");
  assert.ok(m);
  store.outbox.claim(m.id);
  store.outbox.markFailed(m.id, "429", 30_000);
  assert.equal(store.outbox.byId(m.id)?.nextAttemptAtMs, clock.now() + 30_000);
});

test("outboxBackoffMs → doubles from 1 s and stops at 5 minutes", () => {
  assert.deepEqual([1, 2, 3, 4].map(outboxBackoffMs), [1000, 2000, 4000, 8000]);
  assert.equal(outboxBackoffMs(30), 300_000);
});

test("outbox recoverInterrupted → a message left SENDING becomes UNCERTAIN, never sent again", () => {
  const { store } = memoryStore();
  store.outbox.enqueue(msg(1));
  store.outbox.enqueue(msg(2));
  const m = store.outbox.nextDue("telegram");
  assert.ok(m);
  store.outbox.claim(m.id);
  assert.equal(store.outbox.nextDue("telegram"), null);
  assert.equal(store.outbox.recoverInterrupted(), 1);
  assert.equal(store.outbox.byId(m.id)?.status, "UNCERTAIN");
  assert.equal(store.outbox.markSent(m.id), false);
  assert.equal(store.outbox.nextDue("telegram")?.payload, "message 2");
  assert.equal(store.outbox.backlog(), 2);
});

test("outbox channels → a message waiting on one channel does not hold back another", () => {
  const { store } = memoryStore();
  store.outbox.enqueue(msg(1));
  store.outbox.enqueue({ dedupeKey: "web:1", channel: "web", payload: "w" });
  const t = store.outbox.nextDue("telegram");
  assert.ok(t);
  store.outbox.claim(t.id);
  assert.equal(store.outbox.nextDue("web")?.payload, "w");
});

test("outbox markUncertain → the message is never resent and no longer holds back the channel", () => {
  const { store } = memoryStore();
  store.outbox.enqueue(msg(1));
  store.outbox.enqueue(msg(2));
  const m = store.outbox.nextDue("telegram");
  assert.ok(m);
  assert.equal(store.outbox.markUncertain(m.id, "no answer"), false, "only a claimed message");
  store.outbox.claim(m.id);
  assert.equal(store.outbox.markUncertain(m.id, "no answer"), true);
  const after = store.outbox.byId(m.id);
  assert.equal(after?.status, "UNCERTAIN");
  assert.equal(after?.lastError, "no answer");
  assert.equal(after?.attempts, 1);
  assert.equal(store.outbox.claim(m.id), false);
  assert.equal(store.outbox.markSent(m.id), false);
  assert.equal(store.outbox.nextDue("telegram")?.payload, "message 2");
  assert.deepEqual(store.outbox.backlogCounts(), { waiting: 1, uncertain: 1 });
});

test("outbox head → the oldest unsent message even while it waits for its retry", () => {
  const { store } = memoryStore();
  assert.equal(store.outbox.head("telegram"), null);
  store.outbox.enqueue(msg(1));
  const m = store.outbox.nextDue("telegram");
  assert.ok(m);
  store.outbox.claim(m.id);
  store.outbox.markFailed(m.id, "503");
  assert.equal(store.outbox.nextDue("telegram"), null);
  assert.equal(store.outbox.head("telegram")?.id, m.id);
  assert.equal(store.outbox.head("telegram")?.attempts, 1);
});

test("outbox waitingChannels → only channels with the prefix that still hold unsent messages", () => {
  const { store } = memoryStore();
  store.outbox.enqueue({ dedupeKey: "a", channel: "telegram:2", payload: "x" });
  store.outbox.enqueue({ dedupeKey: "b", channel: "telegram:1", payload: "y" });
  store.outbox.enqueue({ dedupeKey: "c", channel: "web", payload: "z" });
  assert.deepEqual(store.outbox.waitingChannels("telegram:"), ["telegram:1", "telegram:2"]);
  const m = store.outbox.nextDue("telegram:1");
  assert.ok(m);
  store.outbox.claim(m.id);
  store.outbox.markSent(m.id);
  assert.deepEqual(store.outbox.waitingChannels("telegram:"), ["telegram:2"]);
});

test("outbox recoverInterrupted with a channel prefix → only that sender's messages become UNCERTAIN", () => {
  const { store } = memoryStore();
  store.outbox.enqueue({ dedupeKey: "a", channel: "telegram:1", payload: "x" });
  store.outbox.enqueue({ dedupeKey: "b", channel: "web", payload: "y" });
  for (const channel of ["telegram:1", "web"]) {
    const m = store.outbox.nextDue(channel);
    assert.ok(m);
    store.outbox.claim(m.id);
  }
  assert.equal(store.outbox.recoverInterrupted("telegram:"), 1);
  assert.equal(store.outbox.byDedupeKey("a")?.status, "UNCERTAIN");
  assert.equal(store.outbox.byDedupeKey("b")?.status, "SENDING");
});
