/*
 * The Notifier of the service: renders a notification and queues it in the database outbox,
 * once per configured chat (each chat its own outbox channel, so a chat that cannot be
 * reached never holds back the others). The delivery worker sends it. Without a bot token (or
 * without a chat) the text goes to the log instead.
 */

import type { Config } from "../../config/schema.js";
import { NOTIFICATION_SWITCH, type Notification, type Notifier } from "../../ports/notifier.js";
import type { OutboxRepository } from "../sqlite/outbox-repo.js";
import { TELEGRAM_CHANNEL_PREFIX, type TelegramPayload } from "./delivery-worker.js";
import { esc, splitMessage, toPlainText } from "./html.js";
import { dedupeKeyOf, renderNotification } from "./render.js";

export interface OutboxNotifierDeps {
  outbox: Pick<OutboxRepository, "enqueue">;
  /** Runs `fn` in one database transaction (Store.transaction): a message's parts queue together. */
  transaction: <T>(fn: () => T) => T;
  /** Where messages go; empty: to the log. */
  chatIds: readonly string[];
  /** False without a bot token: to the log. */
  telegramEnabled: boolean;
  switches: Config["notifications"];
  log: (line: string) => void;
  /** Shown before every message when not trading for real ("PAPER", "SIM"); null for none. */
  label?: string | null;
  /** Told after something was queued (the delivery worker's kick). */
  onQueued?: () => void;
}

/** Queues notifications for Telegram (or logs them); never throws. */
export class OutboxNotifier implements Notifier {
  constructor(private readonly d: OutboxNotifierDeps) {}

  notify(n: Notification): void {
    try {
      if (!this.d.switches[NOTIFICATION_SWITCH[n.kind]]) return;
      const text = this.d.label ? `[${esc(this.d.label)}] ${renderNotification(n)}` : renderNotification(n);
      if (!this.d.telegramEnabled || this.d.chatIds.length === 0) {
        this.d.log(`notification: ${toPlainText(text)}`);
        return;
      }
      const key = dedupeKeyOf(n);
      const parts = splitMessage(text);
      const queued = this.d.transaction(() => {
        let any = false;
        for (const chatId of this.d.chatIds) {
          parts.forEach((part, i) => {
            const payload: TelegramPayload = { chatId, text: part, kind: n.kind };
            const added = this.d.outbox.enqueue({
              dedupeKey: `${key}${i === 0 ? "" : `#${i + 1}`}@${chatId}`,
              channel: `${TELEGRAM_CHANNEL_PREFIX}${chatId}`,
              payload: JSON.stringify(payload),
            });
            any ||= added;
          });
        }
        return any;
      });
      if (queued) this.d.onQueued?.();
    } catch (e) {
      // The message is lost, never the trade: say so where the operator looks.
      this.d.log(`notification ${n.kind} could not be queued (${(e as Error).message ?? e})`);
    }
  }
}
