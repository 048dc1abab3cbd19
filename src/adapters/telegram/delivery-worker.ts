/*
 * Delivers the Telegram outbox: per chat (one outbox channel each), oldest first, one message
 * at a time. A message that could not go out waits for its backoff (or Telegram's
 * retry_after) and holds back the ones after it, so the chat reads in order; through an outage
 * of hours they all wait in the database and go out once, in order, when Telegram answers
 * again. A send whose fate is unknown becomes UNCERTAIN and is never repeated.
 *
 * It never blocks trading: it runs on timers and network callbacks, and `kick()` (a new
 * message) only schedules a pass after the caller's synchronous work (and its transaction).
 */

import type { Clock } from "../../ports/clock.js";
import type { SetTimer } from "../../ports/timer.js";
import type { OutboxMessage, OutboxRepository } from "../sqlite/outbox-repo.js";
import type { MessageSender } from "./message-sender.js";

/** The outbox channel prefix of Telegram chats: `telegram:<chat id>`. */
export const TELEGRAM_CHANNEL_PREFIX = "telegram:";

/** What the outbox holds for one Telegram message. */
export interface TelegramPayload {
  chatId: string;
  text: string;
  /** The notification kind, for the log. */
  kind: string;
}

export interface DeliveryWorkerDeps {
  outbox: OutboxRepository;
  sender: MessageSender;
  clock: Clock;
  setTimer: SetTimer;
  log: (line: string) => void;
  /** Looks for messages at least this often even when nobody kicks (default 5 s). */
  idleCheckMs?: number;
}

/** Sends the outbox's Telegram messages; see the file comment. */
export class OutboxDeliveryWorker {
  private readonly idleCheckMs: number;
  private running = false;
  private pass: Promise<void> | null = null;
  private again = false;
  private cancelTimer: (() => void) | null = null;
  private kickPending = false;

  constructor(private readonly d: DeliveryWorkerDeps) {
    this.idleCheckMs = d.idleCheckMs ?? 5000;
  }

  /**
   * Starts delivering. Messages a stopped process left half-sent become UNCERTAIN first: they
   * may have gone out, so they are not sent again.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    const interrupted = this.d.outbox.recoverInterrupted(TELEGRAM_CHANNEL_PREFIX);
    if (interrupted > 0) {
      this.d.log(
        `telegram: ${interrupted} message(s) were being sent when the service stopped; not sent again (they may have arrived)`,
      );
    }
    this.wake();
  }

  /** Stops after the send in flight, if any (its outcome is recorded). */
  async stop(): Promise<void> {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = null;
    await this.pass;
  }

  /** A message was queued: deliver soon, after the caller's synchronous work. */
  kick(): void {
    if (!this.running || this.kickPending) return;
    this.kickPending = true;
    queueMicrotask(() => {
      this.kickPending = false;
      if (this.running) this.wake();
    });
  }

  /** Resolves when the pass under way (if any) and those it asked for are done. */
  async idle(): Promise<void> {
    while (this.pass) await this.pass;
  }

  /** Messages not known to be delivered: still to send, and uncertain (never resent). */
  backlog(): { waiting: number; uncertain: number } {
    return this.d.outbox.backlogCounts();
  }

  private wake(): void {
    if (!this.running) return;
    if (this.pass) {
      this.again = true;
      return;
    }
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.pass = this.deliverDue()
      .catch((e: unknown) => this.d.log(`telegram: delivery pass failed: ${(e as Error).message ?? e}`))
      .finally(() => {
        this.pass = null;
        if (!this.running) return;
        if (this.again) {
          this.again = false;
          this.wake();
        } else {
          this.scheduleNext();
        }
      });
  }

  /** Sends every message due now, chat by chat, in order; a chat stops at its first failure. */
  private async deliverDue(): Promise<void> {
    for (const channel of this.d.outbox.waitingChannels(TELEGRAM_CHANNEL_PREFIX)) {
      for (let m = this.d.outbox.nextDue(channel); m && this.running; m = this.d.outbox.nextDue(channel)) {
        if (!this.d.outbox.claim(m.id)) break;
        if (!(await this.deliver(m))) break;
      }
      if (!this.running) return;
    }
  }

  /** Sends one claimed message and records the outcome; false when the chat must wait. */
  private async deliver(m: OutboxMessage): Promise<boolean> {
    const payload = parsePayload(m.payload);
    if (payload === null) {
      this.d.outbox.markUncertain(m.id, "unreadable payload: not sent");
      this.d.log(`telegram: message ${m.id} has an unreadable payload; skipped`);
      return true;
    }
    const outcome = await this.d.sender.send(payload.chatId, payload.text);
    switch (outcome.kind) {
      case "sent":
        this.d.outbox.markSent(m.id);
        return true;
      case "uncertain":
        this.d.outbox.markUncertain(m.id, outcome.error);
        this.d.log(
          `telegram: ${payload.kind} message ${m.id} to chat ${payload.chatId} may or may not have arrived (${outcome.error}); not sent again`,
        );
        return true;
      case "refused":
        this.d.outbox.markUncertain(m.id, `refused: ${outcome.error}`);
        this.d.log(
          `telegram: ${payload.kind} message ${m.id} refused by Telegram (${outcome.error}); dropped`,
        );
        return true;
      case "retry": {
        this.d.outbox.markFailed(m.id, outcome.error, outcome.retryAfterMs);
        const next = this.d.outbox.byId(m.id);
        const waitS = next ? Math.max(0, Math.round((next.nextAttemptAtMs - this.d.clock.now()) / 1000)) : 0;
        this.d.log(
          `telegram: message ${m.id} not sent (${outcome.error}); attempt ${next?.attempts ?? "?"}, next in ${waitS} s`,
        );
        return false;
      }
    }
  }

  /** Sleeps until the earliest retry is due, or the idle check, whichever is sooner. */
  private scheduleNext(): void {
    const now = this.d.clock.now();
    let wait = this.idleCheckMs;
    for (const channel of this.d.outbox.waitingChannels(TELEGRAM_CHANNEL_PREFIX)) {
      const head = this.d.outbox.head(channel);
      if (head?.status === "PENDING") wait = Math.min(wait, Math.max(0, head.nextAttemptAtMs - now));
    }
    this.cancelTimer = this.d.setTimer(wait, () => {
      this.cancelTimer = null;
      this.wake();
    });
  }
}

function parsePayload(text: string): TelegramPayload | null {
  try {
    const p = JSON.parse(text) as Partial<TelegramPayload>;
    if (typeof p.chatId !== "string" || typeof p.text !== "string") return null;
    return { chatId: p.chatId, text: p.text, kind: typeof p.kind === "string" ? p.kind : "notification" };
  } catch {
    return null;
  }
}
