import type { PostbackAcceptance, PostbackSink } from "../ports/app.js";
import type { OrderUpdate } from "../ports/broker.js";
import type { RecordedPostback } from "../ports/store-records.js";

/*
 * Where POST /postback hands a verified update. The checksum covers only the order id and
 * timestamp, so what the body says is not yet believed: the body is stored (postback_bodies:
 * once per distinct body, a repeat only counted, its raw text capped) and its order handed to
 * the confirmer, which reads the broker's order history after the answer, off the request
 * path, and gives the order manager only what the history shows (postback-confirmer.ts).
 * The answer "200" means "stored", so each `accept` resolves only after the transaction
 * holding its body committed.
 *
 * Group commit: bodies accepted in the same turn of the event loop (every request the server
 * read in one I/O poll) are written in one transaction, flushed by `setImmediate` right after
 * that poll. A commit costs more than the inserts it holds (WAL frames written, locks, system
 * calls), so under load one commit serves many requests, and alone a body waits no longer
 * than the rest of its own turn. If the batch's transaction fails, each of its bodies is tried
 * again alone, so one body the database refuses does not cost the others their answer; those
 * that still fail reject, and the route answers them 503 (the order book is polled as well, so
 * a lost postback is learned later; Kite does not send it again).
 */

/** What the sink needs of the store: the group commit of bodies (PostbackBodiesRepository fits). */
export interface PostbackRecorder {
  recordArrivals(updates: readonly OrderUpdate[]): RecordedPostback[];
}

/** Told of each new body's order after its commit (PostbackConfirmer fits). */
export interface ClaimConfirmer {
  enqueue(orderId: string): void;
}

export interface EnginePostbackSinkDeps {
  bodies: PostbackRecorder;
  confirmer: ClaimConfirmer;
  /** Runs the flush after the current I/O poll; default setImmediate. Tests flush by hand. */
  defer?: (flush: () => void) => void;
}

interface Waiting {
  update: OrderUpdate;
  resolve: (outcome: PostbackAcceptance) => void;
  reject: (error: Error) => void;
}

/**
 * The engine's PostbackSink. In `pivot start` (live mode), over the order manager's Store:
 *   const bodies = store.postbackBodies;
 *   const confirmer = new PostbackConfirmer({ history: kiteBroker, claims: bodies, orders, onUnconfirmed });
 *   new EnginePostbackSink({ bodies, confirmer })
 */
export class EnginePostbackSink implements PostbackSink {
  private readonly bodies: PostbackRecorder;
  private readonly confirmer: ClaimConfirmer;
  private readonly defer: (flush: () => void) => void;
  private waiting: Waiting[] = [];

  constructor(deps: EnginePostbackSinkDeps) {
    this.bodies = deps.bodies;
    this.confirmer = deps.confirmer;
    this.defer = deps.defer ?? setImmediate;
  }

  /** Bodies accepted and not yet committed (the size of the next group commit). */
  get pending(): number {
    return this.waiting.length;
  }

  /**
   * Stores a verified postback; resolves once it is committed: "pending" (a new body, to be
   * confirmed from the order book before anything applies it), "duplicate" (this very body
   * arrived before: counted, nothing else), "ignored" (an update the engine cannot read: an
   * unknown order type or side, or quantities and prices no order can have; not stored).
   * Rejects when it could not be stored.
   */
  accept(update: OrderUpdate | null): Promise<PostbackAcceptance> {
    if (!update || !storable(update)) return Promise.resolve("ignored");
    return new Promise<PostbackAcceptance>((resolve, reject) => {
      this.waiting.push({ update, resolve, reject });
      if (this.waiting.length === 1) this.defer(() => this.flush());
    });
  }

  /** Commits what is waiting, answers each, then has the new bodies confirmed. */
  private flush(): void {
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 0) return;
    const results = this.record(batch.map((w) => w.update));
    batch.forEach((w, i) => {
      const r = results[i];
      if (r === undefined || r instanceof Error) {
        w.reject(r ?? new Error("the postback was not stored"));
        return;
      }
      w.resolve(r.isNewBody ? "pending" : "duplicate");
      if (r.isNewBody) this.confirmer.enqueue(w.update.orderId);
    });
  }

  /** The batch in one transaction; if that fails, each body alone. Never throws. */
  private record(updates: OrderUpdate[]): Array<RecordedPostback | Error> {
    try {
      return this.bodies.recordArrivals(updates);
    } catch (e) {
      if (updates.length === 1) return [errorOf(e)];
    }
    return updates.map((u) => {
      try {
        return this.bodies.recordArrivals([u])[0] ?? new Error("the postback was not stored");
      } catch (e) {
        return errorOf(e);
      }
    });
  }
}

/**
 * Quantities are whole and not negative, prices finite: what the tables hold. The checksum
 * covers only the order id and timestamp, so the rest of a verified body may still be
 * nonsense, which must be ignored like any unreadable update rather than fail its batch.
 */
function storable(u: OrderUpdate): boolean {
  const count = (n: number) => Number.isSafeInteger(n) && n >= 0;
  return (
    count(u.quantity) &&
    count(u.filledQuantity) &&
    count(u.pendingQuantity) &&
    Number.isFinite(u.price) &&
    Number.isFinite(u.triggerPrice) &&
    Number.isFinite(u.averagePrice)
  );
}

function errorOf(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
