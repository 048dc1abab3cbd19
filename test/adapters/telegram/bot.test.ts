import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Store } from "../../../src/adapters/sqlite/store.js";
import { createTelegramBot } from "../../../src/adapters/telegram/bot.js";
import { CONFIRM_MS } from "../../../src/adapters/telegram/confirmations.js";
import { parseConfig } from "../../../src/config/load.js";
import type { Config } from "../../../src/config/schema.js";
import type { StatusSnapshot } from "../../../src/ports/app.js";
import { ManualClock } from "../../../src/ports/clock.js";
import { FakeBotApi, htmlProblem, type SentMessage } from "../../support/fake-bot-api.js";
import { waitFor } from "../../support/wait.js";
import { POSITION, TRADE } from "../sqlite/fixtures.js";
import { fakeEngine, NOW, RecordingControl, statusSnapshot } from "./fixtures.js";

const CHAT = 111;
const OTHER_CHAT = 222;
const STRANGER = 999;

const api = new FakeBotApi();
const clock = new ManualClock(NOW);
const store = Store.open(":memory:", { clock });
const control = new RecordingControl();
let status: StatusSnapshot = statusSnapshot();
const logins: string[] = [];
const sleeps: number[] = [];
let questions = 0;
const lines: string[] = [];
let config: Config;
let stopBot: () => Promise<void> = async () => {};

after(async () => {
  await stopBot();
  await api.close();
  store.close();
});

before(async () => {
  await api.start();
  const parsed = parseConfig({
    api_key: "KEY-abc",
    api_secret: "S3CRET-xyz",
    telegram_token: api.token,
    telegram_chat_id: `${CHAT}, ${OTHER_CHAT}`,
    telegram: { api_root: api.apiRoot, polling_timeout_seconds: 2 },
  });
  assert.ok(parsed.ok);
  config = parsed.config;
  store.trades.recordClosed(TRADE, 20);
  store.trades.upsertOpen("2025-09-04", {
    ...POSITION,
    trade_id: "20250904_002",
    entry_time: "2025-09-04T10:00:00+05:30",
  });
  store.dailySummary.upsert("2025-09-03", {
    total_trades: 1,
    wins: 0,
    losses: 1,
    win_rate: 0,
    gross_pnl: -458,
    charges: 60,
    net_pnl: -518,
    max_drawdown: 458,
    trades_by_scenario: { "1": 1, "2": 0, "3": 0 },
    first_candle_entries: 1,
    intraday_entries: 0,
    stop_losses: 1,
    targets: 0,
    timeouts: 0,
    eod_exits: 0,
    max_daily_loss_exits: 0,
  });
  const bot = createTelegramBot({
    token: api.token,
    chatIds: ["111", "222"],
    apiRoot: api.apiRoot,
    pollingTimeoutSeconds: 2,
    engine: fakeEngine(() => status, control),
    store,
    login: {
      start: () => {
        logins.push("start");
        return {
          url: "https://kite.zerodha.com/connect/login?api_key=KEY-abc&v=3&redirect_params=state%3Dxyz",
        };
      },
    },
    config,
    clock,
    log: (l) => lines.push(l),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    newQuestionId: () => `q${++questions}`,
  });
  await bot.start();
  stopBot = () => bot.stop();
});

/** Sends a command from a chat and returns the bot's new messages once `count` have come. */
async function ask(text: string, chat = CHAT, count = 1): Promise<SentMessage[]> {
  const before = api.sentTo(chat).length;
  api.sendUserMessage(chat, text);
  await waitFor(() => api.sentTo(chat).length >= before + count, `the answer to ${text}`);
  const replies = api.sentTo(chat).slice(before);
  for (const r of replies)
    if (r.parseMode === "HTML") assert.equal(htmlProblem(r.text ?? ""), null, r.text ?? "");
  return replies;
}

async function press(message: SentMessage, data: string, chat = CHAT, count = 1): Promise<SentMessage[]> {
  const before = api.sentTo(chat).length;
  const answeredBefore = api.answeredCallbacks.length;
  api.pressButton(chat, message, data);
  await waitFor(
    () => api.sentTo(chat).length >= before + count && api.answeredCallbacks.length > answeredBefore,
    `the answer to the button ${data}`,
  );
  return api.sentTo(chat).slice(before);
}

test("bot start → the command menu is registered", () => {
  assert.deepEqual(
    api.commands.map((c) => c.command),
    [
      "status",
      "health",
      "trades",
      "summary",
      "enable",
      "disable",
      "panic",
      "resume",
      "setlots",
      "reminders",
      "login",
      "config",
      "help",
    ],
  );
});

test("/start and /help → the list of commands", async () => {
  for (const command of ["/start", "/help"]) {
    const [reply] = await ask(command);
    assert.equal(
      reply?.text,
      [
        "<b>Pivot Trading System</b> · PAPER",
        "/status — the day at a glance, with buttons",
        "/health — CPU, memory, disk, uptime",
        "/trades — today's trades",
        "/summary — today and this month",
        "/enable, /disable — allow or stop new entries",
        "/panic — close everything now (asks first)",
        "/resume — clear a panic (asks first)",
        "/setlots N — lots per trade from the next entry (1-5)",
        "/reminders — things to act on soon",
        "/login — the Kite login link",
        "/config — the configuration, secrets hidden",
      ].join("\n"),
    );
  }
});

test("/status → the day at a glance, with the control buttons", async () => {
  const [reply] = await ask("/status");
  assert.equal(
    reply?.text,
    [
      "<b>PAPER</b> · Thu 04 Sep 2025 · 10:02:11 IST",
      "Phase: market open",
      "Kite session: AB1234 until 06:00:00",
      "Feed: connected, last tick 1 s ago",
      "SENSEX 80,718.25 · ATM 80,700 · expiry Thu 04 Sep 2025",
      "Position: SENSEX2590481000CE OPEN · qty 20 @ 121.35",
      "LTP 130.00 · +8.65 pts · +₹173.00",
      "Stop 98.40 · target 160.00 · protective stop at the broker",
      "Today: 2/3 trades, 0 stop loss(es) · net +₹732.88",
      "Loss today ₹0.00 of ₹25,000.00",
      "Entries: enabled · lots 1 (max 5)",
    ].join("\n"),
  );
  assert.deepEqual(reply?.buttons, [
    [
      ["⏸ Disable entries", "entries:off"],
      ["🛑 Panic", "panic:ask"],
    ],
    [
      ["❤️ Health", "health"],
      ["📒 Trades", "trades"],
      ["🔄 Refresh", "status"],
    ],
  ]);
});

test("/status when flat, entries off and no session → says so, offers enabling", async () => {
  status = statusSnapshot({
    position: null,
    session: { valid: false, userId: null, expiresAt: null },
    ticker: { connected: false, lastTickAgeMs: null, subscriptions: 0 },
    risk: { ...statusSnapshot().risk, entriesEnabled: false },
    outboxBacklog: 3,
    archiveDays: 0,
  });
  try {
    const [reply] = await ask("/status");
    assert.match(reply?.text ?? "", /\nKite session: none \(\/login\)\nFeed: not connected\n/);
    assert.match(reply?.text ?? "", /\nPosition: none\n/);
    assert.match(reply?.text ?? "", /\nEntries: disabled · lots 1 \(max 5\)\nTelegram messages waiting: 3$/);
    assert.deepEqual(reply?.buttons?.[0]?.[0], ["▶️ Enable entries", "entries:on"]);
  } finally {
    status = statusSnapshot();
  }
});

test("/health → uptime, CPU, memory and each check", async () => {
  const [reply] = await ask("/health");
  assert.equal(
    reply?.text,
    [
      "❤️ <b>Health</b> · 10:02:11 IST",
      "Uptime 3 h 12 min · CPU 4.5% · memory 85 MB",
      "✅ disk: 12 GB free (60%)",
      "⚠️ ticker: last tick 15 s ago",
    ].join("\n"),
  );
});

test("/trades → today's trades from the store, closed and open", async () => {
  const [reply] = await ask("/trades");
  assert.equal(
    reply?.text,
    [
      "📒 <b>Trades</b> · Thu 04 Sep 2025",
      "1. 20250904_001 SENSEX2590481000CE S1 · 09:18 121.35 → 09:39 161.20 target · +₹797.00",
      "2. 20250904_002 SENSEX2590481000CE S1 · 10:00 121.35 · OPEN (stop 98.40, target 160.00)",
      "Net of charges: +₹732.88",
    ].join("\n"),
  );
});

test("/summary → today's figures and the month's, from the store", async () => {
  const [reply] = await ask("/summary");
  assert.equal(
    reply?.text,
    [
      "📊 <b>Today</b> · Thu 04 Sep 2025",
      "Trades 1: 1 won, 0 lost (win rate 100%)",
      "Gross +₹797.00 · charges ₹64.12 · net +₹732.88",
      "Max drawdown ₹0.00",
      "Scenario 1/2/3: 1/0/0 · first candle 1, intraday 0",
      "Exits: target 1, stop loss 0, timeout 0, end of day 0, loss limit 0",
      "",
      "📊 <b>Sep 2025</b> (1 trading day summarised)",
      "Trades 1: 1 won, 0 lost (win rate 100%)",
      "Gross +₹797.00 · charges ₹64.12 · net +₹732.88",
      "Max drawdown ₹0.00",
      "Scenario 1/2/3: 1/0/0 · first candle 1, intraday 0",
      "Exits: target 1, stop loss 0, timeout 0, end of day 0, loss limit 0",
    ].join("\n"),
  );
});

test("/config → every section, secrets masked", async () => {
  const replies = await ask("/config");
  const text = replies.map((r) => r.text).join("\n");
  assert.match(text, /^⚙️ <b>Configuration<\/b> \(secrets hidden\)\napi_key: <code>\(set, hidden\)<\/code>\n/);
  assert.match(
    text,
    /\napi_secret: <code>\(set, hidden\)<\/code>\ntelegram_token: <code>\(set, hidden\)<\/code>\n/,
  );
  assert.match(text, /\ntelegram_chat_id: <code>111, 222<\/code>\n/);
  assert.match(text, /\n<b>trading<\/b>\n {2}instrument: <code>SENSEX<\/code>\n/);
  assert.match(text, /\n<b>telegram<\/b>\n {2}api_root: <code>http:\/\/127\.0\.0\.1:\d+<\/code>\n/);
  for (const secret of ["KEY-abc", "S3CRET-xyz", api.token]) assert.ok(!text.includes(secret), secret);
});

test("/enable and /disable → ControlPort with the chat as actor, and a reply", async () => {
  control.calls.length = 0;
  assert.equal(
    (await ask("/disable"))[0]?.text,
    "⏸ New entries disabled. An open position is still managed (stop, target, exits).",
  );
  assert.equal((await ask("/enable", OTHER_CHAT))[0]?.text, "▶️ New entries enabled.");
  assert.deepEqual(control.calls, [
    ["setEntriesEnabled", false, "telegram:111"],
    ["setEntriesEnabled", true, "telegram:222"],
  ]);
  assert.ok(lines.includes("telegram: disable entries by telegram:111"));
});

/** The data of a question's Yes and Cancel buttons. */
function answers(question: SentMessage): { yes: string; no: string } {
  const [yes, no] = question.buttons?.[0] ?? [];
  return { yes: yes?.[1] ?? "", no: no?.[1] ?? "" };
}

test("/panic → a question; Yes → panic through ControlPort and the question says it is done", async () => {
  control.calls.length = 0;
  const [question] = await ask("/panic");
  assert.ok(question);
  assert.equal(
    question.text,
    "🛑 <b>Panic?</b>\nCancels every open order, exits every position at market and disables new entries.",
  );
  const id = `q${questions}`;
  assert.deepEqual(question.buttons, [
    [
      ["Yes, panic now", `panic:yes:${id}`],
      ["Cancel", `panic:no:${id}`],
    ],
  ]);
  assert.deepEqual(control.calls, [], "nothing before the confirmation");
  const [edited] = await press(question, `panic:yes:${id}`);
  assert.equal(edited?.method, "editMessageText");
  assert.equal(edited?.messageId, question.messageId);
  assert.equal(
    edited?.text,
    "🛑 <b>PANIC</b>: cancelling every order, exiting every position; new entries disabled.",
  );
  assert.deepEqual(control.calls, [["panic", null, "telegram:111"]]);
});

test("a panic Yes pressed twice (replayed) → panic once; the second press does nothing", async () => {
  control.calls.length = 0;
  const [question] = await ask("/panic");
  assert.ok(question);
  await press(question, answers(question).yes);
  const answeredBefore = api.answeredCallbacks.length;
  api.pressButton(CHAT, question, answers(question).yes);
  await waitFor(() => api.answeredCallbacks.length > answeredBefore, "the replayed press answered");
  assert.equal(api.answeredCallbacks.at(-1)?.[1], "This button is no longer valid");
  assert.deepEqual(control.calls, [["panic", null, "telegram:111"]]);
});

test("forged panic buttons (the old time-stamped form, a guessed id, another chat's question) → nothing done", async () => {
  control.calls.length = 0;
  const [question] = await ask("/panic");
  assert.ok(question);
  const forged = [`panic:yes:${clock.now()}`, "panic:yes:q999", "panic:yes:", `resume:yes:q${questions}`];
  for (const data of forged) {
    const answeredBefore = api.answeredCallbacks.length;
    api.pressButton(CHAT, question, data);
    await waitFor(() => api.answeredCallbacks.length > answeredBefore, `the press of ${data} answered`);
  }
  // The question of chat 111 pressed from chat 222 (also allowed to command): bound to its chat.
  const answeredBefore = api.answeredCallbacks.length;
  api.pressButton(OTHER_CHAT, question, answers(question).yes);
  await waitFor(() => api.answeredCallbacks.length > answeredBefore, "the other chat's press answered");
  assert.deepEqual(control.calls, []);
  assert.ok(
    lines.some(
      (l) =>
        l ===
        "telegram: panic button refused for telegram:222: not a question of this chat, or already answered",
    ),
  );
  // The genuine question still works for its own chat.
  await press(question, answers(question).yes);
  assert.deepEqual(control.calls, [["panic", null, "telegram:111"]]);
});

test("/panic then Cancel → nothing done, and its Yes is spent", async () => {
  control.calls.length = 0;
  const [question] = await ask("/panic");
  assert.ok(question);
  const [edited] = await press(question, answers(question).no);
  assert.equal(edited?.text, "Panic cancelled: nothing was done.");
  const answeredBefore = api.answeredCallbacks.length;
  api.pressButton(CHAT, question, answers(question).yes);
  await waitFor(() => api.answeredCallbacks.length > answeredBefore, "the late Yes answered");
  assert.deepEqual(control.calls, []);
});

test("a panic confirmation pressed too late → nothing done, asked to send /panic again", async () => {
  control.calls.length = 0;
  const [question] = await ask("/panic");
  assert.ok(question);
  clock.advance(CONFIRM_MS + 1);
  try {
    const [edited] = await press(question, answers(question).yes);
    assert.equal(edited?.text, "This question expired: nothing was done. Send /panic again.");
    assert.deepEqual(control.calls, []);
  } finally {
    clock.set(NOW);
  }
});

test("/resume without a panic → says so; in panic → a question; Yes → clearPanic through ControlPort", async () => {
  control.calls.length = 0;
  assert.equal((await ask("/resume"))[0]?.text, "There is no panic to clear.");
  status = statusSnapshot({ risk: { ...statusSnapshot().risk, panic: true } });
  try {
    const [question] = await ask("/resume");
    assert.ok(question);
    assert.match(question.text ?? "", /^▶️ <b>Clear the panic\?<\/b>/);
    assert.deepEqual(control.calls, [], "nothing before the confirmation");
    const [edited] = await press(question, answers(question).yes);
    assert.equal(edited?.text, "▶️ Panic cleared. New entries stay disabled until /enable.");
    assert.deepEqual(control.calls, [["clearPanic", null, "telegram:111"]]);
    const [again] = await ask("/resume");
    assert.ok(again);
    const [cancelled] = await press(again, answers(again).no);
    assert.equal(cancelled?.text, "Clearing the panic cancelled: nothing was done.");
    assert.deepEqual(control.calls, [["clearPanic", null, "telegram:111"]]);
  } finally {
    status = statusSnapshot();
  }
});

test("a reply rate limited (429, retry_after 3 s) → sent once after the wait", async () => {
  sleeps.length = 0;
  const before = api.sentTo(CHAT).length;
  api.failWith429(3, 1);
  const [reply] = await ask("/help");
  assert.match(reply?.text ?? "", /^<b>Pivot Trading System<\/b>/);
  assert.equal(api.sentTo(CHAT).length, before + 1, "exactly one message");
  assert.deepEqual(sleeps, [3000]);
});

test("a reply rate limited for longer than 30 s → dropped with a log line, the bot goes on", async () => {
  sleeps.length = 0;
  const before = api.sentTo(CHAT).length;
  api.failWith429(31, 1);
  api.sendUserMessage(CHAT, "/help");
  await waitFor(() => lines.some((l) => l.includes("dropped: rate limited for 31 s")), "the drop logged");
  assert.deepEqual(sleeps, []);
  const [next] = await ask("/health");
  assert.match(next?.text ?? "", /^❤️ <b>Health<\/b>/);
  assert.equal(api.sentTo(CHAT).length, before + 1, "the dropped reply was never sent");
  assert.ok(
    lines.includes("telegram: a reply to telegram:111 dropped: rate limited for 31 s (more than 30 s)"),
  );
});

test("/setlots N → within 1..max through ControlPort; outside, or not a number → refused, nothing changed", async () => {
  control.calls.length = 0;
  assert.equal(
    (await ask("/setlots 3"))[0]?.text,
    "Lots per trade: 3, from the next entry. An open position keeps its quantity.",
  );
  assert.equal((await ask("/setlots 9"))[0]?.text, "❌ Lots must be from 1 to 5; found 9. Nothing changed.");
  assert.equal((await ask("/setlots 0"))[0]?.text, "❌ Lots must be from 1 to 5; found 0. Nothing changed.");
  assert.equal(
    (await ask("/setlots two"))[0]?.text,
    "Usage: /setlots N (a whole number from 1 to 5). Now: 1.",
  );
  assert.equal((await ask("/setlots"))[0]?.text, "Usage: /setlots N (a whole number from 1 to 5). Now: 1.");
  assert.deepEqual(control.calls, [["setLots", 3, "telegram:111"]]);
});

test("a control action the engine refuses → the reason is told, nothing thrown", async () => {
  control.refuseWith = new Error("the database is read-only <disk full>");
  try {
    const [reply] = await ask("/disable");
    assert.equal(reply?.text, "❌ disable entries failed: the database is read-only &lt;disk full&gt;");
  } finally {
    control.refuseWith = null;
  }
});

test("/reminders → the engine's reminders and the outbox backlog", async () => {
  store.outbox.enqueue({ dedupeKey: "r1", channel: "telegram:111", payload: "{}" });
  const [reply] = await ask("/reminders");
  assert.equal(
    reply?.text,
    [
      "⏰ <b>Reminders</b>",
      "• TLS certificate of sensexbot.ddns.net expires in 9 days",
      "Telegram outbox: 1 waiting",
    ].join("\n"),
  );
});

test("/login → a fresh login link from the login port", async () => {
  logins.length = 0;
  const [reply] = await ask("/login");
  assert.equal(
    reply?.text,
    [
      "A session is active (AB1234); a new login replaces it.",
      '🔑 <a href="https://kite.zerodha.com/connect/login?api_key=KEY-abc&amp;v=3&amp;redirect_params=state%3Dxyz">Log in to Kite</a>',
      "The link works once, for a few minutes.",
    ].join("\n"),
  );
  assert.deepEqual(logins, ["start"]);
});

test("status buttons → disable, health and trades work like their commands", async () => {
  control.calls.length = 0;
  const [statusMessage] = await ask("/status");
  assert.ok(statusMessage);
  const [disabled] = await press(statusMessage, "entries:off");
  assert.match(disabled?.text ?? "", /^⏸ New entries disabled/);
  assert.deepEqual(control.calls, [["setEntriesEnabled", false, "telegram:111"]]);
  const [health] = await press(statusMessage, "health");
  assert.match(health?.text ?? "", /^❤️ <b>Health<\/b>/);
  const [trades] = await press(statusMessage, "trades");
  assert.match(trades?.text ?? "", /^📒 <b>Trades<\/b>/);
  const [panic] = await press(statusMessage, "panic:ask");
  assert.match(panic?.text ?? "", /^🛑 <b>Panic\?<\/b>/);
  assert.deepEqual(
    control.calls,
    [["setEntriesEnabled", false, "telegram:111"]],
    "panic still needs its Yes",
  );
});

test("a chat not configured → no answer at all, and the attempt is logged", async () => {
  control.calls.length = 0;
  const [question] = await ask("/panic");
  assert.ok(question);
  api.sendUserMessage(STRANGER, "/status");
  api.sendUserMessage(STRANGER, "/disable");
  api.pressButton(STRANGER, question, answers(question).yes);
  const answeredBefore = api.answeredCallbacks.length;
  // Updates are handled in order: once this answer is out, the stranger's were handled too.
  await ask("/help");
  assert.deepEqual(api.sentTo(STRANGER), []);
  assert.equal(api.answeredCallbacks.length, answeredBefore);
  assert.deepEqual(control.calls, []);
  assert.deepEqual(
    lines.filter((l) => l.includes(String(STRANGER))),
    [
      "telegram: ignored command /status from chat 999 (not in telegram_chat_id)",
      "telegram: ignored command /disable from chat 999 (not in telegram_chat_id)",
      "telegram: ignored a button press from chat 999 (not in telegram_chat_id)",
    ],
  );
});

test("an unknown command or plain text → a pointer to /help", async () => {
  assert.equal((await ask("/frobnicate"))[0]?.text, "Unknown command. /help lists what I can do.");
  assert.equal((await ask("hello"))[0]?.text, "Unknown command. /help lists what I can do.");
});
