import type { EventEmitter } from "node:events";
import type {
  Broker,
  BrokerFailure,
  BrokerResult,
  OrderChanges,
  OrderRequest,
  OrderUpdate,
} from "../ports/broker.js";
import type { Clock } from "../ports/clock.js";
import type { Store } from "../ports/store.js";
import type { OrderPurpose, PositionUpsert, StoredOrder, StoredPosition } from "../ports/store-records.js";
import { crashPoint } from "./crash-points.js";
import type { ExecutionConfig } from "./execution-config.js";
import type { AlertLevel, OrderManagerDeps, OrderManagerEvents } from "./order-manager-types.js";
import { orderTag, roundDownToTick } from "./order-tags.js";

/*
 * The broker calls of the order manager and what they share: the store, the in-flight tags, the
 * cancels sent, the alerts, the exit reasons. The stop keeper, the exit path and reconciliation
 * act through it; the manager's step decides when.
 */

const CANCEL_RESEND_MS = 5_000;
const MINUTE_MS = 60_000;

function failureOf(e: unknown): BrokerResult<never> {
  return { ok: false, error: { kind: "unknown", message: String(e), uncertain: true } };
}

/**
 * Whether the broker refused a request on its merits (it will refuse it again) rather than
 * failing to answer (network, session, rate limit, server: worth retrying). Kite reports the
 * 25-modification cap as a NetworkException, hence its message.
 */
export function isRefusal(error: BrokerFailure): boolean {
  if (error.uncertain) return false;
  if (error.kind === "input" || error.kind === "order" || error.kind === "margin") return true;
  return /maximum allowed order modifications/i.test(error.message);
}

export class OrderDesk {
  readonly broker: Broker;
  readonly store: Store;
  readonly clock: Clock;
  readonly config: ExecutionConfig;
  readonly ltpOf: (symbol: string) => number | null;
  /** Tags whose placement this process is awaiting. */
  readonly inflight = new Set<string>();
  readonly cancelSentAt = new Map<number, number>();
  private readonly placements: number[] = [];
  private readonly alerted = new Set<string>();
  /** The order book could not be read at the last attempt (see noteBookRead). */
  private bookOutage = false;
  /** The order book reading in flight (refreshBook). */
  private bookReading: Promise<void> | null = null;

  constructor(
    deps: OrderManagerDeps,
    private readonly events: EventEmitter<OrderManagerEvents>,
    /** Asks for the trade to be stepped again once the running step ends. */
    readonly markDirty: (tradeId: string) => void,
    /** Records a broker update and steps its trade (the manager's onOrderUpdate). */
    private readonly onUpdate: (u: OrderUpdate) => void,
  ) {
    this.broker = deps.broker;
    this.store = deps.store;
    this.clock = deps.clock;
    this.config = deps.config;
    this.ltpOf = deps.ltpOf;
  }

  emit<K extends keyof OrderManagerEvents>(name: K, ...args: OrderManagerEvents[K]): void {
    (this.events.emit as (n: K, ...a: OrderManagerEvents[K]) => boolean)(name, ...args);
  }

  alert(level: AlertLevel, message: string): void {
    this.emit("alert", { level, message });
  }

  /** Alerts once per key until `rearm(key)`. */
  alertOnce(key: string, level: AlertLevel, message: string): void {
    if (this.alerted.has(key)) return;
    this.alerted.add(key);
    this.alert(level, message);
  }

  rearm(key: string): void {
    this.alerted.delete(key);
  }

  /**
   * Places an order: written NEW (with `alsoWrite`, in one transaction) before it is sent, its
   * Kite id linked after. A lost answer leaves it NEW, for reconciliation by tag. `tradeId`
   * null: an order of no trade (the sale of an unexplained quantity), tagged `tag`.
   */
  async place(
    owner:
      | { tradeId: string; purpose: OrderPurpose; attempt: number }
      | { tag: string; purpose: OrderPurpose },
    request: Omit<OrderRequest, "tag">,
    alsoWrite?: (order: StoredOrder) => void,
  ): Promise<StoredOrder> {
    const tradeId = "tradeId" in owner ? owner.tradeId : null;
    const purpose = owner.purpose;
    const tag = "tag" in owner ? owner.tag : orderTag(owner.tradeId, purpose, owner.attempt);
    const existing = this.store.orders.byTag(tag);
    if (existing) return existing; // never a second order for the same tag
    if (purpose !== "ENTRY" && this.recentPlacements() >= this.config.maxOrdersPerMinute) {
      this.alert("critical", `order rate cap passed by ${tag}: protective orders are not held back`);
    }
    const order = this.store.transaction(() => {
      const o = this.store.orders.insertNew({ ...request, tag }, { purpose, tradeId });
      alsoWrite?.(o);
      return o;
    });
    this.inflight.add(tag);
    this.placements.push(this.clock.now());
    crashPoint(`before-send:${purpose}`);
    let result: BrokerResult<{ orderId: string }>;
    try {
      result = await this.broker.placeOrder({ ...request, tag });
    } catch (e) {
      result = failureOf(e);
    } finally {
      this.inflight.delete(tag);
    }
    crashPoint(`after-send:${purpose}`);
    if (result.ok) {
      this.store.linkKiteOrderId(order.localId, result.value.orderId);
    } else if (result.error.uncertain) {
      this.alert(
        "warning",
        `order ${tag} may have been placed (${result.error.message}): reconciling by tag`,
      );
    } else {
      this.store.orders.markFailed(order.localId, result.error.message);
    }
    if (tradeId) this.markDirty(tradeId);
    return this.store.orders.byLocalId(order.localId) ?? order;
  }

  async cancel(order: StoredOrder, why: string): Promise<void> {
    if (!order.kiteOrderId) return;
    const now = this.clock.now();
    const sent = this.cancelSentAt.get(order.localId);
    if (sent !== undefined && now - sent < CANCEL_RESEND_MS) return;
    this.cancelSentAt.set(order.localId, now);
    const kiteId = order.kiteOrderId;
    const r = await this.safe(() => this.broker.cancelOrder(kiteId));
    // Refused: most likely final already (filled while being cancelled): the book says which.
    if (!r.ok) {
      // Once per order: while the broker is unreachable the cancel is re-sent every few seconds.
      this.alertOnce(
        `cancel:${order.localId}`,
        "info",
        `cancel of ${order.tag} (${why}) refused: ${r.error.message}`,
      );
      await this.refreshBook();
    }
  }

  /** A cancel sent this long ago with no final answer yet is due again (the book is read first). */
  cancelOverdue(localId: number, nowMs: number): boolean {
    const sent = this.cancelSentAt.get(localId);
    return sent !== undefined && nowMs - sent >= CANCEL_RESEND_MS;
  }

  /** Sends a modification; the caller records what the broker accepted. */
  modify(order: StoredOrder, changes: OrderChanges): Promise<BrokerResult<{ orderId: string }>> {
    const kiteId = order.kiteOrderId;
    if (!kiteId) {
      return Promise.resolve({
        ok: false,
        error: { kind: "input", message: `${order.tag} has no broker id yet` },
      });
    }
    return this.safe(() => this.broker.modifyOrder(kiteId, changes));
  }

  /**
   * Reads the order book and applies it. One reading at a time: the polls ask every second
   * while an entry works, and a reading slowed by 429 back-offs must not be joined by more.
   */
  refreshBook(): Promise<void> {
    this.bookReading ??= this.readBook().finally(() => {
      this.bookReading = null;
    });
    return this.bookReading;
  }

  private async readBook(): Promise<void> {
    const book = await this.safe(() => this.broker.orders());
    this.noteBookRead(book.ok ? null : book.error.message);
    if (!book.ok) return;
    for (const u of book.value) this.onUpdate(u);
  }

  /**
   * Alerts when the order book becomes unreadable and when it is readable again: once per
   * outage, not at every retry (an expired session would otherwise flood the trader).
   */
  noteBookRead(failure: string | null): void {
    if (failure !== null && !this.bookOutage) {
      this.bookOutage = true;
      this.alert("warning", `order book unreadable: ${failure}`);
    } else if (failure === null && this.bookOutage) {
      this.bookOutage = false;
      this.alert("info", "order book readable again");
    }
  }

  /** A marketable sell: MARKET with protection, or LIMIT under the last price (MARKET when unknown). */
  sellNow(symbol: string, forceMarket = false): Pick<OrderRequest, "type" | "price" | "marketProtection"> {
    if (this.config.exitOrder === "LIMIT" && !forceMarket) {
      const ltp = this.ltpOf(symbol);
      if (ltp !== null && ltp > 0) {
        const price = Math.max(0.05, roundDownToTick(ltp * (1 - this.config.exitLimitBufferPct / 100)));
        return { type: "LIMIT", price };
      }
    }
    return { type: "MARKET", marketProtection: this.config.marketProtection };
  }

  /**
   * The reason of the exit decided for a trade (the strategy's, EMERGENCY, PANIC…), from the
   * store: markClosing writes it with the CLOSING state, so an exit in flight across a restart
   * keeps it. Undefined when none was decided.
   */
  exitReasonOf(tradeId: string): string | undefined {
    return this.store.positions.byTradeId(tradeId)?.exitReason ?? undefined;
  }

  markClosing(pos: StoredPosition, reason: string): void {
    this.store.transaction(() => {
      this.writePosition(pos, { state: "CLOSING", exitReason: reason });
      this.store.audit.record("order-manager", "exit_decided", { tradeId: pos.tradeId, reason });
    });
    crashPoint("exit-decided");
  }

  writePosition(pos: StoredPosition, changes: Partial<PositionUpsert>): void {
    const { openedAtMs: _o, updatedAtMs: _u, closedAtMs: _c, state, ...rest } = pos;
    if (state === "CLOSED") return;
    this.store.positions.upsert({ ...rest, state, ...changes });
  }

  recentPlacements(): number {
    const since = this.clock.now() - MINUTE_MS;
    while (this.placements.length > 0 && (this.placements[0] ?? 0) <= since) this.placements.shift();
    return this.placements.length;
  }

  async safe<T>(call: () => Promise<BrokerResult<T>>): Promise<BrokerResult<T>> {
    try {
      return await call();
    } catch (e) {
      return failureOf(e);
    }
  }
}
