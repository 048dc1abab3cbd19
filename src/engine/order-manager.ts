import { EventEmitter } from "node:events";
import { istPartsOf } from "../domain/ist.js";
import type { OrderRequest, OrderUpdate } from "../ports/broker.js";
import type { Store } from "../ports/store.js";
import type { StoredOrder } from "../ports/store-records.js";
import { crashPoint } from "./crash-points.js";
import {
  UNCONFIRMED_ORDER_BOOK_READ_MS,
  unsentAfterMsOf,
  WORKING_ENTRY_BOOK_READ_MS,
} from "./execution-config.js";
import { ExitPath } from "./exit-path.js";
import { OrderDesk } from "./order-desk.js";
import type {
  EntryIntent,
  Exposure,
  OrderManagerDeps,
  OrderManagerEvents,
  ReconcileReport,
} from "./order-manager-types.js";
import { orderTag, roundUpToTick } from "./order-tags.js";
import { Reconciler } from "./reconciler.js";
import { StopKeeper } from "./stop-keeper.js";
import { isLive, REFUSED, viewOf } from "./trade-view.js";

export type {
  AlertLevel,
  EntryIntent,
  Exposure,
  OrderManagerDeps,
  OrderManagerEvents,
  ReconcileReport,
} from "./order-manager-types.js";

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
 * CLOSING (exit decided: the entry's rest cancelled, the stop modified into the exit) → CLOSED.
 *
 * Never naked: outside downtime, every quantity held is covered by a resting protective order
 * (the stop, or the exit that replaced it) within 2 s; `exposures()` measures it. The parts:
 * the stop keeper (stop-keeper.ts), the exit path (exit-path.ts), reconciliation
 * (reconciler.ts), and the broker calls they share (order-desk.ts).
 */

/** Places, protects, exits and reconciles the trades' orders; see the file comment. */
export class OrderManager extends EventEmitter<OrderManagerEvents> {
  private readonly desk: OrderDesk;
  private readonly stops: StopKeeper;
  private readonly exits: ExitPath;
  private readonly reconciler: Reconciler;
  private readonly store: Store;
  private readonly runs = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  private readonly background = new Set<Promise<unknown>>();
  private readonly reportedRefusals = new Set<number>();
  private reconciling: Promise<ReconcileReport> | null = null;
  private entriesBlocked = false;

  constructor(deps: OrderManagerDeps) {
    super();
    this.store = deps.store;
    this.desk = new OrderDesk(
      deps,
      this,
      (tradeId) => this.dirty.add(tradeId),
      (u) => this.onOrderUpdate(u),
    );
    this.stops = new StopKeeper(this.desk);
    this.exits = new ExitPath(this.desk, this.stops);
    this.reconciler = new Reconciler(this.desk, this.stops, (id) => this.advance(id));
  }

  /** Buys `quantity` of `symbol` for a trade; resolves once the entry is placed or refused (fills come later). */
  async enter(intent: EntryIntent): Promise<void> {
    const { desk } = this;
    const { tradeId, symbol, quantity } = intent;
    const held = this.store.positions.byTradeId(tradeId);
    if (held && held.symbol !== symbol) {
      desk.alert(
        "critical",
        `entry of ${tradeId} on ${symbol} refused: that id is ${held.symbol}'s position`,
      );
      return;
    }
    if (this.store.orders.byTag(orderTag(tradeId, "ENTRY")) || held) {
      desk.alert("warning", `entry of ${tradeId} asked again: ignored (one entry a trade)`);
      await this.advance(tradeId);
      return;
    }
    const refuse = (reason: string): void => {
      desk.alert("warning", `entry of ${tradeId} refused: ${reason}`);
      this.emit("entry_failed", { tradeId, reason });
    };
    if (this.entriesBlocked) return refuse("entries blocked after panic");
    if (!Number.isInteger(quantity) || quantity <= 0) return refuse(`bad quantity ${quantity}`);
    if (!(intent.stopLoss > 0)) return refuse(`bad stop loss ${intent.stopLoss}`);
    if (desk.recentPlacements() >= desk.config.maxOrdersPerMinute) {
      return refuse(`order rate cap: ${desk.config.maxOrdersPerMinute} orders a minute reached`);
    }
    const request: Omit<OrderRequest, "tag"> = {
      exchange: desk.config.exchange,
      tradingsymbol: symbol,
      side: "BUY",
      type: desk.config.entryOrder,
      quantity,
      product: desk.config.product,
    };
    if (desk.config.entryOrder === "LIMIT") {
      const ltp = desk.ltpOf(symbol);
      if (ltp === null || !(ltp > 0)) return refuse(`no last price for ${symbol}`);
      request.price = roundUpToTick(ltp * (1 + desk.config.entryLimitBufferPct / 100));
    } else {
      request.marketProtection = desk.config.marketProtection;
    }
    await desk.place({ tradeId, purpose: "ENTRY", attempt: 0 }, request, (order) => {
      this.store.positions.upsert({
        tradeId,
        date: dateOfTrade(tradeId, desk.clock.now()),
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

  /**
   * Exits a trade: its entry's rest cancelled, its stop modified into the exit. Idempotent.
   * `symbol`: the contract the decision is about; a position of another contract under that id
   * is not touched (a critical alert instead).
   */
  async exit(tradeId: string, reason: string, symbol?: string): Promise<void> {
    const pos = this.store.positions.byTradeId(tradeId);
    if (!pos) {
      this.desk.alert("warning", `exit of unknown trade ${tradeId} (${reason}): nothing to do`);
      return;
    }
    if (symbol !== undefined && pos.symbol !== symbol) {
      this.desk.alert(
        "critical",
        `exit of ${tradeId} on ${symbol} (${reason}) refused: that id is ${pos.symbol}'s position, which keeps its stop`,
      );
      return;
    }
    if (pos.state === "OPENING" || pos.state === "OPEN") this.desk.markClosing(pos, reason);
    await this.advance(tradeId);
  }

  /** Records a broker update (idempotently) and steps its trade. Never throws. */
  onOrderUpdate(update: OrderUpdate): void {
    let recorded: ReturnType<Store["recordOrderUpdate"]>;
    try {
      recorded = this.store.recordOrderUpdate(update);
    } catch (e) {
      this.desk.alert("critical", `order update ${update.orderId} could not be recorded: ${String(e)}`);
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
      this.reconciling = this.reconciler.run().finally(() => {
        this.reconciling = null;
      });
    }
    return this.reconciling;
  }

  /**
   * Every held quantity not covered by a resting stop or exit, with since when this process has
   * seen it so: the never-naked invariant's measure (for the chaos suite and /status).
   */
  exposures(nowMs: number = this.desk.clock.now()): Exposure[] {
    return this.stops.exposures(nowMs);
  }

  /**
   * Timers (each trade stepped: exits repriced, resizes retried): entry timeouts, working
   * entries and unanswered orders (the book read), overdue cancels, unknown orders,
   * confirmations, the invariant.
   */
  poll(nowMs: number = this.desk.clock.now()): void {
    const { desk } = this;
    let needBook = false;
    let needReconcile = this.reconciler.confirmationDue(nowMs);
    for (const pos of this.store.positions.open()) {
      const entry = pos.entryOrderId === null ? null : this.store.orders.byLocalId(pos.entryOrderId);
      const age = entry && isLive(entry) ? nowMs - entry.createdAtMs : -1;
      if (entry && pos.state === "OPENING" && age >= desk.config.entryTimeoutMs) {
        this.track(desk.cancel(entry, `entry of ${pos.tradeId} timed out`));
      }
      // Also while the exit waits for the entry's cancel (CLOSING): a fill may have beaten it.
      if (age >= WORKING_ENTRY_BOOK_READ_MS) needBook = true;
      this.track(this.advance(pos.tradeId));
    }
    for (const o of this.store.orders.live()) {
      if (desk.cancelOverdue(o.localId, nowMs)) needBook = true;
      if (
        o.status === "NEW" &&
        !desk.inflight.has(o.tag) &&
        nowMs - o.createdAtMs >= unsentAfterMsOf(o, desk.config)
      )
        needReconcile = true;
      // An answer lost in a burst of 429s or 5xx: the book, once readable, finds the order by tag.
      else if (o.status === "NEW" && !desk.inflight.has(o.tag)) needBook = true;
      if (o.status === "PLACED" && nowMs - o.updatedAtMs >= UNCONFIRMED_ORDER_BOOK_READ_MS) needBook = true;
      if (o.tradeId && this.store.positions.byTradeId(o.tradeId)?.state === "CLOSED")
        this.track(this.advance(o.tradeId));
    }
    this.stops.checkInvariant(nowMs);
    if (needReconcile) this.track(this.reconcile());
    else if (needBook) this.track(desk.refreshBook());
  }

  /** The kill switch: blocks entries, cancels every open order, exits every position. */
  async panic(): Promise<void> {
    const { desk } = this;
    this.entriesBlocked = true;
    desk.alert("critical", "PANIC: cancelling every order, exiting every position");
    const open = this.store.positions.open();
    for (const pos of open)
      if (pos.state === "OPENING" || pos.state === "OPEN") desk.markClosing(pos, "PANIC");
    const book = await desk.safe(() => desk.broker.orders());
    if (book.ok) {
      for (const u of book.value) {
        if (u.status !== "OPEN" && u.status !== "TRIGGER PENDING") continue;
        const ours = this.store.orders.byKiteId(u.orderId) ?? (u.tag ? this.store.orders.byTag(u.tag) : null);
        // Ours are handled by their trade's exit (the stop becomes the sale; nothing left naked).
        if (!ours) await desk.safe(() => desk.broker.cancelOrder(u.orderId));
      }
    } else {
      desk.alert("critical", `panic: the order book could not be read: ${book.error.message}`);
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
            this.desk.alert("critical", `trade ${tradeId}: step failed: ${String(e)}`);
          }
        } while (this.dirty.has(tradeId));
        // Measured after every step, not only at the next poll: an exposure dates from the step
        // that left it (a fill learnt, a stop refused), which is when the trader's risk began.
        try {
          this.stops.exposures();
        } catch (e) {
          this.desk.alert("critical", `trade ${tradeId}: exposure not measured: ${String(e)}`);
        }
      } finally {
        this.runs.delete(tradeId);
      }
    })();
    this.runs.set(tradeId, run);
    return run;
  }

  private async step(tradeId: string): Promise<void> {
    const { desk } = this;
    const pos = this.store.positions.byTradeId(tradeId);
    if (!pos) return;
    const orders = this.store.orders.byTrade(tradeId);
    const v = viewOf(orders);
    this.reportRefusals(tradeId, orders);
    // An order whose fate is unknown could be live at the broker: decide nothing until it is known.
    if (v.unresolved.length > 0) return;
    if (v.held < 0)
      desk.alertOnce(`short:${tradeId}`, "critical", `trade ${tradeId} sold more than it bought`);

    if (pos.state === "CLOSED") {
      for (const o of orders) if (isLive(o)) await desk.cancel(o, `trade ${tradeId} is closed`);
      return;
    }
    if (pos.state === "CLOSING") return this.exits.step(pos, v);

    // A protective stop that sold anything: the position is being stopped out; finish it as an exit.
    if (v.stops.some((s) => s.filledQuantity > 0)) {
      desk.markClosing(pos, "protective_stop");
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
        desk.writePosition(pos, { state: "OPEN", quantity: v.held, averagePrice: entry.averagePrice });
        crashPoint("entry-filled");
        this.emit("entry_filled", { tradeId, quantity: v.bought, averagePrice: entry.averagePrice });
        this.dirty.add(tradeId);
        return;
      }
      if (v.bought > pos.quantity) {
        desk.writePosition(pos, { quantity: v.held, averagePrice: entry.averagePrice });
        this.emit("partial_fill", { tradeId, filledQuantity: v.bought, quantity: entry.quantity });
      }
    }
    if (v.held > 0) await this.stops.ensureStop(pos, v);
  }

  // ---- helpers --------------------------------------------------------------------------

  /** A sell of ours not in our store (placed by hand at the broker) on a held symbol: check now. */
  private foreignUpdate(update: OrderUpdate): void {
    if (update.filledQuantity <= 0) return;
    const held = this.store.positions.open().some((p) => p.symbol === update.tradingsymbol);
    if (held) this.track(this.reconcile());
  }

  private reportRefusals(tradeId: string, orders: StoredOrder[]): void {
    for (const o of orders) {
      if (!REFUSED.has(o.status) || this.reportedRefusals.has(o.localId)) continue;
      this.reportedRefusals.add(o.localId);
      const message = o.statusMessage ?? o.status;
      this.desk.alert(o.purpose === "ENTRY" ? "warning" : "critical", `order ${o.tag} refused: ${message}`);
      this.emit("order_rejected", { tradeId, purpose: o.purpose, tag: o.tag, message });
    }
  }

  private track(p: Promise<unknown>): void {
    const guarded = p.catch((e) => this.desk.alert("critical", `order manager: ${String(e)}`));
    this.background.add(guarded);
    void guarded.finally(() => this.background.delete(guarded));
  }
}

/** The trade's date: from a `YYYYMMDD_NNN` id, else today in IST. */
function dateOfTrade(tradeId: string, nowMs: number): string {
  const m = /^(\d{4})(\d{2})(\d{2})/.exec(tradeId);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : istPartsOf(nowMs).date;
}
