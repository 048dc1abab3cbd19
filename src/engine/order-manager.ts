import { EventEmitter } from "node:events";
import type { OrderPurpose, StoredOrder } from "../adapters/sqlite/orders-repo.js";
import type { PositionUpsert, StoredPosition } from "../adapters/sqlite/positions-repo.js";
import type { Store } from "../adapters/sqlite/store.js";
import { istPartsOf } from "../domain/ist.js";
import type { Broker, BrokerResult, OrderRequest, OrderUpdate } from "../ports/broker.js";
import type { Clock } from "../ports/clock.js";
import { crashPoint } from "./crash-points.js";
import type { ExecutionConfig } from "./execution-config.js";
import { MAX_ATTEMPTS, orderTag, roundDownToTick, roundUpToTick } from "./order-tags.js";

/*
 * The execution core between the strategy's decisions and the broker.
 *
 * Level-triggered: every decision is taken by `step(tradeId)` from what the store holds (the
 * trade's position row and its orders), never from the update that woke it up. Updates are
 * recorded first (idempotently, through the store), then the trade is stepped; start-up,
 * reconciliation, timers and duplicated or late updates all go through the same step, so a
 * crash at any point leaves a state that the next step continues from. Steps of one trade
 * never overlap (a per-trade run loop); a step takes at most one action, and the loop runs it
 * again until nothing changes.
 *
 * Position states (positions table): OPENING (entry out) → OPEN (entry done, stop resting) →
 * CLOSING (exit decided: entry and stop cancelled, then the rest sold) → CLOSED.
 */

const PLACED_LIVE = new Set(["PLACED", "OPEN", "TRIGGER PENDING"]);
const REFUSED = new Set(["REJECTED", "FAILED"]);
const CANCEL_RESEND_MS = 5_000;
const MINUTE_MS = 60_000;
/** The "safer" trigger of a stop retried after a rejection: this far below the last price. */
const SAFER_TRIGGER_PCT = 3;

export type AlertLevel = "info" | "warning" | "critical";

export interface OrderManagerEvents {
  entry_filled: [{ tradeId: string; quantity: number; averagePrice: number }];
  entry_failed: [{ tradeId: string; reason: string }];
  partial_fill: [{ tradeId: string; filledQuantity: number; quantity: number }];
  stop_placed: [{ tradeId: string; tag: string; quantity: number; triggerPrice: number; price: number }];
  stop_missing_replaced: [{ tradeId: string; tag: string }];
  exit_filled: [{ tradeId: string; quantity: number; averagePrice: number; reason: string }];
  manual_close: [{ tradeId: string }];
  order_rejected: [{ tradeId: string; purpose: OrderPurpose; tag: string; message: string }];
  alert: [{ level: AlertLevel; message: string }];
}

export interface EntryIntent {
  tradeId: string;
  symbol: string;
  /** lots × lot size. */
  quantity: number;
  /** The strategy's stop loss (the entry candle's low); the protective stop rests below it. */
  stopLoss: number;
  target?: number;
}

export interface ReconcileReport {
  /** Broker updates that changed one of our orders. */
  updatesApplied: number;
  /** Tags written NEW that the broker's book does not hold after `unsentAfterMs`: marked FAILED. */
  unsentMarkedFailed: string[];
  manualCloses: string[];
  stopsReplaced: string[];
  /** Non-closed positions stepped (resumed). */
  tradesStepped: string[];
  problems: string[];
}

export interface OrderManagerDeps {
  broker: Broker;
  store: Store;
  clock: Clock;
  config: ExecutionConfig;
  /** The last traded price of a contract (null when unknown). */
  ltpOf: (symbol: string) => number | null;
}

/** What a trade's orders add up to. */
interface TradeView {
  entry: StoredOrder | null;
  stops: StoredOrder[];
  exits: StoredOrder[];
  bought: number;
  sold: number;
  held: number;
  /** Orders written NEW whose fate is not known yet (in flight, or to resolve by tag). */
  unresolved: StoredOrder[];
}

function viewOf(orders: StoredOrder[]): TradeView {
  const entry = orders.find((o) => o.purpose === "ENTRY") ?? null;
  const bought = orders.filter((o) => o.side === "BUY").reduce((n, o) => n + o.filledQuantity, 0);
  const sold = orders.filter((o) => o.side === "SELL").reduce((n, o) => n + o.filledQuantity, 0);
  return {
    entry,
    stops: orders.filter((o) => o.purpose === "STOP_LOSS"),
    exits: orders.filter((o) => o.purpose === "EXIT"),
    bought,
    sold,
    held: bought - sold,
    unresolved: orders.filter((o) => o.status === "NEW"),
  };
}

function isLive(o: StoredOrder): boolean {
  return PLACED_LIVE.has(o.status);
}

function failureOf(e: unknown): BrokerResult<never> {
  return { ok: false, error: { kind: "unknown", message: String(e), uncertain: true } };
}

/** Places, protects, exits and reconciles the trades' orders; see the file comment. */
export class OrderManager extends EventEmitter<OrderManagerEvents> {
  private readonly broker: Broker;
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly config: ExecutionConfig;
  private readonly ltpOf: (symbol: string) => number | null;
  private readonly runs = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  private readonly background = new Set<Promise<unknown>>();
  /** Tags whose placement this process is awaiting. */
  private readonly inflight = new Set<string>();
  private readonly placements: number[] = [];
  private readonly cancelSentAt = new Map<number, number>();
  private readonly modifySent = new Map<number, number>();
  private readonly exitReasons = new Map<string, string>();
  private readonly reportedRefusals = new Set<number>();
  private readonly alerted = new Set<string>();
  /** The order book could not be read at the last attempt (see noteBookRead). */
  private bookOutage = false;
  /** Trades whose missing stop reconciliation is re-placing (for the event, and one more try after failures). */
  private readonly replacingMissing = new Set<string>();
  private reconciling: Promise<ReconcileReport> | null = null;
  private entriesBlocked = false;

  constructor(deps: OrderManagerDeps) {
    super();
    this.broker = deps.broker;
    this.store = deps.store;
    this.clock = deps.clock;
    this.config = deps.config;
    this.ltpOf = deps.ltpOf;
  }

  /** Buys `quantity` of `symbol` for a trade; resolves once the entry is placed or refused (fills come later). */
  async enter(intent: EntryIntent): Promise<void> {
    const { tradeId, symbol, quantity } = intent;
    const tag = orderTag(tradeId, "ENTRY");
    if (this.store.orders.byTag(tag) || this.store.positions.byTradeId(tradeId)) {
      this.alert("warning", `entry of ${tradeId} asked again: ignored (one entry a trade)`);
      await this.advance(tradeId);
      return;
    }
    const refuse = (reason: string): void => {
      this.alert("warning", `entry of ${tradeId} refused: ${reason}`);
      this.emit("entry_failed", { tradeId, reason });
    };
    if (this.entriesBlocked) return refuse("entries blocked after panic");
    if (!Number.isInteger(quantity) || quantity <= 0) return refuse(`bad quantity ${quantity}`);
    if (!(intent.stopLoss > 0)) return refuse(`bad stop loss ${intent.stopLoss}`);
    if (this.recentPlacements() >= this.config.maxOrdersPerMinute) {
      return refuse(`order rate cap: ${this.config.maxOrdersPerMinute} orders a minute reached`);
    }
    const request: Omit<OrderRequest, "tag"> = {
      exchange: this.config.exchange,
      tradingsymbol: symbol,
      side: "BUY",
      type: this.config.entryOrder,
      quantity,
      product: this.config.product,
    };
    if (this.config.entryOrder === "LIMIT") {
      const ltp = this.ltpOf(symbol);
      if (ltp === null || !(ltp > 0)) return refuse(`no last price for ${symbol}`);
      request.price = roundUpToTick(ltp * (1 + this.config.entryLimitBufferPct / 100));
    } else {
      request.marketProtection = this.config.marketProtection;
    }
    await this.place(tradeId, "ENTRY", 0, request, (order) => {
      this.store.positions.upsert({
        tradeId,
        date: dateOfTrade(tradeId, this.clock.now()),
        symbol,
        state: "OPENING",
        quantity: 0,
        averagePrice: 0,
        stopLoss: intent.stopLoss,
        target: intent.target ?? 0,
        candlesHeld: 0,
        entryOrderId: order.localId,
        exitOrderId: null,
      });
    });
    await this.advance(tradeId);
  }

  /** Exits a trade: cancels its entry rest and its stop, then sells what is held. Idempotent. */
  async exit(tradeId: string, reason: string): Promise<void> {
    const pos = this.store.positions.byTradeId(tradeId);
    if (!pos) {
      this.alert("warning", `exit of unknown trade ${tradeId} (${reason}): nothing to do`);
      return;
    }
    if (pos.state === "OPENING" || pos.state === "OPEN") this.markClosing(pos, reason);
    await this.advance(tradeId);
  }

  /** Records a broker update (idempotently) and steps its trade. Never throws. */
  onOrderUpdate(update: OrderUpdate): void {
    let recorded: ReturnType<Store["recordOrderUpdate"]>;
    try {
      recorded = this.store.recordOrderUpdate(update);
    } catch (e) {
      this.alert("critical", `order update ${update.orderId} could not be recorded: ${String(e)}`);
      return;
    }
    const order = recorded.order;
    if (!order) {
      this.foreignUpdate(update);
      return;
    }
    if (recorded.changed && order.tradeId) this.track(this.advance(order.tradeId));
  }

  /** Reads the broker's book and positions, applies what was missed, and steps every open trade. */
  reconcile(): Promise<ReconcileReport> {
    if (!this.reconciling) {
      this.reconciling = this.doReconcile().finally(() => {
        this.reconciling = null;
      });
    }
    return this.reconciling;
  }

  /** Timers: entry timeouts, cancels whose answer is overdue, orders whose fate is unknown. */
  poll(nowMs: number = this.clock.now()): void {
    let needBook = false;
    let needReconcile = false;
    for (const pos of this.store.positions.open()) {
      if (pos.state === "OPENING" && pos.entryOrderId !== null) {
        const entry = this.store.orders.byLocalId(pos.entryOrderId);
        if (entry && isLive(entry) && nowMs - entry.createdAtMs >= this.config.entryTimeoutMs) {
          this.track(this.cancel(entry, `entry of ${pos.tradeId} timed out`));
        }
      }
      if (pos.state === "CLOSING" && pos.exitOrderId !== null) {
        const exit = this.store.orders.byLocalId(pos.exitOrderId);
        if (
          exit &&
          isLive(exit) &&
          exit.status !== "NEW" &&
          !this.cancelSentAt.has(exit.localId) &&
          nowMs - exit.createdAtMs >= this.config.exitRepriceMs
        ) {
          // Cancelled here, placed again by the closing step once the cancel is final (or not at
          // all when it filled meanwhile).
          this.track(
            this.cancel(
              exit,
              `exit of ${pos.tradeId} unfilled after ${this.config.exitRepriceMs / 1000} s: placing it again`,
            ),
          );
        }
      }
      this.track(this.advance(pos.tradeId));
    }
    for (const o of this.store.orders.live()) {
      const sent = this.cancelSentAt.get(o.localId);
      if (sent !== undefined && nowMs - sent >= CANCEL_RESEND_MS) needBook = true;
      if (
        o.status === "NEW" &&
        !this.inflight.has(o.tag) &&
        nowMs - o.createdAtMs >= this.config.unsentAfterMs
      )
        needReconcile = true;
      if (o.tradeId && this.store.positions.byTradeId(o.tradeId)?.state === "CLOSED")
        this.track(this.advance(o.tradeId));
    }
    if (needReconcile) this.track(this.reconcile());
    else if (needBook) this.track(this.refreshBook());
  }

  /** The kill switch: blocks entries, cancels every open order, exits every position. */
  async panic(): Promise<void> {
    this.entriesBlocked = true;
    this.alert("critical", "PANIC: cancelling every order, exiting every position");
    const open = this.store.positions.open();
    for (const pos of open)
      if (pos.state === "OPENING" || pos.state === "OPEN") this.markClosing(pos, "PANIC");
    const book = await this.safe(() => this.broker.orders());
    if (book.ok) {
      for (const u of book.value) {
        if (u.status !== "OPEN" && u.status !== "TRIGGER PENDING") continue;
        const ours = this.store.orders.byKiteId(u.orderId) ?? (u.tag ? this.store.orders.byTag(u.tag) : null);
        // Ours are cancelled by their trade's exit, in order (entry and stop first, then the sale).
        if (!ours) await this.safe(() => this.broker.cancelOrder(u.orderId));
      }
    } else {
      this.alert("critical", `panic: the order book could not be read: ${book.error.message}`);
    }
    await Promise.all(open.map((p) => this.advance(p.tradeId)));
  }

  /** Lets entries through again after a panic. */
  resumeEntries(): void {
    this.entriesBlocked = false;
  }

  /** Resolves when no step, cancel or reconciliation is running (tests, shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      const pending = [...this.runs.values(), ...this.background];
      if (pending.length === 0) return;
      await Promise.allSettled(pending);
    }
  }

  // ---- the step -------------------------------------------------------------------------

  private advance(tradeId: string): Promise<void> {
    const running = this.runs.get(tradeId);
    if (running) {
      this.dirty.add(tradeId);
      return running;
    }
    const run = (async () => {
      await Promise.resolve();
      try {
        do {
          this.dirty.delete(tradeId);
          try {
            await this.step(tradeId);
          } catch (e) {
            this.alert("critical", `trade ${tradeId}: step failed: ${String(e)}`);
          }
        } while (this.dirty.has(tradeId));
      } finally {
        this.runs.delete(tradeId);
      }
    })();
    this.runs.set(tradeId, run);
    return run;
  }

  private async step(tradeId: string): Promise<void> {
    const pos = this.store.positions.byTradeId(tradeId);
    if (!pos) return;
    const orders = this.store.orders.byTrade(tradeId);
    const v = viewOf(orders);
    this.reportRefusals(tradeId, orders);
    // An order whose fate is unknown could be live at the broker: decide nothing until it is known.
    if (v.unresolved.length > 0) return;
    if (v.held < 0)
      this.alertOnce(`short:${tradeId}`, "critical", `trade ${tradeId} sold more than it bought`);

    if (pos.state === "CLOSED") {
      for (const o of orders) if (isLive(o)) await this.cancel(o, `trade ${tradeId} is closed`);
      return;
    }
    if (pos.state === "CLOSING") return this.stepClosing(pos, v);

    // A protective stop that sold anything: the position is being stopped out; finish it as an exit.
    if (v.stops.some((s) => s.filledQuantity > 0)) {
      this.markClosing(pos, "protective_stop");
      this.dirty.add(tradeId);
      return;
    }
    if (pos.state === "OPENING") {
      const entry = v.entry;
      if (!entry) return;
      if (!isLive(entry)) {
        if (v.bought === 0) {
          const closed = this.store.transaction(() => this.store.positions.close(tradeId));
          if (closed) {
            const reason = `entry ${entry.status}${entry.statusMessage ? `: ${entry.statusMessage}` : ""}`;
            this.emit("entry_failed", { tradeId, reason });
          }
          return;
        }
        this.writePosition(pos, { state: "OPEN", quantity: v.held, averagePrice: entry.averagePrice });
        crashPoint("entry-filled");
        this.emit("entry_filled", { tradeId, quantity: v.bought, averagePrice: entry.averagePrice });
        this.dirty.add(tradeId);
        return;
      }
      if (v.bought > pos.quantity) {
        this.writePosition(pos, { quantity: v.held, averagePrice: entry.averagePrice });
        this.emit("partial_fill", { tradeId, filledQuantity: v.bought, quantity: entry.quantity });
      }
    }
    if (v.held > 0) await this.ensureStop(pos, v);
  }

  private async stepClosing(pos: StoredPosition, v: TradeView): Promise<void> {
    const tradeId = pos.tradeId;
    // First nothing more may buy or sell on its own: the entry's rest and the stops are cancelled,
    // and the sale waits for each to be final (a stop may fill while it is being cancelled).
    const resting = [v.entry, ...v.stops].filter((o): o is StoredOrder => o !== null && isLive(o));
    if (resting.length > 0) {
      for (const o of resting) await this.cancel(o, `exit of ${tradeId}`);
      return;
    }
    if (v.exits.some(isLive)) return;
    const reason = this.exitReasons.get(tradeId) ?? "resumed";
    if (v.held <= 0) {
      const sells = [...v.stops, ...v.exits].filter((o) => o.filledQuantity > 0);
      const last = v.exits.at(-1)?.localId ?? null;
      const closed = this.store.transaction(() => this.store.positions.close(tradeId, last));
      if (!closed) return;
      if (v.bought === 0) {
        this.emit("entry_failed", { tradeId, reason: `exit (${reason}) before any fill` });
        return;
      }
      const quantity = sells.reduce((n, o) => n + o.filledQuantity, 0);
      const value = sells.reduce((n, o) => n + o.filledQuantity * o.averagePrice, 0);
      const averagePrice = quantity > 0 ? Math.round((value / quantity) * 100) / 100 : 0;
      this.emit("exit_filled", { tradeId, quantity, averagePrice, reason });
      return;
    }
    if (v.exits.length >= Math.min(this.config.maxExitAttempts, MAX_ATTEMPTS)) {
      this.alertOnce(
        `exit:${tradeId}`,
        "critical",
        `trade ${tradeId}: ${v.exits.length} exits failed, ${v.held} of ${pos.symbol} still held: act at the broker`,
      );
      return;
    }
    const request: Omit<OrderRequest, "tag"> = {
      exchange: this.config.exchange,
      tradingsymbol: pos.symbol,
      side: "SELL",
      type: this.config.exitOrder,
      quantity: v.held,
      product: this.config.product,
    };
    if (this.config.exitOrder === "LIMIT") {
      const ltp = this.ltpOf(pos.symbol);
      if (ltp !== null && ltp > 0) {
        request.price = Math.max(0.05, roundDownToTick(ltp * (1 - this.config.exitLimitBufferPct / 100)));
      } else {
        request.type = "MARKET";
      }
    }
    if (request.type === "MARKET") request.marketProtection = this.config.marketProtection;
    await this.place(tradeId, "EXIT", v.exits.length, request, (order) =>
      this.writePosition(pos, { exitOrderId: order.localId }),
    );
  }

  /** Keeps one live protective stop covering what is held (placing, resizing, or re-placing it). */
  private async ensureStop(pos: StoredPosition, v: TradeView): Promise<void> {
    const tradeId = pos.tradeId;
    const live = v.stops.filter(isLive);
    const [stop, ...extra] = live;
    for (const o of extra) await this.cancel(o, `duplicate stop of ${tradeId}`);
    if (stop) {
      const cover = stop.quantity - stop.filledQuantity;
      const wanted = stop.filledQuantity + v.held;
      if (cover < v.held && this.modifySent.get(stop.localId) !== wanted && stop.kiteOrderId) {
        this.modifySent.set(stop.localId, wanted);
        const r = await this.safe(() =>
          this.broker.modifyOrder(stop.kiteOrderId as string, { quantity: wanted }),
        );
        if (!r.ok)
          this.alert("critical", `stop of ${tradeId} could not grow to ${wanted}: ${r.error.message}`);
      }
      return;
    }
    let refusedInARow = 0;
    for (let i = v.stops.length - 1; i >= 0 && REFUSED.has(v.stops[i]?.status ?? ""); i--) refusedInARow++;
    const reconciling = this.replacingMissing.has(tradeId);
    if (refusedInARow >= 2 && !reconciling) {
      this.alertOnce(`unprotected:${tradeId}`, "critical", `trade ${tradeId} is UNPROTECTED: stops refused`);
      return;
    }
    if (v.stops.length >= MAX_ATTEMPTS) {
      this.alertOnce(`unprotected:${tradeId}`, "critical", `trade ${tradeId}: no stop attempts left`);
      return;
    }
    const ltp = this.ltpOf(pos.symbol);
    let trigger = roundDownToTick(pos.stopLoss * (1 - this.config.disasterStopPct / 100));
    if (refusedInARow > 0 || (ltp !== null && trigger >= ltp)) {
      const below = roundDownToTick((ltp ?? trigger) * (1 - SAFER_TRIGGER_PCT / 100));
      if (below < trigger) trigger = below;
      this.alert("warning", `stop of ${tradeId} placed at a safer trigger ${trigger} (last price ${ltp})`);
    }
    const price = roundDownToTick(trigger * (1 - this.config.stopLimitGapPct / 100));
    if (!(price >= 0.05)) {
      this.alertOnce(
        `unprotected:${tradeId}`,
        "critical",
        `trade ${tradeId}: no valid stop price (${trigger})`,
      );
      return;
    }
    const placed = await this.place(tradeId, "STOP_LOSS", v.stops.length, {
      exchange: this.config.exchange,
      tradingsymbol: pos.symbol,
      side: "SELL",
      type: "SL",
      quantity: v.held,
      product: this.config.product,
      triggerPrice: trigger,
      price,
    });
    this.replacingMissing.delete(tradeId);
    const now = this.store.orders.byLocalId(placed.localId);
    if (now && !REFUSED.has(now.status)) {
      this.emit("stop_placed", { tradeId, tag: placed.tag, quantity: v.held, triggerPrice: trigger, price });
      if (reconciling) this.emit("stop_missing_replaced", { tradeId, tag: placed.tag });
    }
  }

  // ---- broker calls -----------------------------------------------------------------------

  /**
   * Places an order: written NEW (with `alsoWrite`, in one transaction) before it is sent, its
   * Kite id linked after. A lost answer leaves it NEW, for reconciliation by tag.
   */
  private async place(
    tradeId: string,
    purpose: OrderPurpose,
    attempt: number,
    request: Omit<OrderRequest, "tag">,
    alsoWrite?: (order: StoredOrder) => void,
  ): Promise<StoredOrder> {
    const tag = orderTag(tradeId, purpose, attempt);
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
    this.dirty.add(tradeId);
    return this.store.orders.byLocalId(order.localId) ?? order;
  }

  private async cancel(order: StoredOrder, why: string): Promise<void> {
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

  private async refreshBook(): Promise<void> {
    const book = await this.safe(() => this.broker.orders());
    this.noteBookRead(book.ok ? null : book.error.message);
    if (!book.ok) return;
    for (const u of book.value) this.onOrderUpdate(u);
  }

  // ---- reconciliation -------------------------------------------------------------------

  private async doReconcile(): Promise<ReconcileReport> {
    const report: ReconcileReport = {
      updatesApplied: 0,
      unsentMarkedFailed: [],
      manualCloses: [],
      stopsReplaced: [],
      tradesStepped: [],
      problems: [],
    };
    const apply = (updates: OrderUpdate[]): void => {
      for (const u of updates) {
        try {
          const r = this.store.recordOrderUpdate(u);
          if (r.order && r.changed) report.updatesApplied++;
        } catch (e) {
          report.problems.push(`update ${u.orderId}: ${String(e)}`);
        }
      }
    };
    // Book, positions, book again: a fill between the reads shows as a change of the book and
    // keeps that trade out of the manual-close check until the next reconciliation.
    const first = await this.safe(() => this.broker.orders());
    this.noteBookRead(first.ok ? null : first.error.message);
    if (!first.ok) {
      report.problems.push(`order book: ${first.error.message}`);
      return report;
    }
    apply(first.value);
    const fills = new Map(
      this.store.positions.open().map((p) => [p.tradeId, fillPrint(this.store, p.tradeId)]),
    );
    const positions = await this.safe(() => this.broker.positions());
    const second = await this.safe(() => this.broker.orders());
    const book = second.ok ? second.value : first.value;
    if (second.ok) apply(second.value);

    const now = this.clock.now();
    const tags = new Set(book.map((u) => u.tag));
    for (const o of this.store.orders.live()) {
      if (o.status !== "NEW" || o.kiteOrderId !== null || this.inflight.has(o.tag) || tags.has(o.tag))
        continue;
      if (now - o.createdAtMs < this.config.unsentAfterMs) continue;
      if (this.store.orders.markFailed(o.localId, "never reached the broker (not in its order book)"))
        report.unsentMarkedFailed.push(o.tag);
    }

    if (!positions.ok) report.problems.push(`positions: ${positions.error.message}`);
    for (const pos of this.store.positions.open()) {
      const v = viewOf(this.store.orders.byTrade(pos.tradeId));
      if (v.unresolved.length > 0) continue;
      if (positions.ok && pos.state === "OPEN" && v.held > 0 && second.ok) {
        const steady = fills.get(pos.tradeId) === fillPrint(this.store, pos.tradeId);
        const atBroker = positions.value
          .filter((p) => p.tradingsymbol === pos.symbol && p.product === this.config.product)
          .reduce((n, p) => n + p.quantity, 0);
        if (steady && atBroker <= 0) {
          const closed = this.store.transaction(() => {
            this.store.audit.record("order-manager", "manual_close", { tradeId: pos.tradeId, held: v.held });
            return this.store.positions.close(pos.tradeId);
          });
          if (closed) {
            report.manualCloses.push(pos.tradeId);
            this.alert("warning", `trade ${pos.tradeId}: closed at the broker by hand`);
            this.emit("manual_close", { tradeId: pos.tradeId });
          }
        } else if (steady && atBroker < v.held) {
          this.alert("warning", `trade ${pos.tradeId}: broker holds ${atBroker}, we hold ${v.held}`);
        }
      }
      const current = this.store.positions.byTradeId(pos.tradeId);
      if (
        current &&
        (current.state === "OPEN" || current.state === "OPENING") &&
        v.held > 0 &&
        !v.stops.some(isLive) &&
        !v.stops.some((s) => s.filledQuantity > 0)
      ) {
        this.replacingMissing.add(pos.tradeId);
        report.stopsReplaced.push(pos.tradeId);
      }
    }
    const trades = new Set(this.store.positions.open().map((p) => p.tradeId));
    for (const o of this.store.orders.live()) if (o.tradeId) trades.add(o.tradeId);
    for (const id of report.manualCloses) trades.add(id);
    await Promise.all([...trades].map((id) => this.advance(id)));
    report.tradesStepped = [...trades];
    report.stopsReplaced = report.stopsReplaced.filter((id) =>
      this.store.orders.byTrade(id).some((o) => o.purpose === "STOP_LOSS" && isLive(o)),
    );
    return report;
  }

  // ---- helpers --------------------------------------------------------------------------

  /** A sell of ours not in our store (placed by hand at the broker) on a held symbol: check now. */
  private foreignUpdate(update: OrderUpdate): void {
    if (update.filledQuantity <= 0) return;
    const held = this.store.positions.open().some((p) => p.symbol === update.tradingsymbol);
    if (held) this.track(this.reconcile());
  }

  private markClosing(pos: StoredPosition, reason: string): void {
    this.exitReasons.set(pos.tradeId, reason);
    this.store.transaction(() => {
      this.writePosition(pos, { state: "CLOSING" });
      this.store.audit.record("order-manager", "exit_decided", { tradeId: pos.tradeId, reason });
    });
    crashPoint("exit-decided");
  }

  private writePosition(pos: StoredPosition, changes: Partial<PositionUpsert>): void {
    const { openedAtMs: _o, updatedAtMs: _u, closedAtMs: _c, state, ...rest } = pos;
    if (state === "CLOSED") return;
    this.store.positions.upsert({ ...rest, state, ...changes });
  }

  private reportRefusals(tradeId: string, orders: StoredOrder[]): void {
    for (const o of orders) {
      if (!REFUSED.has(o.status) || this.reportedRefusals.has(o.localId)) continue;
      this.reportedRefusals.add(o.localId);
      const message = o.statusMessage ?? o.status;
      this.alert(o.purpose === "ENTRY" ? "warning" : "critical", `order ${o.tag} refused: ${message}`);
      this.emit("order_rejected", { tradeId, purpose: o.purpose, tag: o.tag, message });
    }
  }

  private recentPlacements(): number {
    const since = this.clock.now() - MINUTE_MS;
    while (this.placements.length > 0 && (this.placements[0] ?? 0) <= since) this.placements.shift();
    return this.placements.length;
  }

  private async safe<T>(call: () => Promise<BrokerResult<T>>): Promise<BrokerResult<T>> {
    try {
      return await call();
    } catch (e) {
      return failureOf(e);
    }
  }

  private track(p: Promise<unknown>): void {
    const guarded = p.catch((e) => this.alert("critical", `order manager: ${String(e)}`));
    this.background.add(guarded);
    void guarded.finally(() => this.background.delete(guarded));
  }

  private alert(level: AlertLevel, message: string): void {
    this.emit("alert", { level, message });
  }

  /**
   * Alerts when the order book becomes unreadable and when it is readable again: once per
   * outage, not at every retry (an expired session would otherwise flood the trader).
   */
  private noteBookRead(failure: string | null): void {
    if (failure !== null && !this.bookOutage) {
      this.bookOutage = true;
      this.alert("warning", `order book unreadable: ${failure}`);
    } else if (failure === null && this.bookOutage) {
      this.bookOutage = false;
      this.alert("info", "order book readable again");
    }
  }

  private alertOnce(key: string, level: AlertLevel, message: string): void {
    if (this.alerted.has(key)) return;
    this.alerted.add(key);
    this.alert(level, message);
  }
}

/** The trade's fills, as a comparable text. */
function fillPrint(store: Store, tradeId: string): string {
  return store.orders
    .byTrade(tradeId)
    .map((o) => `${o.localId}:${o.filledQuantity}:${o.status}`)
    .join(",");
}

/** The trade's date: from a `YYYYMMDD_NNN` id, else today in IST. */
function dateOfTrade(tradeId: string, nowMs: number): string {
  const m = /^(\d{4})(\d{2})(\d{2})/.exec(tradeId);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : istPartsOf(nowMs).date;
}
