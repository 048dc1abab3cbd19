import type { Transaction } from "better-sqlite3";
import type { OrderUpdate } from "../../ports/broker.js";
import type { Clock } from "../../ports/clock.js";
import type { Store as StorePort } from "../../ports/store.js";
import type { AppliedUpdate, RecordedOrderUpdate, StoredOrder } from "../../ports/store-records.js";
import { AuditLogRepository } from "./audit-repo.js";
import { CandlesRepository } from "./candles-repo.js";
import { ControlStateRepository } from "./control-repo.js";
import { DailySummaryRepository } from "./daily-summary-repo.js";
import { type Db, type OpenDatabaseOptions, openDatabase } from "./database.js";
import { OrderEventsRepository } from "./order-events-repo.js";
import { OrdersRepository } from "./orders-repo.js";
import { OutboxRepository } from "./outbox-repo.js";
import { PositionsRepository } from "./positions-repo.js";
import { PostbackBodiesRepository } from "./postback-bodies-repo.js";
import { SignalsRepository } from "./signals-repo.js";
import { TradesRepository } from "./trades-repo.js";
import { UniverseRepository } from "./universe-repo.js";

/** Every repository over one connection, and transactions spanning them. */
export class Store implements StorePort {
  readonly trades: TradesRepository;
  readonly signals: SignalsRepository;
  readonly dailySummary: DailySummaryRepository;
  readonly orders: OrdersRepository;
  readonly orderEvents: OrderEventsRepository;
  readonly positions: PositionsRepository;
  readonly universe: UniverseRepository;
  readonly candles: CandlesRepository;
  readonly control: ControlStateRepository;
  readonly audit: AuditLogRepository;
  readonly outbox: OutboxRepository;
  /** Made on first use: only the live postback intake reads it. */
  private postbackBodiesRepo: PostbackBodiesRepository | null = null;
  /** Updates recorded by `recordOrderUpdates` whose result `recordOrderUpdate` has not handed out yet. */
  private readonly recordedInBatch = new WeakMap<OrderUpdate, RecordedOrderUpdate>();
  /** Told of each order an update moved forward, after the commit (the metrics count them). */
  private readonly orderChangeListeners = new Set<(order: StoredOrder) => void>();
  /** Made once: better-sqlite3 builds wrapper functions at each `db.transaction` call. */
  private readonly recordBatchTx: Transaction<(updates: readonly OrderUpdate[]) => RecordedOrderUpdate[]>;

  constructor(
    readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.trades = new TradesRepository(db, clock);
    this.signals = new SignalsRepository(db, clock);
    this.dailySummary = new DailySummaryRepository(db, clock);
    this.orders = new OrdersRepository(db, clock);
    this.orderEvents = new OrderEventsRepository(db, clock);
    this.positions = new PositionsRepository(db, clock);
    this.universe = new UniverseRepository(db, clock);
    this.candles = new CandlesRepository(db);
    this.control = new ControlStateRepository(db, clock);
    this.audit = new AuditLogRepository(db, clock);
    this.outbox = new OutboxRepository(db, clock);
    this.recordBatchTx = db.transaction((updates: readonly OrderUpdate[]) =>
      updates.map((u) => this.recordOne(u)),
    );
  }

  /** The postbacks as received (schema v5), over the same connection. */
  get postbackBodies(): PostbackBodiesRepository {
    this.postbackBodiesRepo ??= new PostbackBodiesRepository(this.db, this.clock);
    return this.postbackBodiesRepo;
  }

  /** Opens the database at `path` (see `openDatabase`) and builds the store over it. */
  static open(path: string, options: OpenDatabaseOptions): Store {
    const opened = openDatabase(path, options);
    return new Store(opened.db, opened.clock);
  }

  /**
   * Runs `fn` in one transaction: all its writes or none. Nested calls become savepoints. `fn`
   * must be synchronous (no await inside: the transaction would commit at the first await).
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /**
   * Records an order update (its arrival, and the event if new) and applies it to the order,
   * in one transaction. Idempotent: the same update again changes nothing.
   *
   * An update object already recorded by `recordOrderUpdates` is not recorded again: the first
   * call with it returns the result of that recording. This is how an update stored by the
   * postback sink's group commit reaches the order manager (whose `onOrderUpdate` records what
   * it is given) along one path: one arrival row, and the order manager still sees whether the
   * order changed.
   */
  recordOrderUpdate(update: OrderUpdate): RecordedOrderUpdate {
    const recorded = this.recordedInBatch.get(update);
    if (recorded) {
      this.recordedInBatch.delete(update);
      return recorded;
    }
    return this.toldChanged(this.recordBatchTx.immediate([update]))[0] as RecordedOrderUpdate;
  }

  /** Calls `listener` with every order an update moves forward, once committed; returns the unsubscribe. */
  onOrderChanged(listener: (order: StoredOrder) => void): () => void {
    this.orderChangeListeners.add(listener);
    return () => this.orderChangeListeners.delete(listener);
  }

  private toldChanged<R extends AppliedUpdate>(results: R[]): R[] {
    for (const r of results) {
      if (!r.changed || !r.order) continue;
      for (const listener of this.orderChangeListeners) {
        try {
          listener(r.order);
        } catch {
          // a listener's failure is not the recording's
        }
      }
    }
    return results;
  }

  /**
   * Records several updates in one transaction (a group commit: one commit for the lot instead
   * of one each), each as `recordOrderUpdate` would; all or none. The results, in order, are
   * also remembered for the update objects (weakly), so that handing each of them afterwards
   * to `recordOrderUpdate` returns its result instead of recording it twice.
   */
  recordOrderUpdates(updates: readonly OrderUpdate[]): RecordedOrderUpdate[] {
    const results = this.toldChanged(this.recordBatchTx.immediate(updates));
    updates.forEach((u, i) => {
      const r = results[i];
      if (r) this.recordedInBatch.set(u, r);
    });
    return results;
  }

  private recordOne(update: OrderUpdate): RecordedOrderUpdate {
    const { isNew } = this.orderEvents.record(update);
    return { ...this.orders.applyUpdate(update), isNewEvent: isNew };
  }

  /**
   * Records Kite's order id for an order and applies the updates of that id that arrived before
   * it was known (an update may beat the placement's answer). True when the order changed.
   */
  linkKiteOrderId(localId: number, kiteOrderId: string): boolean {
    const applied = this.transaction(() => {
      const placed = this.orders.markPlaced(localId, kiteOrderId);
      const updates = this.orderEvents.byKiteOrderId(kiteOrderId).map((e) => this.orders.applyUpdate(e));
      return { placed, updates };
    });
    this.toldChanged(applied.updates);
    return applied.placed || applied.updates.some((u) => u.changed);
  }

  /** Closes the connection (checkpointing the WAL). */
  close(): void {
    if (this.db.open) this.db.close();
  }
}
