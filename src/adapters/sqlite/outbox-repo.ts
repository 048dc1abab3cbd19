import type { Statement } from "better-sqlite3";
import type { Clock } from "../../ports/clock.js";
import type { Db } from "./database.js";

/**
 * PENDING: to send (now or at `nextAttemptAtMs`). SENDING: claimed by a sender. SENT: done.
 * UNCERTAIN: not known to be delivered and never tried again: a send was under way when the
 * process stopped, or got no answer, so it may have gone out (never twice); or the service
 * refused it for good (`lastError` says which). It shows in the backlog for the operator.
 */
export type OutboxStatus = "PENDING" | "SENDING" | "SENT" | "UNCERTAIN";

export interface OutboxMessage {
  id: number;
  dedupeKey: string;
  channel: string;
  payload: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAtMs: number;
  lastError: string | null;
  createdAtMs: number;
  sentAtMs: number | null;
}

/** The wait before attempt `attempts + 1` after `attempts` failures: 1 s doubling, at most 5 minutes. */
export function outboxBackoffMs(attempts: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempts - 1), 5 * 60_000);
}

/**
 * The notification outbox: messages are enqueued in the same transaction as the change they
 * tell of, and delivered per channel in order (a message waiting for its retry holds back the
 * ones after it), retried with backoff, and never sent twice: a sender claims a message
 * (`claim`) before sending it and marks it sent (`markSent`) after.
 */
export class OutboxRepository {
  private readonly enqueueStmt: Statement;
  private readonly headStmt: Statement;
  private readonly claimStmt: Statement;
  private readonly sentStmt: Statement;
  private readonly failedStmt: Statement;
  private readonly interruptedStmt: Statement;
  private readonly backlogStmt: Statement;
  private readonly byIdStmt: Statement;
  private readonly byKeyStmt: Statement;
  private readonly uncertainStmt: Statement;
  private readonly interruptedInStmt: Statement;
  private readonly channelsStmt: Statement;
  private readonly countsStmt: Statement;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    this.enqueueStmt = db.prepare(
      `INSERT INTO notification_outbox (dedupe_key, channel, payload, status, next_attempt_at_ms, created_at_ms)
       VALUES (?, ?, ?, 'PENDING', ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
    );
    this.headStmt = db.prepare(
      `SELECT * FROM notification_outbox WHERE channel = ? AND status IN ('PENDING', 'SENDING') ORDER BY id LIMIT 1`,
    );
    this.claimStmt = db.prepare(
      "UPDATE notification_outbox SET status = 'SENDING' WHERE id = ? AND status = 'PENDING' AND next_attempt_at_ms <= ?",
    );
    this.sentStmt = db.prepare(
      `UPDATE notification_outbox SET status = 'SENT', sent_at_ms = ?, attempts = attempts + 1, last_error = NULL
       WHERE id = ? AND status = 'SENDING'`,
    );
    this.failedStmt = db.prepare(
      `UPDATE notification_outbox SET status = 'PENDING', attempts = attempts + 1, last_error = @error,
         next_attempt_at_ms = @now + @delay
       WHERE id = @id AND status = 'SENDING'`,
    );
    this.interruptedStmt = db.prepare(
      "UPDATE notification_outbox SET status = 'UNCERTAIN' WHERE status = 'SENDING'",
    );
    this.backlogStmt = db.prepare(
      "SELECT count(*) AS n FROM notification_outbox WHERE status IN ('PENDING', 'SENDING', 'UNCERTAIN')",
    );
    this.uncertainStmt = db.prepare(
      `UPDATE notification_outbox SET status = 'UNCERTAIN', attempts = attempts + 1, last_error = ?
       WHERE id = ? AND status = 'SENDING'`,
    );
    this.interruptedInStmt = db.prepare(
      "UPDATE notification_outbox SET status = 'UNCERTAIN' WHERE status = 'SENDING' AND substr(channel, 1, length(@prefix)) = @prefix",
    );
    this.channelsStmt = db.prepare(
      `SELECT DISTINCT channel FROM notification_outbox
       WHERE status IN ('PENDING', 'SENDING') AND substr(channel, 1, length(@prefix)) = @prefix ORDER BY channel`,
    );
    this.countsStmt = db.prepare(
      `SELECT count(*) FILTER (WHERE status IN ('PENDING', 'SENDING')) AS waiting,
         count(*) FILTER (WHERE status = 'UNCERTAIN') AS uncertain FROM notification_outbox`,
    );
    this.byIdStmt = db.prepare("SELECT * FROM notification_outbox WHERE id = ?");
    this.byKeyStmt = db.prepare("SELECT * FROM notification_outbox WHERE dedupe_key = ?");
  }

  /** Queues a message; false (and nothing queued) when a message with this dedupe key exists. */
  enqueue(message: { dedupeKey: string; channel: string; payload: string }): boolean {
    const now = this.clock.now();
    return this.enqueueStmt.run(message.dedupeKey, message.channel, message.payload, now, now).changes > 0;
  }

  /**
   * The channel's next message if it is due now: the oldest one not yet sent. Null when there
   * is none, when it waits for its retry time, or when it is being sent.
   */
  nextDue(channel: string): OutboxMessage | null {
    const head = this.headStmt.get(channel);
    if (head === undefined) return null;
    const m = toMessage(head);
    return m.status === "PENDING" && m.nextAttemptAtMs <= this.clock.now() ? m : null;
  }

  /** The channel's oldest message not yet sent (PENDING or SENDING), due or not; null when none. */
  head(channel: string): OutboxMessage | null {
    const head = this.headStmt.get(channel);
    return head === undefined ? null : toMessage(head);
  }

  /** Channels starting with `prefix` that hold messages not yet sent, in name order. */
  waitingChannels(prefix: string): string[] {
    return (this.channelsStmt.all({ prefix }) as Array<{ channel: string }>).map((r) => r.channel);
  }

  /** Claims a due message for sending (PENDING → SENDING); false when it is not due or someone has it. */
  claim(id: number): boolean {
    return this.claimStmt.run(id, this.clock.now()).changes > 0;
  }

  /** Marks a claimed message sent; true only the first time (exactly once). */
  markSent(id: number): boolean {
    return this.sentStmt.run(this.clock.now(), id).changes > 0;
  }

  /**
   * Marks a claimed message failed: it is due again after the backoff of its attempts (see
   * `outboxBackoffMs`), or after `retryAfterMs` when the service said how long to wait.
   */
  markFailed(id: number, error: string, retryAfterMs: number | null = null): boolean {
    const row = this.byIdStmt.get(id);
    if (row === undefined) return false;
    const attempts = toMessage(row).attempts + 1;
    return (
      this.failedStmt.run({
        id,
        error,
        now: this.clock.now(),
        delay: retryAfterMs ?? outboxBackoffMs(attempts),
      }).changes > 0
    );
  }

  /**
   * Marks a claimed message UNCERTAIN: its send got no answer (it may have gone out), or the
   * service refused it for good. It is never sent again and no longer holds back the channel.
   */
  markUncertain(id: number, error: string): boolean {
    return this.uncertainStmt.run(error, id).changes > 0;
  }

  /**
   * At start-up: messages left SENDING by a stopped process may have gone out, so they become
   * UNCERTAIN rather than being sent again. With `channelPrefix`, only the channels of one
   * sender (another sender may be at work on its own). Returns how many.
   */
  recoverInterrupted(channelPrefix?: string): number {
    return channelPrefix === undefined
      ? this.interruptedStmt.run().changes
      : this.interruptedInStmt.run({ prefix: channelPrefix }).changes;
  }

  /** Messages not known to be delivered (pending, being sent, uncertain). */
  backlog(): number {
    return (this.backlogStmt.get() as { n: number }).n;
  }

  /** The backlog in two parts: still to send (pending or being sent), and uncertain (never resent). */
  backlogCounts(): { waiting: number; uncertain: number } {
    return this.countsStmt.get() as { waiting: number; uncertain: number };
  }

  byId(id: number): OutboxMessage | null {
    const r = this.byIdStmt.get(id);
    return r === undefined ? null : toMessage(r);
  }

  byDedupeKey(key: string): OutboxMessage | null {
    const r = this.byKeyStmt.get(key);
    return r === undefined ? null : toMessage(r);
  }
}

function toMessage(row: unknown): OutboxMessage {
  const r = row as Record<string, unknown>;
  return {
    id: r.id as number,
    dedupeKey: r.dedupe_key as string,
    channel: r.channel as string,
    payload: r.payload as string,
    status: r.status as OutboxStatus,
    attempts: r.attempts as number,
    nextAttemptAtMs: r.next_attempt_at_ms as number,
    lastError: (r.last_error as string | null) ?? null,
    createdAtMs: r.created_at_ms as number,
    sentAtMs: (r.sent_at_ms as number | null) ?? null,
  };
}
