/*
 * Telegram put together for `pivot start`: the notifier the engine calls, the worker that
 * delivers the outbox, and the bot that takes commands. Without `telegram_token` only the
 * notifier exists and it writes to the log; without an engine view (no EngineView yet) the
 * bot is left out and notifications still go.
 */

import type { Config } from "../../config/schema.js";
import type { EngineView, LoginPort } from "../../ports/app.js";
import type { Clock } from "../../ports/clock.js";
import type { Notifier } from "../../ports/notifier.js";
import type { SetTimer } from "../../ports/timer.js";
import type { Store } from "../sqlite/store.js";
import type { TelegramBot } from "./bot.js";
import { parseChatIds } from "./chat-ids.js";
import { OutboxDeliveryWorker } from "./delivery-worker.js";
import { BotApiSender, type MessageSender } from "./message-sender.js";
import { OutboxNotifier } from "./outbox-notifier.js";

export interface TelegramDeps {
  config: Config;
  store: Store;
  clock: Clock;
  setTimer: SetTimer;
  log: (line: string) => void;
  /** The engine, for the bot's commands; null: no bot (notifications only). */
  engine: EngineView | null;
  /** Starts a Kite login for /login (LoginFlow fits). */
  login: Pick<LoginPort, "start"> | null;
  /** "PAPER", "SIM": shown before every notification; null when trading for real. */
  label?: string | null;
  /** Replaces the Bot API sender (tests). */
  sender?: MessageSender;
  /**
   * Longest wait of stop() (default 3 s): the service must exit within seconds. A send cut
   * short stays SENDING and becomes UNCERTAIN at the next start (never sent twice).
   */
  stopWaitMs?: number;
}

/** Telegram for the service. */
export interface Telegram {
  notifier: Notifier;
  /** Null without a bot token. */
  worker: OutboxDeliveryWorker | null;
  /** Null without a bot token, a chat id or an engine view. */
  bot: TelegramBot | null;
  /** Starts delivering and polling (in the background; never throws). */
  start(): void;
  /** Stops both; resolves when done, or after `stopWaitMs` at the latest. */
  stop(): Promise<void>;
}

/** Builds the notifier, the delivery worker and the bot from the configuration. */
export function createTelegram(d: TelegramDeps): Telegram {
  const token = d.config.telegram_token;
  const chatIds = parseChatIds(d.config.telegram_chat_id);
  const t = d.config.telegram;
  const worker =
    token === ""
      ? null
      : new OutboxDeliveryWorker({
          outbox: d.store.outbox,
          sender:
            d.sender ??
            new BotApiSender({
              token,
              apiRoot: t.api_root,
              timeoutMs: t.send_timeout_seconds * 1000,
              setTimer: d.setTimer,
            }),
          clock: d.clock,
          setTimer: d.setTimer,
          log: d.log,
        });
  const notifier = new OutboxNotifier({
    outbox: d.store.outbox,
    transaction: (fn) => d.store.transaction(fn),
    chatIds,
    telegramEnabled: token !== "",
    switches: d.config.notifications,
    log: d.log,
    label: d.label ?? null,
    onQueued: () => worker?.kick(),
  });
  // The bot (grammY) is loaded only when it will run: without a token it would cost memory for nothing.
  const makeBot = (createTelegramBot: typeof import("./bot.js").createTelegramBot) =>
    token !== "" && chatIds.length > 0 && d.engine !== null
      ? createTelegramBot({
          token,
          chatIds,
          apiRoot: t.api_root,
          pollingTimeoutSeconds: t.polling_timeout_seconds,
          engine: d.engine,
          store: d.store,
          login: d.login ?? {
            start: () => {
              throw new Error("no Kite login is configured in this mode");
            },
          },
          config: d.config,
          clock: d.clock,
          log: d.log,
        })
      : null;
  let bot: TelegramBot | null = null;
  let botStarting: Promise<void> | null = null;
  if (token === "") d.log("telegram: no telegram_token: notifications go to the log");
  else if (chatIds.length === 0)
    d.log("telegram: no telegram_chat_id: notifications go to the log, no commands");
  return {
    notifier,
    worker,
    get bot() {
      return bot;
    },
    start() {
      worker?.start();
      if (token === "" || chatIds.length === 0 || d.engine === null) return;
      botStarting = import("./bot.js").then(
        (m) => {
          bot = makeBot(m.createTelegramBot);
          void bot?.start();
        },
        (e: unknown) => d.log(`telegram: the bot could not be loaded: ${String(e)}`),
      );
    },
    async stop() {
      let cancel = () => {};
      const deadline = new Promise<void>((resolve) => {
        cancel = d.setTimer(d.stopWaitMs ?? 3000, () => {
          d.log("telegram: stopped without waiting for the send or poll in flight");
          resolve();
        });
      });
      await botStarting;
      await Promise.race([Promise.all([worker?.stop(), bot?.stop()]), deadline]);
      cancel();
    },
  };
}
