import { orderUpdateOf } from "../adapters/kite/kite-broker.js";
import type { PostbackUpdate } from "../adapters/kite/postback-verify.js";
import type { RecordedOrderUpdate, Store } from "../adapters/sqlite/store.js";
import type { OrderUpdate } from "../ports/broker.js";
import type { PostbackAcceptance, PostbackSink } from "../web/contract.js";

/*
 * Where POST /postback hands a verified update: recorded durably (order_events and its arrival,
 * applied to the order), then the order manager steps the trade. The answer "200" means
 * "stored", so each `accept` resolves only after the transaction holding its update committed.
 *
 * Group commit: updates accepted in the same turn of the event loop (every request the server
 * read in one I/O poll) are written in one transaction, flushed by `setImmediate` right after
 * that poll. A commit costs more than the inserts it holds (WAL frames written, locks, system
 * calls), so under load one commit serves many requests, and alone an update waits no longer
 * than the rest of its own turn. If the batch's transaction fails, each of its updates is tried
 * again alone, so one update the database refuses does not cost the others their answer; those
 * that still fail reject, and the route answers them 503 (the order book is polled as well, so
 * a lost postback is learned later; Kite does not send it again).
 *
 * One path to the order manager: the sink hands it the very update object it recorded, and the
 * store's `recordOrderUpdate` returns the result of that recording instead of writing it again
 * (store.ts), so the update is recorded once and the trade is stepped when the order changed.
 * Do not also feed postbacks to `KiteBroker.feedPostback`: this sink replaces that path.
 */

/** What the sink needs of the store: the group commit (Store fits). */
export type PostbackRecorder = Pick<Store, "recordOrderUpdates">;

/** What the sink needs of the engine: the order manager's entry point for updates (OrderManager fits). */
export interface OrderUpdateConsumer {
  onOrderUpdate(update: OrderUpdate): void;
}

export interface EnginePostbackSinkDeps {
  store: PostbackRecorder;
  /** Told of every recorded update, after its commit (the OrderManager). */
  orders: OrderUpdateConsumer;
  /** Runs the flush after the current I/O poll; default setImmediate. Tests flush by hand. */
  defer?: (flush: () => void) => void;
  /** The order manager threw on a stored update (the update stays stored; the answer stays 200). */
  onConsumerError?: (error: unknown, update: OrderUpdate) => void;
}

interface Waiting {
  update: OrderUpdate;
  resolve: (outcome: PostbackAcceptance) => void;
  reject: (error: Error) => void;
}

/**
 * The engine's PostbackSink. In `pivot start` (live mode):
 *   new EnginePostbackSink({ store, orders: tradingService.orderManager })
 * with the very Store object the order manager records into (the one-path hand-over above works
 * per Store instance: a second Store over the same file would record each postback twice).
 */
export class EnginePostbackSink implements PostbackSink {
  private readonly store: PostbackRecorder;
  private readonly orders: OrderUpdateConsumer;
  private readonly defer: (flush: () => void) => void;
  private readonly onConsumerError: (error: unknown, update: OrderUpdate) => void;
  private waiting: Waiting[] = [];

  constructor(deps: EnginePostbackSinkDeps) {
    this.store = deps.store;
    this.orders = deps.orders;
    this.defer = deps.defer ?? setImmediate;
    this.onConsumerError = deps.onConsumerError ?? (() => {});
  }

  /** Updates accepted and not yet committed (the size of the next group commit). */
  get pending(): number {
    return this.waiting.length;
  }

  /**
   * Records a verified postback; resolves once it is committed: "applied" (new, of one of our
   * orders), "duplicate" (this update was recorded before, by any path), "ignored" (not an
   * order of ours as far as the store knows, or an update the engine cannot read: an unknown
   * order type or side, or quantities and prices no order can have; a readable one is still
   * recorded, since it may be ours before the placement's answer arrives). Rejects when it
   * could not be stored.
   */
  accept(update: PostbackUpdate, rawBody: string): Promise<PostbackAcceptance> {
    const u = orderUpdateOf(update, "postback", rawBody);
    if (!u || !storable(u)) return Promise.resolve("ignored");
    return new Promise<PostbackAcceptance>((resolve, reject) => {
      this.waiting.push({ update: u, resolve, reject });
      if (this.waiting.length === 1) this.defer(() => this.flush());
    });
  }

  /** Commits what is waiting, answers each, then hands the stored updates to the order manager. */
  private flush(): void {
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 0) return;
    const results = this.record(batch.map((w) => w.update));
    batch.forEach((w, i) => {
      const r = results[i];
      if (r === undefined || r instanceof Error) {
        w.reject(r ?? new Error("the update was not recorded"));
        return;
      }
      w.resolve(outcomeOf(r));
      try {
        this.orders.onOrderUpdate(w.update);
      } catch (e) {
        try {
          this.onConsumerError(e, w.update);
        } catch {
          // the answer must not depend on a failing reporter
        }
      }
    });
  }

  /** The batch in one transaction; if that fails, each update alone. Never throws. */
  private record(updates: OrderUpdate[]): Array<RecordedOrderUpdate | Error> {
    try {
      return this.store.recordOrderUpdates(updates);
    } catch (e) {
      if (updates.length === 1) return [errorOf(e)];
    }
    return updates.map((u) => {
      try {
        return this.store.recordOrderUpdates([u])[0] ?? new Error("the update was not recorded");
      } catch (e) {
        return errorOf(e);
      }
    });
  }
}

/**
 * Quantities are whole and not negative, prices finite: what the order tables hold. The
 * checksum covers only the order id and timestamp, so the rest of a verified body may still be
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

function outcomeOf(r: RecordedOrderUpdate): PostbackAcceptance {
  if (!r.isNewEvent) return "duplicate";
  return r.order ? "applied" : "ignored";
}

function errorOf(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
