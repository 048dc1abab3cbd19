import { after } from "node:test";
import { Store } from "../../../src/adapters/sqlite/store.js";
import { OutboxDeliveryWorker } from "../../../src/adapters/telegram/delivery-worker.js";
import { BotApiSender } from "../../../src/adapters/telegram/message-sender.js";
import { OutboxNotifier } from "../../../src/adapters/telegram/outbox-notifier.js";
import { defaultConfig } from "../../../src/config/load.js";
import type { Config } from "../../../src/config/schema.js";
import { ManualClock } from "../../../src/ports/clock.js";
import { FakeBotApi } from "../../support/fake-bot-api.js";
import { HandTimers } from "../../support/hand-timers.js";
import { NOW } from "./fixtures.js";

/** The send timeout of the harness's sender. */
export const SEND_TIMEOUT_MS = 20_000;

/**
 * A notifier and a delivery worker over an in-memory store and the fake Bot API, driven by a
 * manual clock and hand-fired timers: time only moves when the test says so.
 */
export async function deliveryHarness(
  options: { chatIds?: string[]; switches?: Partial<Config["notifications"]>; label?: string | null } = {},
) {
  const clock = new ManualClock(NOW);
  const timers = new HandTimers(clock);
  const store = Store.open(":memory:", { clock });
  const api = new FakeBotApi();
  await api.start();
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  const sender = new BotApiSender({
    token: api.token,
    apiRoot: api.apiRoot,
    timeoutMs: SEND_TIMEOUT_MS,
    setTimer: timers.setTimer,
  });
  const worker = new OutboxDeliveryWorker({
    outbox: store.outbox,
    sender,
    clock,
    setTimer: timers.setTimer,
    log,
  });
  const notifier = new OutboxNotifier({
    outbox: store.outbox,
    transaction: (fn) => store.transaction(fn),
    chatIds: options.chatIds ?? ["111"],
    telegramEnabled: true,
    switches: { ...defaultConfig().notifications, ...options.switches },
    log,
    label: options.label ?? null,
    onQueued: () => worker.kick(),
  });
  after(async () => {
    await worker.stop();
    await api.close();
    store.close();
  });
  /** Lets the worker run what is due now, to the end (microtasks, then its pass). */
  const settle = async () => {
    await Promise.resolve();
    await worker.idle();
  };
  /** Moves the clock, fires the timers due, and lets the worker finish. */
  const advance = async (ms: number) => {
    clock.advance(ms);
    timers.fireDue();
    await settle();
  };
  return { clock, timers, store, api, lines, sender, worker, notifier, settle, advance };
}
