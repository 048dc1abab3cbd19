/*
 * The confirmation step of the bot's dangerous commands (/panic, /resume). A button's callback
 * data comes back from the Telegram client as the client sends it, so it proves nothing by
 * itself: a time or a fixed word in it can be forged, and an old message's button pressed again.
 * The service therefore holds each question itself: a random single-use id, bound to the chat
 * that asked and to the action, valid for two minutes. A press is acted on only when the
 * service finds that id, unexpired, for that chat and action; finding it spends it.
 */

import { randomBytes } from "node:crypto";
import type { Clock } from "../../ports/clock.js";

/** How long a confirmation question stays valid. */
export const CONFIRM_MS = 2 * 60_000;

/** The actions that ask first. */
export type ConfirmedAction = "panic" | "resume";

/** What became of a press: act, say it expired, or ignore it (forged, replayed, another chat's). */
export type ConfirmationOutcome = "confirmed" | "expired" | "unknown";

interface Question {
  chatId: string;
  action: ConfirmedAction;
  expiresAtMs: number;
}

/** 96 random bits, URL-safe: unguessable, and short enough for a button's 64-byte data. */
function randomQuestionId(): string {
  return randomBytes(12).toString("base64url");
}

/** The open questions of this process (a restart forgets them: asking again is cheap). */
export class PendingConfirmations {
  private readonly questions = new Map<string, Question>();

  constructor(
    private readonly clock: Clock,
    private readonly newId: () => string = randomQuestionId,
    private readonly ttlMs: number = CONFIRM_MS,
  ) {}

  /** Opens a question for `chatId`; returns its id (for the buttons' data). */
  ask(chatId: string, action: ConfirmedAction): string {
    this.sweep();
    let id = this.newId();
    while (this.questions.has(id)) id = this.newId();
    this.questions.set(id, { chatId, action, expiresAtMs: this.clock.now() + this.ttlMs });
    return id;
  }

  /**
   * Answers a press of Yes. Confirmed (and spent) only for the chat that asked, for the same
   * action, within the time; an expired question is spent and reported as such; anything else
   * is unknown and changes nothing (another chat cannot spend or cancel someone's question).
   */
  confirm(id: string, chatId: string, action: ConfirmedAction): ConfirmationOutcome {
    const q = this.questions.get(id);
    if (!q || q.chatId !== chatId || q.action !== action) return "unknown";
    this.questions.delete(id);
    return this.clock.now() <= q.expiresAtMs ? "confirmed" : "expired";
  }

  /** Answers a press of Cancel: true when the chat's question was open (it is spent). */
  cancel(id: string, chatId: string): boolean {
    const q = this.questions.get(id);
    if (!q || q.chatId !== chatId) return false;
    this.questions.delete(id);
    return true;
  }

  /** Questions still held (expired ones included until swept). */
  get size(): number {
    return this.questions.size;
  }

  private sweep(): void {
    const now = this.clock.now();
    // Expired questions are kept a while longer so that a late press is told "expired", not ignored.
    for (const [id, q] of this.questions) if (now > q.expiresAtMs + this.ttlMs) this.questions.delete(id);
  }
}
