import assert from "node:assert/strict";
import { test } from "node:test";
import { OutboxNotifier } from "../../../src/adapters/telegram/outbox-notifier.js";
import { dedupeKeyOf, renderNotification } from "../../../src/adapters/telegram/render.js";
import { defaultConfig } from "../../../src/config/load.js";
import { NOTIFICATION_SWITCH, type Notification } from "../../../src/ports/notifier.js";
import { deliveryHarness } from "./harness.js";
import { SAMPLES } from "./samples.js";

const ALL = Object.values(SAMPLES) as Notification[];

test("every switch off → nothing queued, nothing sent", async () => {
  const off = Object.fromEntries(Object.keys(defaultConfig().notifications).map((k) => [k, false]));
  const h = await deliveryHarness({ switches: off });
  h.worker.start();
  for (const n of ALL) h.notifier.notify(n);
  await h.settle();
  assert.equal(h.store.outbox.backlog(), 0);
  assert.equal(h.api.sent.length, 0);
});

test("one switch off → only its kinds are left out (feed covers lost and restored)", async () => {
  const h = await deliveryHarness({ switches: { feed: false } });
  h.worker.start();
  for (const n of ALL) h.notifier.notify(n);
  await h.settle();
  // Samples sharing an event key (same instant) are one event: the first one counts.
  const keys = new Set<string>();
  const expected = ALL.filter((n) => NOTIFICATION_SWITCH[n.kind] !== "feed")
    .filter((n) => !keys.has(dedupeKeyOf(n)) && keys.add(dedupeKeyOf(n)))
    .map(renderNotification);
  assert.deepEqual(
    h.api.sent.map((m) => m.text),
    expected,
  );
  assert.ok(!h.api.sent.some((m) => /Market feed/.test(m.text ?? "")));
});

test("every kind is switched by an existing notifications.* key", () => {
  const keys = new Set(Object.keys(defaultConfig().notifications));
  for (const key of Object.values(NOTIFICATION_SWITCH)) assert.ok(keys.has(key), key);
  assert.deepEqual(new Set(Object.values(NOTIFICATION_SWITCH)), keys, "and every key switches something");
});

test("no bot token → the plain text goes to the log, nothing is queued", () => {
  const lines: string[] = [];
  const queued: unknown[] = [];
  const notifier = new OutboxNotifier({
    outbox: { enqueue: (m) => queued.push(m) > 0 },
    transaction: (fn) => fn(),
    chatIds: ["111"],
    telegramEnabled: false,
    switches: defaultConfig().notifications,
    log: (l) => lines.push(l),
  });
  notifier.notify(SAMPLES.exit_target);
  notifier.notify(SAMPLES.error);
  assert.deepEqual(queued, []);
  assert.deepEqual(lines, [
    "notification: ✅ EXIT SENSEX2590481000CE · 09:39 IST\nTrade 20250904_001 · target at 161.20\nP&L +39.85 pts · +₹797.00 (net +₹732.88)",
    "notification: 🚨 Error · 10:15:02 IST\norder manager: placing the exit failed: 502 <Bad Gateway>",
  ]);
});

test("no chat id → the log, nothing queued", () => {
  const lines: string[] = [];
  const notifier = new OutboxNotifier({
    outbox: { enqueue: () => assert.fail("nothing may be queued") },
    transaction: (fn) => fn(),
    chatIds: [],
    telegramEnabled: true,
    switches: defaultConfig().notifications,
    log: (l) => lines.push(l),
  });
  notifier.notify(SAMPLES.entry);
  assert.equal(lines.length, 1);
  assert.match(lines[0] ?? "", /^notification: 🟢 ENTRY SENSEX2590481000CE/);
});

test("the outbox failing → notify neither throws nor blocks; the loss is logged", () => {
  const lines: string[] = [];
  const notifier = new OutboxNotifier({
    outbox: {
      enqueue: () => {
        throw new Error("SQLITE_FULL: database or disk is full");
      },
    },
    transaction: (fn) => fn(),
    chatIds: ["111"],
    telegramEnabled: true,
    switches: defaultConfig().notifications,
    log: (l) => lines.push(l),
  });
  assert.doesNotThrow(() => notifier.notify(SAMPLES.exit_target));
  assert.deepEqual(lines, ["notification exit could not be queued (SQLITE_FULL: database or disk is full)"]);
});

test("a label (paper mode) → shown before every message", async () => {
  const h = await deliveryHarness({ label: "PAPER" });
  h.worker.start();
  h.notifier.notify(SAMPLES.entry);
  await h.settle();
  assert.equal(h.api.sent[0]?.text, `[PAPER] ${renderNotification(SAMPLES.entry)}`);
});

test("notify inside a transaction that rolls back → nothing queued, nothing sent", async () => {
  const h = await deliveryHarness();
  h.worker.start();
  assert.throws(() =>
    h.store.transaction(() => {
      h.notifier.notify(SAMPLES.entry);
      throw new Error("the change it told of failed");
    }),
  );
  await h.settle();
  assert.equal(h.store.outbox.backlog(), 0);
  assert.equal(h.api.sent.length, 0);
});

test("a message over Telegram's limit → queued in parts that arrive in order", async () => {
  const h = await deliveryHarness();
  h.worker.start();
  const universe = Array.from({ length: 200 }, (_, i) => ({
    symbol: `SENSEX25904${80000 + i * 100}CE`,
    strike: 80000 + i * 100,
    optionType: "CE" as const,
    structure: "BULLISH" as const,
    r1: 100 + i,
  }));
  const big = { ...SAMPLES.pre_market, universe };
  h.notifier.notify(big);
  await h.settle();
  assert.ok(h.api.sent.length >= 2);
  assert.equal(h.api.sent.map((m) => m.text).join("\n"), renderNotification(big));
  assert.ok(h.store.outbox.byDedupeKey("pre_market:2025-09-04#2@111"));
});
