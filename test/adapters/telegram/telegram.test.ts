import assert from "node:assert/strict";
import { after, test } from "node:test";
import { Store } from "../../../src/adapters/sqlite/store.js";
import { parseChatIds } from "../../../src/adapters/telegram/chat-ids.js";
import { createTelegram } from "../../../src/adapters/telegram/telegram.js";
import { parseConfig } from "../../../src/config/load.js";
import type { Config } from "../../../src/config/schema.js";
import { ManualClock } from "../../../src/ports/clock.js";
import { FakeBotApi } from "../../support/fake-bot-api.js";
import { HandTimers } from "../../support/hand-timers.js";
import { waitFor } from "../../support/wait.js";
import { fakeEngine, NOW, statusSnapshot } from "./fixtures.js";
import { SAMPLES } from "./samples.js";

function config(raw: Record<string, unknown>): Config {
  const r = parseConfig(raw);
  assert.ok(r.ok, r.ok ? "" : r.errors.join("\n"));
  return r.config;
}

function setup(raw: Record<string, unknown>) {
  const clock = new ManualClock(NOW);
  const store = Store.open(":memory:", { clock });
  after(() => store.close());
  const lines: string[] = [];
  return {
    clock,
    store,
    lines,
    timers: new HandTimers(clock),
    log: (l: string) => lines.push(l),
    cfg: config(raw),
  };
}

test("telegram config section → defaults, and a clear error for a bad value", () => {
  const c = config({});
  assert.deepEqual(c.telegram, {
    api_root: "https://api.telegram.org",
    polling_timeout_seconds: 30,
    send_timeout_seconds: 20,
  });
  const bad = parseConfig({
    telegram: { api_root: "http://127.0.0.1:9200/", polling_timeout_seconds: 90, send_timeout_second: 5 },
    telegram_chat_id: "111, abc",
  });
  assert.ok(!bad.ok);
  assert.deepEqual(bad.errors.sort(), [
    'telegram.api_root: expected a URL without a trailing /, found "http://127.0.0.1:9200/"',
    "telegram.polling_timeout_seconds: expected a number <= 50, found 90",
    'telegram.send_timeout_second: unknown key; did you mean "send_timeout_seconds"?',
    'telegram_chat_id: expected chat ids (whole numbers or @channel names) separated by commas, found "111, abc"',
  ]);
});

test("parseChatIds → one or several ids, commas or spaces, duplicates once", () => {
  assert.deepEqual(parseChatIds(""), []);
  assert.deepEqual(parseChatIds("123456789"), ["123456789"]);
  assert.deepEqual(parseChatIds(" 111, -100222 ,111 @alerts"), ["111", "-100222", "@alerts"]);
  assert.equal(config({ telegram_chat_id: "111, -100222" }).telegram_chat_id, "111, -100222");
});

test("createTelegram without a token → notifications to the log, no worker, no bot", () => {
  const s = setup({ telegram_chat_id: "111" });
  const t = createTelegram({
    config: s.cfg,
    store: s.store,
    clock: s.clock,
    setTimer: s.timers.setTimer,
    log: s.log,
    engine: fakeEngine(() => statusSnapshot()),
    login: null,
  });
  assert.equal(t.worker, null);
  assert.equal(t.bot, null);
  t.start();
  t.notifier.notify(SAMPLES.feed_lost);
  assert.equal(s.store.outbox.backlog(), 0);
  assert.deepEqual(s.lines, [
    "telegram: no telegram_token: notifications go to the log",
    "notification: 📡 Market feed lost · 10:15:02 IST\nLast tick at 10:14:50 IST. Reconnecting.",
  ]);
});

test("createTelegram with a token and chats → notifications delivered and commands answered", async () => {
  const api = new FakeBotApi();
  await api.start();
  const s = setup({
    telegram_token: api.token,
    telegram_chat_id: "111",
    telegram: { api_root: api.apiRoot, polling_timeout_seconds: 1 },
  });
  const t = createTelegram({
    config: s.cfg,
    store: s.store,
    clock: s.clock,
    setTimer: s.timers.setTimer,
    log: s.log,
    engine: fakeEngine(() => statusSnapshot()),
    login: null,
    label: "PAPER",
  });
  after(async () => {
    await t.stop();
    await api.close();
  });
  assert.ok(t.worker);
  assert.equal(t.bot, null, "the bot (grammY) is loaded at start, not before");
  t.start();
  await waitFor(() => t.bot !== null, "the bot to be loaded");
  t.notifier.notify(SAMPLES.entry);
  await waitFor(() => api.sent.length === 1, "the entry message");
  assert.match(api.sent[0]?.text ?? "", /^\[PAPER\] 🟢 <b>ENTRY<\/b>/);
  await waitFor(() => api.calls.includes("getUpdates"), "polling");
  api.sendUserMessage(111, "/login");
  await waitFor(() => api.sent.length === 2, "the answer to /login");
  assert.equal(api.sent[1]?.text, "❌ Cannot start a login: no Kite login is configured in this mode");
});

test("Telegram unreachable at start-up → start does not hold the service, stop ends the retries", async () => {
  const api = new FakeBotApi();
  await api.start();
  await api.goOffline();
  const s = setup({
    telegram_token: api.token,
    telegram_chat_id: "111",
    telegram: { api_root: api.apiRoot, polling_timeout_seconds: 1 },
  });
  const t = createTelegram({
    config: s.cfg,
    store: s.store,
    clock: s.clock,
    setTimer: s.timers.setTimer,
    log: s.log,
    engine: fakeEngine(() => statusSnapshot()),
    login: null,
  });
  t.start();
  t.notifier.notify(SAMPLES.entry);
  await t.worker?.idle();
  await new Promise((r) => setTimeout(r, 50)); // a few of grammY's getMe retries
  await t.stop();
  assert.deepEqual(t.worker?.backlog(), { waiting: 1, uncertain: 0 });
  assert.ok(s.lines.some((l) => /not sent \(Telegram unreachable \(ECONNREFUSED\)\)/.test(l)));
  assert.ok(!s.lines.some((l) => /polling for commands/.test(l)));
});

test("stop with a send hanging → returns at stopWaitMs; the message becomes UNCERTAIN at the next start", async () => {
  const api = new FakeBotApi();
  await api.start();
  const s = setup({
    telegram_token: api.token,
    telegram_chat_id: "111",
    telegram: { api_root: api.apiRoot, send_timeout_seconds: 60 },
  });
  after(() => api.close());
  const deps = {
    config: s.cfg,
    store: s.store,
    clock: s.clock,
    setTimer: s.timers.setTimer,
    log: s.log,
    engine: null,
    login: null,
    stopWaitMs: 2000,
  };
  const t = createTelegram(deps);
  api.hangNext();
  t.start();
  t.notifier.notify(SAMPLES.entry);
  await waitFor(() => api.sent.length === 1, "the send to reach the fake");
  let stopped = false;
  const stopping = t.stop().then(() => {
    stopped = true;
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(stopped, false);
  s.clock.advance(2000);
  s.timers.fireDue();
  await stopping;
  assert.ok(s.lines.includes("telegram: stopped without waiting for the send or poll in flight"));
  const again = createTelegram(deps); // the next start of the service
  again.start();
  await again.worker?.idle();
  await again.stop();
  assert.equal(s.store.outbox.byDedupeKey("entry:20250904_001@111")?.status, "UNCERTAIN");
  assert.equal(api.sent.length, 1, "never sent twice");
});
