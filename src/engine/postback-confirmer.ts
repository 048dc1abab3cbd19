import { performance } from "node:perf_hooks";
import type { OrderHistorySource, OrderUpdate } from "../ports/broker.js";
import type { PostbackClaim, PostbackVerdict } from "../ports/store-records.js";

/*
 * A postback is believed only once the broker's order history shows what it claims. Kite's
 * checksum covers only the order id and timestamp, so a captured postback can be replayed with
 * any other status, quantity or price; the order history (GET /orders/{id}, over our own TLS
 * session) cannot be. So a stored body waits here (PENDING) until a read of its order's history
 * shows the same state (status, filled quantity, quantity, price, trigger price, average
 * price): then the order manager gets that state, as the broker gave it, and the body is
 * CONFIRMED. A claim that three reads, a second or more apart, never show (the history can
 * trail the postback by a moment), or whose history cannot be read, is UNCONFIRMED, alerted,
 * and never applied: the order book's polling brings whatever really happened.
 *
 * All of this runs after the postback's 200, off the request path, and gently on Kite: the
 * claims of one order are coalesced into one read (a burst of partial fills costs one
 * request), one read per order at a time, at most READS_PER_SECOND reads a second overall
 * (Kite allows 10 a second for these endpoints, shared with the order book and positions the
 * engine polls), and at most MAX_ORDERS_WAITING orders waiting in memory: beyond that, claims
 * wait in the database only (PENDING, nothing lost) and are picked up from there once the
 * queue has drained to half.
 */

/** What the confirmer needs of the stored bodies (PostbackBodiesRepository fits). */
export interface PostbackClaims {
  pending(orderId: string): PostbackClaim[];
  pendingOrderIds(): string[];
  settle(id: number, verdict: Exclude<PostbackVerdict, "PENDING">, reason: string | null): boolean;
}

/** The order manager's entry point for updates (OrderManager fits). */
export interface OrderUpdateConsumer {
  onOrderUpdate(update: OrderUpdate): void;
}

/** Runs `fn` in `ms` (real time); returns the function that cancels it. */
export type Schedule = (fn: () => void, ms: number) => () => void;

export interface PostbackConfirmerDeps {
  history: OrderHistorySource;
  claims: PostbackClaims;
  /** Gets each confirmed state (the broker's), marked as learned by postback. */
  orders: OrderUpdateConsumer;
  /** A claim the broker did not confirm (stored as UNCONFIRMED, never applied): tell the trader. */
  onUnconfirmed: (claim: PostbackClaim, reason: string) => void;
  /** The order manager threw on a confirmed update. */
  onConsumerError?: (error: unknown, update: OrderUpdate) => void;
  /** The queue is full: claims now wait in the database (told once each time it fills). */
  onOverflow?: () => void;
  /** Real time in ms (pacing is about Kite's real rate limits); default performance.now. */
  now?: () => number;
  /** Default: an unref'd setTimeout. */
  schedule?: Schedule;
}

/** Wait after a first claim of an order before reading its history (its burst joins the read). */
export const COALESCE_MS = 150;
/** Between reads of one order while a claim of it is not shown yet. */
export const REREAD_MS = 1_000;
/** Reads of its order's history a claim gets before it is unconfirmed. */
export const READS_PER_CLAIM = 3;
/** History reads a second, all orders together. */
export const READS_PER_SECOND = 3;
/** Orders waiting to be read at most. */
export const MAX_ORDERS_WAITING = 500;

const realSchedule: Schedule = (fn, ms) => {
  const t = setTimeout(fn, Math.max(0, ms));
  t.unref();
  return () => clearTimeout(t);
};

/** Confirms stored postback claims from the broker's order history, then applies them. */
export class PostbackConfirmer {
  private readonly now: () => number;
  private readonly schedule: Schedule;
  /** Orders to read, with the earliest time each may be read. */
  private readonly waiting = new Map<string, number>();
  private readonly reading = new Set<string>();
  /** Orders that got new claims while being read: read again. */
  private readonly again = new Set<string>();
  /** Reads each waiting claim has had. */
  private readonly readsOf = new Map<number, number>();
  private nextReadAt = 0;
  private wake: { at: number; cancel: () => void } | null = null;
  private stopped = false;
  /** Claims were left in the database only: read them from there once the queue drains. */
  private overflowed = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: PostbackConfirmerDeps) {
    this.now = deps.now ?? (() => performance.now());
    this.schedule = deps.schedule ?? realSchedule;
  }

  /** A new claim of `orderId` was stored: have its order's history read (coalesced). */
  enqueue(orderId: string): void {
    if (this.stopped) return;
    if (this.reading.has(orderId)) {
      this.again.add(orderId);
      return;
    }
    if (this.waiting.has(orderId)) return;
    if (this.waiting.size + this.reading.size >= MAX_ORDERS_WAITING) {
      if (!this.overflowed) {
        this.overflowed = true;
        try {
          this.deps.onOverflow?.();
        } catch {
          // only a report
        }
      }
      return;
    }
    const due = this.now() + COALESCE_MS;
    this.waiting.set(orderId, due);
    // Not pump(): its scan of the queue would cost every postback; a timer is all it needs.
    this.wakeAt(Math.max(due, this.nextReadAt));
  }

  /** Asks again about every claim still waiting (at start-up: those a restart interrupted). */
  resume(): void {
    for (const orderId of this.deps.claims.pendingOrderIds()) this.enqueue(orderId);
  }

  /** Orders waiting or being read. */
  get backlog(): number {
    return this.waiting.size + this.reading.size;
  }

  /** Stops reading (claims left waiting are asked about again at the next start); resolves when reads end. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.cancel();
    this.wake = null;
    await Promise.allSettled([...this.inFlight]);
  }

  /** Starts the reads that are due and the pace allows; sets the timer for the next. */
  private pump(): void {
    if (this.stopped) return;
    for (;;) {
      const now = this.now();
      let next: [string, number] | null = null;
      for (const entry of this.waiting) if (next === null || entry[1] < next[1]) next = entry;
      if (next === null) return;
      const at = Math.max(next[1], this.nextReadAt);
      if (at > now) {
        this.wakeAt(at);
        return;
      }
      this.nextReadAt = now + 1000 / READS_PER_SECOND;
      const read = this.read(next[0]);
      this.inFlight.add(read);
      void read.finally(() => this.inFlight.delete(read));
    }
  }

  private wakeAt(at: number): void {
    if (this.wake && this.wake.at <= at) return;
    this.wake?.cancel();
    const cancel = this.schedule(() => {
      this.wake = null;
      this.pump();
    }, at - this.now());
    this.wake = { at, cancel };
  }

  private async read(orderId: string): Promise<void> {
    this.waiting.delete(orderId);
    this.reading.add(orderId);
    let history: { ok: true; states: OrderUpdate[] } | { ok: false; why: string };
    try {
      const r = await this.deps.history.orderHistory(orderId);
      history = r.ok ? { ok: true, states: r.value } : { ok: false, why: r.error.message };
    } catch (e) {
      history = { ok: false, why: String(e) };
    }
    this.reading.delete(orderId);
    if (this.stopped) return;
    let unresolved = false;
    for (const claim of this.deps.claims.pending(orderId)) {
      const shown = history.ok ? findLast(history.states, (s) => shows(s, claim)) : undefined;
      if (shown) {
        this.readsOf.delete(claim.id);
        if (this.deps.claims.settle(claim.id, "CONFIRMED", null))
          this.apply({ ...shown, source: "postback", raw: claim.raw });
        continue;
      }
      const reads = (this.readsOf.get(claim.id) ?? 0) + 1;
      if (reads < READS_PER_CLAIM) {
        this.readsOf.set(claim.id, reads);
        unresolved = true;
        continue;
      }
      this.readsOf.delete(claim.id);
      this.unconfirm(
        claim,
        history.ok
          ? `the order history never showed ${describe(claim)} (latest: ${latestOf(history.states)})`
          : `the order history could not be read: ${history.why}`,
      );
    }
    const newClaims = this.again.delete(orderId);
    if (unresolved || newClaims) {
      this.waiting.set(orderId, this.now() + (unresolved ? REREAD_MS : COALESCE_MS));
    }
    if (this.overflowed && this.backlog <= MAX_ORDERS_WAITING / 2) {
      this.overflowed = false;
      this.resume();
    }
    this.pump();
  }

  private apply(update: OrderUpdate): void {
    try {
      this.deps.orders.onOrderUpdate(update);
    } catch (e) {
      try {
        this.deps.onConsumerError?.(e, update);
      } catch {
        // the confirmations go on whatever the reporter does
      }
    }
  }

  private unconfirm(claim: PostbackClaim, reason: string): void {
    if (!this.deps.claims.settle(claim.id, "UNCONFIRMED", reason)) return;
    try {
      this.deps.onUnconfirmed(claim, reason);
    } catch {
      // the verdict is stored; a failing alert must not stop the confirmations
    }
  }
}

/** The history state shows exactly what the claim says (prices to the paisa). */
function shows(state: OrderUpdate, claim: PostbackClaim): boolean {
  const same = (a: number, b: number) => Math.abs(a - b) < 0.005;
  return (
    state.status === claim.status &&
    state.filledQuantity === claim.filledQuantity &&
    state.quantity === claim.quantity &&
    same(state.price, claim.price) &&
    same(state.triggerPrice, claim.triggerPrice) &&
    same(state.averagePrice, claim.averagePrice)
  );
}

function describe(s: Pick<OrderUpdate, "status" | "filledQuantity" | "quantity" | "averagePrice">): string {
  return `${s.status} with ${s.filledQuantity} of ${s.quantity} filled at ${s.averagePrice}`;
}

function latestOf(states: OrderUpdate[]): string {
  const last = states[states.length - 1];
  return last ? describe(last) : "no state at all";
}

function findLast<T>(items: readonly T[], test: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i] as T;
    if (test(item)) return item;
  }
  return undefined;
}
