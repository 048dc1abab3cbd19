import assert from "node:assert/strict";
import { test } from "node:test";
import { renderNotification } from "../../../src/adapters/telegram/render.js";
import { waitFor } from "../../support/wait.js";
import { deliveryHarness, SEND_TIMEOUT_MS } from "./harness.js";
import { SAMPLES } from "./samples.js";

const texts = (api: { sent: Array<{ text: string | null }> }) => api.sent.map((m) => m.text);
const sendCalls = (api: { calls: string[] }) => api.calls.filter((c) => c === "sendMessage").length;

test("notify → the message is delivered to the chat as HTML, once, and leaves no backlog", async () => {
  const h = await deliveryHarness();
  h.worker.start();
  h.notifier.notify(SAMPLES.entry);
  h.notifier.notify(SAMPLES.entry); // reported twice (a restart): queued once
  await h.settle();
  assert.deepEqual(texts(h.api), [renderNotification(SAMPLES.entry)]);
  assert.equal(h.api.sent[0]?.chatId, "111");
  assert.equal(h.api.sent[0]?.parseMode, "HTML");
  assert.deepEqual(h.worker.backlog(), { waiting: 0, uncertain: 0 });
  await h.advance(60_000);
  assert.equal(h.api.sent.length, 1);
});

test("several messages → delivered in the order they were queued", async () => {
  const h = await deliveryHarness();
  h.worker.start();
  const order = [SAMPLES.pre_market, SAMPLES.entry, SAMPLES.exit_target, SAMPLES.daily_summary];
  for (const n of order) h.notifier.notify(n);
  await h.settle();
  assert.deepEqual(texts(h.api), order.map(renderNotification));
});

test("several chats → each gets every message, in order", async () => {
  const h = await deliveryHarness({ chatIds: ["111", "-100222"] });
  h.worker.start();
  h.notifier.notify(SAMPLES.entry);
  h.notifier.notify(SAMPLES.exit_target);
  await h.settle();
  for (const chat of ["111", "-100222"]) {
    assert.deepEqual(
      h.api.sentTo(chat).map((m) => m.text),
      [renderNotification(SAMPLES.entry), renderNotification(SAMPLES.exit_target)],
    );
  }
});

test("429 with retry_after → nothing sent before it has passed, then everything in order", async () => {
  const h = await deliveryHarness();
  h.worker.start();
  h.api.failWith429(30);
  h.notifier.notify(SAMPLES.entry);
  h.notifier.notify(SAMPLES.exit_target);
  await h.settle();
  assert.equal(h.api.sent.length, 0);
  assert.equal(sendCalls(h.api), 1);
  const head = h.store.outbox.head("telegram:111");
  assert.equal(head?.nextAttemptAtMs, h.clock.now() + 30_000, "waits exactly retry_after");
  assert.match(head?.lastError ?? "", /^429 Too Many Requests/);
  for (let waited = 0; waited < 29_000; waited += 1000) await h.advance(1000);
  assert.equal(h.api.sent.length, 0, "not before retry_after");
  assert.equal(sendCalls(h.api), 1, "no attempt while waiting");
  await h.advance(1000);
  assert.deepEqual(texts(h.api), [
    renderNotification(SAMPLES.entry),
    renderNotification(SAMPLES.exit_target),
  ]);
  assert.deepEqual(h.worker.backlog(), { waiting: 0, uncertain: 0 });
});

test("5xx → retried with a growing backoff, then delivered once", async () => {
  const h = await deliveryHarness();
  h.worker.start();
  h.api.failWith5xx(502, 2);
  h.notifier.notify(SAMPLES.entry);
  await h.settle();
  assert.equal(sendCalls(h.api), 1);
  await h.advance(999);
  assert.equal(sendCalls(h.api), 1, "first backoff is 1 s");
  await h.advance(1);
  assert.equal(sendCalls(h.api), 2);
  await h.advance(1999);
  assert.equal(sendCalls(h.api), 2, "second backoff is 2 s");
  await h.advance(1);
  assert.equal(sendCalls(h.api), 3);
  assert.deepEqual(texts(h.api), [renderNotification(SAMPLES.entry)]);
  assert.ok(h.lines.some((l) => /not sent \(502 Internal Server Error\); attempt 1, next in 1 s/.test(l)));
});

test("Telegram unreachable for hours → messages wait, then are delivered once each, in order", async () => {
  const h = await deliveryHarness();
  h.worker.start();
  await h.api.goOffline();
  const order = [SAMPLES.entry, SAMPLES.exit_target, SAMPLES.feed_lost, SAMPLES.daily_summary];
  for (const n of order) h.notifier.notify(n);
  await h.settle();
  for (let minute = 0; minute < 4 * 60; minute++) await h.advance(60_000);
  assert.deepEqual(h.worker.backlog(), { waiting: 4, uncertain: 0 });
  const head = h.store.outbox.head("telegram:111");
  assert.ok(
    head && head.attempts > 40 && head.attempts < 60,
    `capped backoff: ${head?.attempts} attempts in 4 h`,
  );
  assert.match(head?.lastError ?? "", /Telegram unreachable \(ECONNREFUSED\)/);
  await h.api.goOnline();
  await h.advance(5 * 60_000);
  assert.deepEqual(texts(h.api), order.map(renderNotification));
  assert.deepEqual(h.worker.backlog(), { waiting: 0, uncertain: 0 });
  await h.advance(60 * 60_000);
  assert.equal(h.api.sent.length, 4, "never again");
});

test("a send without an answer → UNCERTAIN, never sent again, the next message goes on", async () => {
  const h = await deliveryHarness();
  h.worker.start();
  h.api.hangNext();
  h.notifier.notify(SAMPLES.entry);
  h.notifier.notify(SAMPLES.exit_target);
  await Promise.resolve();
  await waitFor(() => h.api.sent.length === 1, "the held send to arrive at the fake");
  h.clock.advance(SEND_TIMEOUT_MS);
  h.timers.fireDue();
  await h.settle();
  assert.deepEqual(texts(h.api), [
    renderNotification(SAMPLES.entry),
    renderNotification(SAMPLES.exit_target),
  ]);
  const first = h.store.outbox.byDedupeKey("entry:20250904_001@111");
  assert.equal(first?.status, "UNCERTAIN");
  assert.match(first?.lastError ?? "", /no answer from Telegram/);
  assert.deepEqual(h.worker.backlog(), { waiting: 0, uncertain: 1 });
  await h.advance(60 * 60_000);
  assert.equal(h.api.sent.length, 2, "the uncertain message is not repeated");
  assert.ok(h.lines.some((l) => /may or may not have arrived/.test(l)));
});

test("a message Telegram refuses for good (400) → dropped as UNCERTAIN, the chat goes on", async () => {
  const h = await deliveryHarness();
  h.worker.start();
  h.store.outbox.enqueue({
    dedupeKey: "empty",
    channel: "telegram:111",
    payload: JSON.stringify({ chatId: "111", text: "", kind: "error" }),
  });
  h.notifier.notify(SAMPLES.entry);
  await h.settle();
  assert.deepEqual(texts(h.api), [renderNotification(SAMPLES.entry)]);
  assert.equal(h.store.outbox.byDedupeKey("empty")?.status, "UNCERTAIN");
  assert.match(h.store.outbox.byDedupeKey("empty")?.lastError ?? "", /refused: 400 Bad Request/);
});

test("markup Telegram cannot parse → sent again at once as plain text (the words arrive)", async () => {
  const h = await deliveryHarness();
  h.worker.start();
  h.store.outbox.enqueue({
    dedupeKey: "bad-html",
    channel: "telegram:111",
    payload: JSON.stringify({ chatId: "111", text: "<b>P&L</b> 5 < 6", kind: "error" }),
  });
  h.worker.kick();
  await h.settle();
  assert.deepEqual(
    h.api.sent.map((m) => [m.text, m.parseMode]),
    [["P&L 5 < 6", null]],
  );
  assert.equal(h.store.outbox.byDedupeKey("bad-html")?.status, "SENT");
});

test("start after a crash mid-send → the half-sent message becomes UNCERTAIN, the rest are delivered", async () => {
  const h = await deliveryHarness();
  h.notifier.notify(SAMPLES.entry);
  h.notifier.notify(SAMPLES.exit_target);
  const m = h.store.outbox.nextDue("telegram:111");
  assert.ok(m);
  h.store.outbox.claim(m.id); // the previous process stopped here
  h.worker.start();
  await h.settle();
  assert.deepEqual(texts(h.api), [renderNotification(SAMPLES.exit_target)]);
  assert.equal(h.store.outbox.byId(m.id)?.status, "UNCERTAIN");
  assert.ok(h.lines.some((l) => /1 message\(s\) were being sent when the service stopped/.test(l)));
});

test("a message queued by another writer without a kick → found by the idle check", async () => {
  const h = await deliveryHarness();
  h.worker.start();
  await h.settle();
  h.store.outbox.enqueue({
    dedupeKey: "x",
    channel: "telegram:111",
    payload: JSON.stringify({ chatId: "111", text: "hello", kind: "other" }),
  });
  await h.advance(4999);
  assert.equal(h.api.sent.length, 0);
  await h.advance(1);
  assert.deepEqual(texts(h.api), ["hello"]);
});

test("stop → no more sends, the messages stay queued", async () => {
  const h = await deliveryHarness();
  h.worker.start();
  await h.worker.stop();
  h.notifier.notify(SAMPLES.entry);
  await h.advance(60_000);
  assert.equal(h.api.sent.length, 0);
  assert.deepEqual(h.worker.backlog(), { waiting: 1, uncertain: 0 });
});
