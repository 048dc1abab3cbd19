import type { ChargeRates } from "../../domain/charges.js";
import { istPartsOf } from "../../domain/ist.js";
import { type MarketRules, type MarketTrade, matchOrder } from "../../domain/matching/match-order.js";
import {
  type CheckedOrder,
  type InstrumentFacts,
  modifiedMarketProtection,
  orderProblem,
} from "../../domain/matching/order-checks.js";
import {
  checkSlippage,
  DEFAULT_TICK_SIZE,
  NO_SLIPPAGE,
  protectionLimitOf,
  type Slippage,
} from "../../domain/matching/prices.js";
import type {
  Broker,
  BrokerPosition,
  BrokerResult,
  OrderRequest,
  OrderType,
  OrderUpdate,
} from "../../ports/broker.js";
import type { Clock } from "../../ports/clock.js";
import type { MarketTick } from "../../ports/market-data.js";
import { type OrderUpdateListener, OrderUpdateListeners } from "../order-update-listeners.js";
import { type OrderIdSource, sequentialOrderIds } from "./order-ids.js";
import type { PaperJournal } from "./paper-journal.js";
import { isLive, kiteTimestampOf, type PaperOrder, pendingOf, updateOf } from "./paper-order.js";
import { PaperPositions, type RoundTrip } from "./paper-positions.js";
import { isIndexOption, rejectionOf, SLM_INDEX_OPTION_REJECTION, tagProblem } from "./paper-rules.js";
import { bookOf, type TickBook } from "./tick-book.js";

/*
 * The Broker port for paper mode: orders are kept here and filled against the market ticks
 * the broker is fed (live ticks, or the simulator's), by domain/matching's rules, the same
 * that decide fills in `pivot sim`. With a journal (the paper database), every order and fill
 * is written as it happens and the day's book is found again after a restart.
 *
 * Fill timing: an order may fill only on a tick stamped strictly AFTER the millisecond it was
 * placed (or modified). A tick of the same millisecond is taken to be the one the decision
 * was made on, or one the order could not have reached in time: filling on it would let paper
 * mode trade on a price it had already seen. `onTicks` stamps ticks with the clock's time of
 * arrival (Kite's exchange timestamps have whole seconds only).
 *
 * Updates are delivered synchronously, as the state changes (placement, trigger, fill,
 * modification, cancellation): the placement's update may reach listeners before
 * placeOrder's promise resolves, as a Kite socket update may; listeners match by tag.
 * Everything is deterministic: ids come from the injected source, times from the clock.
 */

export interface PaperBrokerOptions {
  /** Placement times and order timestamps. */
  clock: Clock;
  /** Default `sequentialOrderIds()` (continued after the journal's last id): PAPER000001, ... */
  orderIds?: OrderIdSource;
  /** A taker's slippage when the feed has no depth. Default none (the service passes `paper.slippage_ticks`). */
  slippage?: Slippage;
  /** Default 0.05. */
  tickSize?: number;
  /** Lot size by tradingsymbol: a quantity that is not a multiple is refused (symbols not listed are not checked). */
  lotSizes?: ReadonlyMap<string, number>;
  /** Which instruments refuse SL-M (default: index options on BFO/NFO). */
  isIndexOption?: (exchange: string, tradingsymbol: string) => boolean;
  /** Rates for the round-trip charges (default the domain's). */
  chargeRates?: ChargeRates;
  /** Where the book is written; the day's orders and fills are read back from it at construction. */
  journal?: PaperJournal;
  /** A listener threw (the other listeners still get the update). */
  onListenerError?: (error: unknown, update: OrderUpdate) => void;
  /** The journal could not be written (default: printed to stderr). */
  onJournalError?: (error: unknown, orderId?: string) => void;
}

/** What a modification may change: the port's fields, and the market protection of an order turned into MARKET. */
export interface PaperModification {
  quantity?: number;
  price?: number;
  triggerPrice?: number;
  type?: OrderType;
  marketProtection?: number;
}

type Listener = OrderUpdateListener;
type IdResult = BrokerResult<{ orderId: string }>;

/** A simulated broker that fills orders against the ticks it is fed. */
export class PaperBroker implements Broker {
  private readonly clock: Clock;
  private readonly nextId: OrderIdSource;
  private readonly slippage: Slippage;
  private readonly tickSize: number;
  private readonly lotSizes: ReadonlyMap<string, number>;
  private readonly indexOption: (exchange: string, tradingsymbol: string) => boolean;
  private readonly journal: PaperJournal | undefined;
  private readonly onJournalError: (error: unknown, orderId?: string) => void;
  private readonly book: PaperOrder[] = [];
  private readonly byId = new Map<string, PaperOrder>();
  /** Live orders, in placement order (the order they are matched in on a tick). */
  private readonly live = new Set<PaperOrder>();
  private readonly usedTags = new Set<string>();
  private readonly lastPrices = new Map<string, number>();
  private readonly positionBook: PaperPositions;
  private readonly listeners: OrderUpdateListeners;

  constructor(options: PaperBrokerOptions) {
    this.clock = options.clock;
    this.slippage = options.slippage ?? NO_SLIPPAGE;
    checkSlippage(this.slippage);
    this.tickSize = options.tickSize ?? DEFAULT_TICK_SIZE;
    if (!(this.tickSize > 0)) throw new RangeError(`tickSize must be above 0, got ${this.tickSize}`);
    this.lotSizes = options.lotSizes ?? new Map();
    this.indexOption = options.isIndexOption ?? isIndexOption;
    this.listeners = new OrderUpdateListeners(options.onListenerError);
    this.positionBook = new PaperPositions(options.chargeRates);
    this.journal = options.journal;
    this.onJournalError =
      options.onJournalError ??
      ((e, orderId) =>
        console.error(`paper broker: book not written${orderId ? ` (${orderId})` : ""}: ${String(e)}`));
    this.nextId = options.orderIds ?? sequentialOrderIds("PAPER", this.journal?.lastOrderId() ?? null);
    if (this.journal) this.resume(this.journal);
  }

  placeOrder(request: OrderRequest): Promise<IdResult> {
    return Promise.resolve(this.place(request));
  }

  modifyOrder(orderId: string, changes: PaperModification): Promise<IdResult> {
    return Promise.resolve(this.modify(orderId, changes));
  }

  cancelOrder(orderId: string): Promise<IdResult> {
    return Promise.resolve(this.cancel(orderId));
  }

  /** Every order of the day at its latest state, in placement order. */
  orders(): Promise<BrokerResult<OrderUpdate[]>> {
    return Promise.resolve({ ok: true, value: this.book.map(updateOf) });
  }

  positions(): Promise<BrokerResult<BrokerPosition[]>> {
    return Promise.resolve({ ok: true, value: this.positionBook.list() });
  }

  onOrderUpdate(listener: Listener): () => void {
    return this.listeners.add(listener);
  }

  /**
   * A trade at `lastPrice` on `tradingsymbol` at `epochMs` (default now): marks positions,
   * matches live orders. `book`: the best bid and ask (a taker crosses the spread to them)
   * and the traded quantity (a resting order fills at most that), when the feed has them.
   */
  onTick(
    tradingsymbol: string,
    lastPrice: number,
    epochMs: number = this.clock.now(),
    book: TickBook = {},
  ): void {
    if (!Number.isFinite(lastPrice) || lastPrice <= 0) return;
    this.lastPrices.set(tradingsymbol, lastPrice);
    const trade: MarketTrade = { ...book, price: lastPrice };
    for (const order of [...this.live]) {
      if (order.tradingsymbol !== tradingsymbol || epochMs <= order.armedAfterMs) continue;
      this.match(order, trade, epochMs);
    }
    this.positionBook.mark(tradingsymbol, lastPrice);
  }

  /** The ticks of a ticker frame, stamped with the clock's time of arrival; `symbolOf` names each token. */
  onTicks(ticks: readonly MarketTick[], symbolOf: (instrumentToken: number) => string | undefined): void {
    const now = this.clock.now();
    for (const tick of ticks) {
      if (!tick.tradable) continue;
      const symbol = symbolOf(tick.instrument_token);
      if (symbol !== undefined) this.onTick(symbol, tick.last_price, now, bookOf(tick));
    }
  }

  /** The round trips completed so far, each with its charges. */
  roundTrips(): readonly RoundTrip[] {
    return this.positionBook.roundTrips();
  }

  /** The day's realised P&L: gross, charges of the round trips, net. */
  realisedPnl(): { gross: number; charges: number; net: number } {
    return this.positionBook.realised();
  }

  /** The day's book as the journal kept it: orders (live ones matched again), tags spent, positions. */
  private resume(journal: PaperJournal): void {
    const day = journal.loadDay(istPartsOf(this.clock.now()).date);
    for (const order of day.orders) {
      this.book.push(order);
      this.byId.set(order.orderId, order);
      this.usedTags.add(order.tag);
      if (isLive(order)) this.live.add(order);
    }
    for (const fill of day.fills) this.positionBook.apply(fill);
  }

  private place(r: OrderRequest): IdResult {
    const badTag = tagProblem(r.tag);
    if (badTag) return inputFailure(badTag);
    if (this.usedTags.has(r.tag)) {
      return inputFailure(`order tag ${r.tag} was already sent: every order needs a new tag`);
    }
    // As KiteRest does: a tag is spent once the request goes out, whatever Kite answers.
    this.usedTags.add(r.tag);
    const checked: CheckedOrder = {
      side: r.side,
      type: r.type,
      quantity: r.quantity,
      price: r.type === "LIMIT" || r.type === "SL" ? (r.price ?? 0) : 0,
      triggerPrice: r.type === "SL" || r.type === "SL-M" ? (r.triggerPrice ?? 0) : 0,
      // Kite refuses MARKET / SL-M without it; the port's contract is "-1 when left out", as KiteRest sends.
      marketProtection: r.marketProtection ?? (r.type === "MARKET" || r.type === "SL-M" ? -1 : 0),
    };
    const problem = orderProblem(checked, this.facts(r.tradingsymbol));
    if (problem) return inputFailure(problem);
    const now = this.clock.now();
    const stamp = kiteTimestampOf(now);
    const order: PaperOrder = {
      ...checked,
      orderId: this.nextId(),
      tag: r.tag,
      exchange: r.exchange,
      tradingsymbol: r.tradingsymbol,
      product: r.product,
      status: isStop(r.type) ? "TRIGGER PENDING" : "OPEN",
      statusMessage: null,
      filledQuantity: 0,
      averagePrice: 0,
      armedAfterMs: now,
      orderTimestamp: stamp,
      updatedAt: stamp,
      triggered: false,
      protectionLimit: this.marketBound(r.type, checked, r.tradingsymbol),
      arriving: true,
      fillValue: 0,
      date: istPartsOf(now).date,
    };
    const rejection = rejectionOf(checked, this.indexOption(r.exchange, r.tradingsymbol));
    if (rejection) {
      order.status = "REJECTED";
      order.statusMessage = rejection;
    }
    const unwritten = this.write(() => this.journal?.saveOrder(order), order.orderId);
    if (unwritten) return unwritten;
    this.book.push(order);
    this.byId.set(order.orderId, order);
    if (isLive(order)) this.live.add(order);
    this.emit(order);
    return { ok: true, value: { orderId: order.orderId } };
  }

  private modify(orderId: string, changes: PaperModification): IdResult {
    const order = this.byId.get(orderId);
    if (!order) return inputFailure("Couldn't find that `order_id`.");
    if (!isLive(order)) return inputFailure(`Order cannot be modified as it is ${order.status}.`);
    const type = changes.type ?? order.type;
    const next: CheckedOrder = {
      side: order.side,
      type,
      quantity: changes.quantity ?? order.quantity,
      price: changes.price ?? order.price,
      triggerPrice: changes.triggerPrice ?? order.triggerPrice,
      marketProtection: modifiedMarketProtection(type, order.marketProtection, changes.marketProtection),
    };
    if (type === "SL-M" && order.type !== "SL-M" && this.indexOption(order.exchange, order.tradingsymbol))
      return inputFailure(SLM_INDEX_OPTION_REJECTION);
    const typeChanged = type !== order.type;
    const stillStop = isStop(type) && (typeChanged || !order.triggered);
    const facts = this.facts(order.tradingsymbol);
    const problem = orderProblem(
      next,
      stillStop ? facts : { ...facts, lastPrice: undefined },
      Math.max(1, order.filledQuantity),
    );
    if (problem) return inputFailure(problem);
    const now = this.clock.now();
    const stamp = kiteTimestampOf(now);
    const triggered = typeChanged ? false : order.triggered;
    const complete = order.filledQuantity >= next.quantity; // cut down to what had filled already
    const modified: PaperOrder = {
      ...order,
      ...next,
      triggered,
      protectionLimit: this.marketBound(type, next, order.tradingsymbol),
      // A modified order is a new order to the exchange: it arrives again, after this moment.
      armedAfterMs: now,
      arriving: true,
      orderTimestamp: stamp,
      updatedAt: stamp,
      status: complete ? "COMPLETE" : isStop(type) && !triggered ? "TRIGGER PENDING" : "OPEN",
    };
    const unwritten = this.write(() => this.journal?.saveOrder(modified), orderId);
    if (unwritten) return unwritten;
    Object.assign(order, modified);
    if (complete) this.live.delete(order);
    this.emit(order);
    return { ok: true, value: { orderId } };
  }

  private cancel(orderId: string): IdResult {
    const order = this.byId.get(orderId);
    if (!order) return inputFailure("Couldn't find that `order_id`.");
    // Cancelling twice is not an error: the order is cancelled, which is what was asked.
    if (order.status === "CANCELLED") return { ok: true, value: { orderId } };
    if (!isLive(order)) return inputFailure(`Order cannot be cancelled as it is ${order.status}.`);
    const cancelled: PaperOrder = {
      ...order,
      status: "CANCELLED",
      updatedAt: kiteTimestampOf(this.clock.now()),
    };
    const unwritten = this.write(() => this.journal?.saveOrder(cancelled), orderId);
    if (unwritten) return unwritten;
    Object.assign(order, cancelled);
    this.live.delete(order);
    this.emit(order);
    return { ok: true, value: { orderId } };
  }

  private match(order: PaperOrder, trade: MarketTrade, epochMs: number): void {
    const outcome = matchOrder(
      { ...order, pendingQuantity: pendingOf(order) },
      trade,
      this.rulesOf(order.tradingsymbol),
    );
    order.protectionLimit = outcome.protectionLimit;
    order.arriving = outcome.arriving;
    if (outcome.triggers) {
      order.triggered = true;
      order.status = "OPEN";
      order.updatedAt = kiteTimestampOf(epochMs);
    }
    if (outcome.fill === null) {
      if (outcome.triggers) {
        this.record(() => this.journal?.saveOrder(order), order);
        this.emit(order);
      }
      return;
    }
    const { price, quantity } = outcome.fill;
    order.filledQuantity += quantity;
    order.fillValue += price * quantity;
    order.averagePrice = Math.round((order.fillValue / order.filledQuantity) * 100) / 100;
    order.updatedAt = kiteTimestampOf(epochMs);
    if (order.filledQuantity >= order.quantity) {
      order.status = "COMPLETE";
      this.live.delete(order);
    }
    const fill = {
      orderId: order.orderId,
      exchange: order.exchange,
      tradingsymbol: order.tradingsymbol,
      product: order.product,
      side: order.side,
      quantity,
      price,
      atMs: epochMs,
    };
    this.record(() => this.journal?.saveFill(order, fill), order);
    this.positionBook.apply(fill);
    this.emit(order);
  }

  /**
   * A request's change written to the journal before it takes effect: when the write fails
   * nothing changed, and the caller is told (as a broker error it may retry).
   */
  private write(save: () => void, orderId: string): IdResult | null {
    try {
      save();
      return null;
    } catch (e) {
      this.onJournalError(e, orderId);
      return {
        ok: false,
        error: { kind: "server", message: `the paper book could not be written: ${String(e)}` },
      };
    }
  }

  /**
   * A market event written to the journal: it happened (the tick went by), so it stands in
   * memory even when the write fails, and the failure is reported rather than thrown into the feed.
   */
  private record(save: () => void, order: PaperOrder): void {
    try {
      save();
    } catch (e) {
      this.onJournalError(e, order.orderId);
    }
  }

  /** A MARKET order's bound from the last price (undefined: fixed on its first tick; null: none). */
  private marketBound(type: OrderType, o: CheckedOrder, tradingsymbol: string): number | null | undefined {
    if (type !== "MARKET") return undefined;
    const last = this.lastPrices.get(tradingsymbol);
    return last === undefined
      ? undefined
      : protectionLimitOf(o.side, o.marketProtection, last, this.tickSize);
  }

  private rulesOf(tradingsymbol: string): MarketRules {
    return {
      tickSize: this.tickSize,
      slippage: this.slippage,
      lotSize: this.lotSizes.get(tradingsymbol) ?? 1,
    };
  }

  private facts(tradingsymbol: string): InstrumentFacts {
    return {
      tradingsymbol,
      tickSize: this.tickSize,
      lotSize: this.lotSizes.get(tradingsymbol),
      lastPrice: this.lastPrices.get(tradingsymbol),
    };
  }

  private emit(order: PaperOrder): void {
    this.listeners.emit(updateOf(order));
  }
}

function isStop(type: OrderType): boolean {
  return type === "SL" || type === "SL-M";
}

function inputFailure(message: string): IdResult {
  return { ok: false, error: { kind: "input", message } };
}
