/*
 * The Telegram bot: the trader's remote control (grammY, long polling). Only the configured
 * chats may command it; anything else gets no answer and is logged. Control actions go
 * through the engine's ControlPort with the actor `telegram:<chat id>` (the port audits them).
 *
 * Command answers are sent straight back, not through the outbox: they answer a command that
 * arrived over the same connection a moment before, and an answer delivered hours later
 * would mislead. Notifications (the service speaking first) go through the outbox.
 */

import { Bot, type Context, InlineKeyboard } from "grammy";
import type { Config } from "../../config/schema.js";
import { asRealisedTrade, closedTrades } from "../../domain/fill-summary.js";
import { summarize } from "../../domain/summary.js";
import type { StoredTrade, Trade } from "../../domain/trade.js";
import type { EngineView, LoginPort, StatusSnapshot } from "../../ports/app.js";
import type { Clock } from "../../ports/clock.js";
import type { Store } from "../sqlite/store.js";
import {
  BUTTON,
  healthReply,
  helpReply,
  loginReply,
  panicQuestion,
  type Reply,
  remindersReply,
  resumeQuestion,
  statusReply,
  summaryReply,
  tradesReply,
} from "./bot-replies.js";
import { configLines } from "./config-view.js";
import { type ConfirmedAction, PendingConfirmations } from "./confirmations.js";
import { esc, splitMessage } from "./html.js";
import { type RetryableSend, sendOnceAfterRateLimit } from "./reply-retry.js";

/** The commands, as the phone's command menu lists them. */
const COMMANDS: ReadonlyArray<{ command: string; description: string }> = [
  { command: "status", description: "The day at a glance" },
  { command: "health", description: "CPU, memory, disk, uptime" },
  { command: "trades", description: "Today's trades" },
  { command: "summary", description: "Today and this month" },
  { command: "enable", description: "Allow new entries" },
  { command: "disable", description: "Stop new entries" },
  { command: "panic", description: "Close everything (asks first)" },
  { command: "resume", description: "Clear a panic (asks first)" },
  { command: "setlots", description: "Lots per trade: /setlots N" },
  { command: "reminders", description: "Things to act on soon" },
  { command: "login", description: "The Kite login link" },
  { command: "config", description: "The configuration, secrets hidden" },
  { command: "help", description: "What the bot can do" },
];

export interface TelegramBotDeps {
  token: string;
  /** Chats allowed to command (telegram_chat_id). */
  chatIds: readonly string[];
  /** telegram.api_root. */
  apiRoot: string;
  /** telegram.polling_timeout_seconds. */
  pollingTimeoutSeconds: number;
  engine: EngineView;
  store: Pick<Store, "trades" | "dailySummary" | "outbox">;
  /** Starts a Kite login (LoginFlow fits). */
  login: Pick<LoginPort, "start">;
  config: Config;
  clock: Clock;
  log: (line: string) => void;
  /** Waits before a reply is sent again after a 429 (default: a real timer). */
  sleep?: (ms: number) => Promise<void>;
  /** Question ids of the confirmation step (default: random; tests give their own). */
  newQuestionId?: () => string;
}

/** The running bot. */
export interface TelegramBot {
  /**
   * Starts long polling in the background. Resolves once polling runs (or when it cannot: bad
   * token, stopped first); never rejects: problems go to the log. Telegram being unreachable
   * only delays it (grammY retries).
   */
  start(): Promise<void>;
  /** Stops polling (confirming the updates handled); resolves when it has stopped. */
  stop(): Promise<void>;
}

/** Builds the bot over its dependencies; see the file comment. */
export function createTelegramBot(d: TelegramBotDeps): TelegramBot {
  const allowed = new Set(d.chatIds);
  const bot = new Bot(d.token, {
    client: { apiRoot: d.apiRoot, timeoutSeconds: d.pollingTimeoutSeconds + 30 },
  });

  bot.use(async (ctx, next) => {
    const chatId = chatIdOf(ctx);
    if (chatId !== null && allowed.has(chatId)) return next();
    d.log(
      `telegram: ignored ${describeUpdate(ctx)} from chat ${chatId ?? "unknown"} (not in telegram_chat_id)`,
    );
  });

  const actor = (ctx: Context) => `telegram:${chatIdOf(ctx)}`;
  const status = () => d.engine.status();
  const confirmations = new PendingConfirmations(d.clock, d.newQuestionId);
  const retrying = <T>(what: string, call: RetryableSend<T>) =>
    sendOnceAfterRateLimit(what, call, { log: d.log, ...(d.sleep ? { sleep: d.sleep } : {}) });
  const send = async (ctx: Context, reply: Reply) => {
    const parts = splitMessage(reply.text);
    for (const [i, text] of parts.entries()) {
      const last = i === parts.length - 1;
      const sent = await retrying(`a reply to ${actor(ctx)}`, () =>
        ctx.reply(text, {
          parse_mode: "HTML",
          link_preview_options: { is_disabled: true },
          ...(last && reply.buttons ? { reply_markup: keyboard(reply.buttons) } : {}),
        }),
      );
      if (sent === null) return; // dropped (logged): the rest would read out of context
    }
  };
  const edit = (ctx: Context, text: string) =>
    retrying(`an edit for ${actor(ctx)}`, () => ctx.editMessageText(text, { parse_mode: "HTML" }));
  /** Opens a confirmation question for the chat of `ctx` and sends it. */
  const ask = (ctx: Context, action: ConfirmedAction) => {
    const id = confirmations.ask(chatIdOf(ctx) ?? "", action);
    return send(ctx, action === "panic" ? panicQuestion(id) : resumeQuestion(id));
  };
  /** Runs a control action; its failure is told to the trader, never thrown. */
  const act = async (ctx: Context, what: string, action: () => void, done: string) => {
    try {
      action();
      d.log(`telegram: ${what} by ${actor(ctx)}`);
      await send(ctx, { text: done });
    } catch (e) {
      d.log(`telegram: ${what} by ${actor(ctx)} failed: ${(e as Error).message}`);
      await send(ctx, { text: `❌ ${esc(what)} failed: ${esc((e as Error).message)}` });
    }
  };
  const enable = (ctx: Context) =>
    act(
      ctx,
      "enable entries",
      () => d.engine.control.setEntriesEnabled(true, actor(ctx)),
      "▶️ New entries enabled.",
    );
  const disable = (ctx: Context) =>
    act(
      ctx,
      "disable entries",
      () => d.engine.control.setEntriesEnabled(false, actor(ctx)),
      "⏸ New entries disabled. An open position is still managed (stop, target, exits).",
    );

  bot.command(["start", "help"], (ctx) => send(ctx, helpReply(status())));
  bot.command("status", (ctx) => send(ctx, statusReply(status())));
  bot.command("health", (ctx) => send(ctx, healthReply(status())));
  bot.command("trades", (ctx) => send(ctx, tradesOf(status())));
  bot.command("summary", (ctx) => send(ctx, summaryOf(status())));
  bot.command("reminders", (ctx) => send(ctx, remindersReply(status(), d.store.outbox.backlogCounts())));
  bot.command("config", (ctx) =>
    send(ctx, { text: ["⚙️ <b>Configuration</b> (secrets hidden)", ...configLines(d.config)].join("\n") }),
  );
  bot.command("enable", enable);
  bot.command("disable", disable);
  bot.command("panic", (ctx) => ask(ctx, "panic"));
  bot.command("resume", (ctx) => askResume(ctx));
  bot.command("setlots", (ctx) => setLots(ctx, ctx.match));
  bot.command("login", async (ctx) => {
    let url: string;
    try {
      url = d.login.start().url;
    } catch (e) {
      d.log(`telegram: /login failed: ${(e as Error).message}`);
      return send(ctx, { text: `❌ Cannot start a login: ${esc((e as Error).message)}` });
    }
    d.log(`telegram: login link sent to ${actor(ctx)}`);
    return send(ctx, loginReply(status(), url));
  });

  bot.callbackQuery(BUTTON.enable, async (ctx) => {
    await ctx.answerCallbackQuery();
    await enable(ctx);
  });
  bot.callbackQuery(BUTTON.disable, async (ctx) => {
    await ctx.answerCallbackQuery();
    await disable(ctx);
  });
  bot.callbackQuery(BUTTON.health, async (ctx) => {
    await ctx.answerCallbackQuery();
    await send(ctx, healthReply(status()));
  });
  bot.callbackQuery(BUTTON.trades, async (ctx) => {
    await ctx.answerCallbackQuery();
    await send(ctx, tradesOf(status()));
  });
  bot.callbackQuery(BUTTON.status, async (ctx) => {
    await ctx.answerCallbackQuery();
    await send(ctx, statusReply(status()));
  });
  bot.callbackQuery(BUTTON.panicAsk, async (ctx) => {
    await ctx.answerCallbackQuery();
    await ask(ctx, "panic");
  });
  bot.callbackQuery(BUTTON.resumeAsk, async (ctx) => {
    await ctx.answerCallbackQuery();
    await askResume(ctx);
  });
  bot.callbackQuery(new RegExp(`^(${BUTTON.panicNo}|${BUTTON.resumeNo}):([\\w-]+)$`), async (ctx) => {
    if (!confirmations.cancel(ctx.match?.[2] ?? "", chatIdOf(ctx) ?? "")) {
      await invalidButton(ctx);
      return;
    }
    await ctx.answerCallbackQuery({ text: "Cancelled" });
    const what = ctx.match?.[1] === BUTTON.panicNo ? "Panic" : "Clearing the panic";
    await edit(ctx, `${what} cancelled: nothing was done.`);
  });
  bot.callbackQuery(new RegExp(`^${BUTTON.panicYes}:([\\w-]+)$`), (ctx) =>
    confirmed(ctx, "panic", async () => {
      d.engine.control.panic(actor(ctx));
      d.log(`telegram: PANIC by ${actor(ctx)}`);
      await edit(
        ctx,
        "🛑 <b>PANIC</b>: cancelling every order, exiting every position; new entries disabled.",
      );
    }),
  );
  bot.callbackQuery(new RegExp(`^${BUTTON.resumeYes}:([\\w-]+)$`), (ctx) =>
    confirmed(ctx, "resume", async () => {
      d.engine.control.clearPanic(actor(ctx));
      d.log(`telegram: panic cleared by ${actor(ctx)}`);
      await edit(ctx, "▶️ Panic cleared. New entries stay disabled until /enable.");
    }),
  );
  bot.on("callback_query:data", (ctx) => invalidButton(ctx));
  bot.on("message", (ctx) => send(ctx, { text: "Unknown command. /help lists what I can do." }));

  bot.catch((e) => d.log(`telegram: handling an update failed: ${e.message}`));

  /** /resume: asks only when there is a panic to clear. */
  async function askResume(ctx: Context): Promise<void> {
    if (!status().risk.panic) return send(ctx, { text: "There is no panic to clear." });
    return ask(ctx, "resume");
  }

  /** Runs `action` for a Yes press that the service's own question confirms; see confirmations.ts. */
  async function confirmed(ctx: Context, action: ConfirmedAction, act: () => Promise<void>): Promise<void> {
    const outcome = confirmations.confirm(ctx.match?.[1] ?? "", chatIdOf(ctx) ?? "", action);
    if (outcome === "unknown") {
      d.log(
        `telegram: ${action} button refused for ${actor(ctx)}: not a question of this chat, or already answered`,
      );
      await invalidButton(ctx);
      return;
    }
    if (outcome === "expired") {
      await ctx.answerCallbackQuery({ text: `Too late: send /${action} again` });
      await edit(ctx, `This question expired: nothing was done. Send /${action} again.`);
      return;
    }
    await ctx.answerCallbackQuery({ text: action === "panic" ? "Panic" : "Panic cleared" });
    try {
      await act();
    } catch (e) {
      d.log(`telegram: ${action} by ${actor(ctx)} failed: ${(e as Error).message}`);
      await send(ctx, {
        text: `❌ ${action === "panic" ? "Panic" : "Clearing the panic"} failed: ${esc((e as Error).message)}`,
      });
    }
  }

  async function setLots(ctx: Context, arg: string): Promise<void> {
    const max = status().risk.maxLots;
    const text = arg.trim();
    if (!/^\d+$/.test(text)) {
      return send(ctx, {
        text: esc(`Usage: /setlots N (a whole number from 1 to ${max}). Now: ${status().risk.lots}.`),
      });
    }
    const lots = Number(text);
    if (lots < 1 || lots > max) {
      return send(ctx, { text: esc(`❌ Lots must be from 1 to ${max}; found ${lots}. Nothing changed.`) });
    }
    return act(
      ctx,
      "set lots",
      () => d.engine.control.setLots(lots, actor(ctx)),
      esc(`Lots per trade: ${lots}, from the next entry. An open position keeps its quantity.`),
    );
  }

  function tradesOf(s: StatusSnapshot): Reply {
    return tradesReply(s.date, d.store.trades.byDate(s.date));
  }

  function summaryOf(s: StatusSnapshot): Reply {
    const month = s.date.slice(0, 7);
    const day = d.store.dailySummary.get(s.date) ?? summarize(closed(d.store.trades.byDate(s.date)));
    const monthTrades = closed(d.store.trades.byMonth(month));
    const monthDays = d.store.dailySummary.between(`${month}-01`, s.date);
    return summaryReply(s.date, day, month, summarize(monthTrades), monthDays);
  }

  let initAbort: AbortController | null = null;
  let polling: Promise<void> | null = null;
  return {
    start() {
      if (polling) return Promise.resolve();
      initAbort = new AbortController();
      const signal = initAbort.signal;
      return new Promise<void>((started) => {
        polling = (async () => {
          try {
            // grammY types its signal as its polyfill's; Node's AbortSignal is what it gets at run time.
            await bot.init(signal as unknown as Parameters<typeof bot.init>[0]);
            await bot.api.setMyCommands([...COMMANDS]).catch((e: Error) => {
              d.log(`telegram: the command menu was not set (${e.message})`);
            });
            if (signal.aborted) return;
            d.log(
              `telegram: bot @${bot.botInfo.username} polling for commands from ${d.chatIds.length} chat(s)`,
            );
            await bot.start({
              timeout: d.pollingTimeoutSeconds,
              allowed_updates: ["message", "callback_query"],
              onStart: () => started(),
            });
          } catch (e) {
            if (!signal.aborted) d.log(`telegram: the bot stopped: ${(e as Error).message}`);
          } finally {
            started();
          }
        })();
      });
    },
    async stop() {
      initAbort?.abort();
      if (bot.isRunning()) {
        await bot.stop().catch((e: Error) => d.log(`telegram: stopping the bot: ${e.message}`));
      }
      await polling;
      polling = null;
    },
  };
}

/** A press the service has no question for: answered (so the client stops waiting), nothing done. */
function invalidButton(ctx: Context): Promise<true> {
  return ctx.answerCallbackQuery({ text: "This button is no longer valid" });
}

/** The chat an update comes from (a button press: the chat of its message). */
function chatIdOf(ctx: Context): string | null {
  const id = ctx.chat?.id ?? ctx.callbackQuery?.message?.chat.id ?? null;
  return id === null ? null : String(id);
}

/** What an ignored update was, for the log (commands by name, no free text). */
function describeUpdate(ctx: Context): string {
  const text = ctx.message?.text;
  if (text !== undefined) {
    const command = /^\/\w+/.exec(text);
    return command ? `command ${command[0]}` : "a message";
  }
  if (ctx.callbackQuery) return "a button press";
  return "an update";
}

function keyboard(rows: ReadonlyArray<ReadonlyArray<[string, string]>>): InlineKeyboard {
  const k = new InlineKeyboard();
  rows.forEach((row, i) => {
    if (i > 0) k.row();
    for (const [label, data] of row) k.text(label, data);
  });
  return k;
}

/** The closed trades, their P&L from the broker's fills where known (domain/fill-summary.ts). */
function closed(trades: readonly StoredTrade[]): Trade[] {
  return closedTrades(trades).map(asRealisedTrade);
}
