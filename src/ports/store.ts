/*
 * The store as the engine uses it: what it writes and reads back of orders, positions, trades,
 * signals, the day's universe and candles, the daily summary, the operator's switches, the
 * audit log and the postbacks as received, and transactions spanning them. adapters/sqlite's
 * `Store` implements it; the engine never names the database. Each part lists only what the
 * engine calls, so a second implementation (a fake, another database) knows what it owes.
 */

import type { Candle } from "../domain/candle.js";
import type { IsoDate } from "../domain/ist.js";
import type { SummaryFigures } from "../domain/summary.js";
import type { OpenPosition, SignalRecord, StoredTrade, Trade } from "../domain/trade.js";
import type { TradeFills } from "../domain/trade-fills.js";
import type { OrderRequest, OrderUpdate } from "./broker.js";
import type {
  AuditEntry,
  ControlState,
  DailySummary,
  DayUniverse,
  OrderPurpose,
  PositionUpsert,
  PostbackClaim,
  PostbackVerdict,
  RecordedOrderUpdate,
  RecordedPostback,
  StoredOrder,
  StoredPosition,
} from "./store-records.js";

/** Orders, written NEW before they are sent; updates apply only when they move an order forward. */
export interface OrdersStore {
  insertNew(request: OrderRequest, meta: { purpose: OrderPurpose; tradeId?: string | null }): StoredOrder;
  /** Kite refused the placement. True when the order changed. */
  markFailed(localId: number, message: string): boolean;
  /** A modification Kite accepted. True when the order changed. */
  recordModification(
    localId: number,
    m: Pick<StoredOrder, "type" | "quantity" | "price" | "triggerPrice" | "marketProtection">,
  ): boolean;
  byLocalId(localId: number): StoredOrder | null;
  byTag(tag: string): StoredOrder | null;
  byKiteId(kiteOrderId: string): StoredOrder | null;
  /** A trade's orders, oldest first. */
  byTrade(tradeId: string): StoredOrder[];
  /** Orders not final at the broker. */
  live(): StoredOrder[];
  /** Orders created at or after `fromMs`. */
  since(fromMs: number): StoredOrder[];
}

/** Positions: upserted as they change, closed once; a closed position is never reopened. */
export interface PositionsStore {
  upsert(p: PositionUpsert): boolean;
  close(tradeId: string, exitOrderId?: number | null): boolean;
  byTradeId(tradeId: string): StoredPosition | null;
  /** Positions not closed. */
  open(): StoredPosition[];
}

/** Trades: upserted OPEN on entry, written CLOSED on exit, with what the broker filled. */
export interface TradesStore {
  recordFills(tradeId: string, fills: TradeFills): boolean;
  upsertOpen(date: IsoDate, position: OpenPosition, lotSize?: number | null): boolean;
  discardOpen(tradeId: string): boolean;
  recordClosed(trade: Trade, lotSize?: number | null): boolean;
  byId(tradeId: string): StoredTrade | null;
  byDate(date: IsoDate): StoredTrade[];
  /** `month` as YYYY-MM. */
  byMonth(month: string): StoredTrade[];
  between(from: IsoDate, to: IsoDate): StoredTrade[];
  open(): StoredTrade[];
}

export interface SignalsStore {
  insert(s: SignalRecord): boolean;
  byDate(date: IsoDate): SignalRecord[];
}

export interface DailySummaryStore {
  upsert(date: IsoDate, figures: SummaryFigures, slippageRupees?: number | null): void;
  get(date: IsoDate): DailySummary | null;
  between(from: IsoDate, to: IsoDate): DailySummary[];
}

/** The day's universe and pivots (rewritten whole). */
export interface UniverseStore {
  replace(day: DayUniverse): void;
  get(date: IsoDate): DayUniverse | null;
}

/** The day's candles as they close. */
export interface CandlesStore {
  /** False when the candle was stored before. */
  append(date: IsoDate, symbol: string, candle: Candle): boolean;
  /** The date's candles by symbol, oldest first. */
  day(date: IsoDate): Map<string, Candle[]>;
}

/** The operator's switches, kept across restarts. */
export interface ControlStore {
  read(): ControlState;
  entriesEnabled(): boolean;
  setEntriesEnabled(enabled: boolean, by: string): void;
  panic(): boolean;
  setPanic(panic: boolean, by: string): void;
  lots(): number | null;
  setLots(lots: number | null, by: string): void;
}

/** The audit log of operator actions: append-only. */
export interface AuditStore {
  record(actor: string, action: string, details?: Record<string, unknown>): AuditEntry;
  recent(limit?: number): AuditEntry[];
}

/** The outbox of messages, as the engine's status reads it. */
export interface OutboxCounts {
  backlogCounts(): { waiting: number; uncertain: number };
}

/** Postbacks as received, before anything believes them (see engine/postback-confirmer.ts). */
export interface PostbackBodiesStore {
  /** Stores a group of arrivals in one transaction, in order. */
  recordArrivals(updates: readonly OrderUpdate[]): RecordedPostback[];
  /** The order's claims waiting for the order book's verdict. */
  pending(orderId: string): PostbackClaim[];
  pendingOrderIds(): string[];
  settle(id: number, verdict: Exclude<PostbackVerdict, "PENDING">, reason: string | null): boolean;
}

/** Every part over one database, and transactions spanning them. */
export interface Store {
  readonly orders: OrdersStore;
  readonly positions: PositionsStore;
  readonly trades: TradesStore;
  readonly signals: SignalsStore;
  readonly dailySummary: DailySummaryStore;
  readonly universe: UniverseStore;
  readonly candles: CandlesStore;
  readonly control: ControlStore;
  readonly audit: AuditStore;
  readonly outbox: OutboxCounts;
  readonly postbackBodies: PostbackBodiesStore;
  /** Runs `fn` in one transaction: all its writes or none. `fn` must be synchronous. */
  transaction<T>(fn: () => T): T;
  /** Records an order update and applies it to its order, in one transaction; idempotent. */
  recordOrderUpdate(update: OrderUpdate): RecordedOrderUpdate;
  /** Records several updates in one transaction (a group commit), each as `recordOrderUpdate`. */
  recordOrderUpdates(updates: readonly OrderUpdate[]): RecordedOrderUpdate[];
  /** Records Kite's order id for an order and applies the updates that came first. True when it changed. */
  linkKiteOrderId(localId: number, kiteOrderId: string): boolean;
  /** Calls `listener` with every order an update moves forward, once committed; returns the unsubscribe. */
  onOrderChanged(listener: (order: StoredOrder) => void): () => void;
  close(): void;
}
