/**
 * The order book: placing, modifying and cancelling regular orders, matching them against the
 * replay's ticks, and the trades they make. Every status an order passes through is kept in
 * its history, in Kite's order: PUT ORDER REQ RECEIVED → VALIDATION PENDING → OPEN PENDING →
 * OPEN / TRIGGER PENDING → COMPLETE / CANCELLED, or → REJECTED.
 */
import { istPartsOf } from "../domain/ist.js";
import { matchOrder } from "../domain/matching/match-order.js";
import { SLM_INDEX_OPTION_REJECTION } from "../domain/matching/order-checks.js";
import { protectionLimitOf } from "../domain/matching/prices.js";
import { matchableOf, rulesOf, tradeFor } from "./book-matching.js";
import { DEFAULT_REJECTION, type FaultState } from "./faults.js";
import type { SimInstrument, SimInstruments } from "./instruments.js";
import { inputError, KiteError } from "./kite-errors.js";
import { availableCash, type MarginFigures, marginFigures } from "./margins.js";
import type { LiveQuote, ReplayTick } from "./market-replay.js";
import {
  applyModifyFields,
  checkOrderValues,
  type FormFields,
  validatePlaceFields,
} from "./order-validation.js";
import { type OrderPayload, type OrderStatus, orderPayload, type SimOrder, type SimTrade } from "./orders.js";
import { type PositionRow, positionsOf } from "./positions.js";
import { hashString } from "./rng.js";

/** Order updates Kite posts: COMPLETE, CANCELLED, REJECTED, and UPDATE (partial fill, modification). */
export type UpdateKind = "COMPLETE" | "CANCELLED" | "REJECTED" | "UPDATE";

/** The market the book trades against. */
export interface BookMarket {
  /** Market time, epoch ms. */
  now(): number;
  isSessionOpen(): boolean;
  quote(token: number): LiveQuote | undefined;
  /** Sequence number of the next tick to be played. */
  nextSeq(): number;
}

export interface OrderBookOptions {
  instruments: SimInstruments;
  market: BookMarket;
  faults: FaultState;
  userId: string;
  openingBalance: number;
  /** Called on every update Kite would post (postback and socket). */
  onUpdate: (order: SimOrder, kind: UpdateKind) => void;
}

const MAX_MODIFICATIONS = 25;
const OPEN_STATUSES: ReadonlySet<OrderStatus> = new Set(["OPEN", "TRIGGER PENDING"]);

export { SLM_INDEX_OPTION_REJECTION };

/** The account's orders and trades for the replay day. */
export class OrderBook {
  private readonly orders: SimOrder[] = [];
  private readonly byId = new Map<string, SimOrder>();
  private readonly trades: SimTrade[] = [];
  private readonly openByToken = new Map<number, Set<SimOrder>>();
  private orderCount = 0;
  private tradeCount = 0;

  constructor(private readonly o: OrderBookOptions) {}

  /** `POST /orders/regular`: the new order's id; throws KiteError for what Kite refuses outright. */
  place(apiKey: string, fields: FormFields): string {
    const m = this.o.market;
    if (!m.isSessionOpen()) {
      throw inputError("Markets are closed right now. Use GTT for placing long standing orders instead.");
    }
    const request = validatePlaceFields(fields, this.o.instruments, (i) => this.lastPrice(i));
    const now = m.now();
    const n = ++this.orderCount;
    const orderId = `${dateCode(now)}${String(n).padStart(9, "0")}`;
    const order: SimOrder = {
      ...request,
      orderId,
      exchangeOrderId: null,
      placedBy: this.o.userId,
      apiKey,
      status: "PUT ORDER REQ RECEIVED",
      statusMessage: null,
      statusMessageRaw: null,
      orderTimestamp: now,
      exchangeTimestamp: null,
      exchangeUpdateTimestamp: null,
      modified: false,
      averagePrice: 0,
      filledQuantity: 0,
      pendingQuantity: request.quantity,
      cancelledQuantity: 0,
      guid: `${hashString(orderId).toString(36)}X${n.toString(36)}`,
      history: [],
      modifications: 0,
      protectionLimit: undefined,
      arriving: true,
      triggered: false,
      armedFromSeq: m.nextSeq(),
      partialFraction: null,
      fillValue: 0,
    };
    this.orders.push(order);
    this.byId.set(orderId, order);
    this.record(order, "PUT ORDER REQ RECEIVED");
    this.record(order, "VALIDATION PENDING");

    const rejection = this.rmsRejection(order);
    if (rejection) {
      order.pendingQuantity = 0;
      order.statusMessage = rejection.message;
      order.statusMessageRaw = rejection.raw;
      this.record(order, "REJECTED");
      this.o.onUpdate(order, "REJECTED");
      return orderId;
    }
    this.record(order, "OPEN PENDING");
    order.exchangeOrderId = String(1_000_000_000_000_000 + n);
    order.exchangeTimestamp = now;
    order.exchangeUpdateTimestamp = now;
    order.protectionLimit = this.marketBound(order);
    order.partialFraction = this.o.faults.takePartialFill(order.quantity / (order.instrument.lotSize || 1));
    this.record(order, isStop(order) ? "TRIGGER PENDING" : "OPEN");
    this.track(order);
    return orderId;
  }

  /** `PUT /orders/regular/:id`. */
  modify(fields: FormFields, orderId: string): string {
    const order = this.find(orderId);
    if (!OPEN_STATUSES.has(order.status)) {
      throw inputError(`Order cannot be modified as it is ${order.status}.`);
    }
    if (order.modifications >= MAX_MODIFICATIONS) {
      throw new KiteError(400, "NetworkException", "Maximum allowed order modifications exceeded.");
    }
    const refused = this.o.faults.takeModifyRejection();
    if (refused !== null) throw inputError(refused);
    const next = applyModifyFields(order, fields);
    if (next.orderType === "SL-M" && order.orderType !== "SL-M" && isIndexOption(order.instrument)) {
      throw inputError(SLM_INDEX_OPTION_REJECTION);
    }
    const stillStop = (next.orderType === "SL" || next.orderType === "SL-M") && !order.triggered;
    checkOrderValues(
      next,
      stillStop ? this.lastPrice(order.instrument) : 0,
      Math.max(1, order.filledQuantity),
    );
    const now = this.o.market.now();
    order.modifications++;
    order.modified = true;
    order.orderTimestamp = now;
    this.record(order, "MODIFY VALIDATION PENDING");
    this.record(order, "MODIFY PENDING");
    const typeChanged = next.orderType !== order.orderType;
    order.quantity = next.quantity;
    order.price = next.price;
    order.triggerPrice = next.triggerPrice;
    order.orderType = next.orderType;
    order.validity = next.validity;
    order.disclosedQuantity = next.disclosedQuantity;
    order.marketProtection = next.marketProtection;
    order.pendingQuantity = order.quantity - order.filledQuantity;
    if (typeChanged) order.triggered = false;
    order.protectionLimit = this.marketBound(order);
    order.exchangeUpdateTimestamp = now;
    // A modified order is a new order to the exchange: it arrives again, on a later trade.
    order.armedFromSeq = this.o.market.nextSeq();
    order.arriving = true;
    this.record(order, "MODIFIED");
    if (order.pendingQuantity === 0) {
      this.record(order, "COMPLETE");
      this.untrack(order);
      this.o.onUpdate(order, "COMPLETE");
      return orderId;
    }
    this.record(order, isStop(order) && !order.triggered ? "TRIGGER PENDING" : "OPEN");
    this.o.onUpdate(order, "UPDATE");
    return orderId;
  }

  /** `DELETE /orders/regular/:id`. */
  cancel(orderId: string, message: string | null = null): string {
    const order = this.find(orderId);
    if (!OPEN_STATUSES.has(order.status)) {
      throw inputError(`Order cannot be cancelled as it is ${order.status}.`);
    }
    this.record(order, "CANCEL PENDING");
    this.cancelRest(order, message);
    return orderId;
  }

  /** Every order, in placement order (`GET /orders`). */
  list(): OrderPayload[] {
    return this.orders.map(orderPayload);
  }

  /** An order's history (`GET /orders/:id`). */
  history(orderId: string): OrderPayload[] {
    return this.find(orderId).history.map((h) => ({ ...h }));
  }

  /** Every trade (`GET /trades`), or one order's (`GET /orders/:id/trades`). */
  tradesOf(orderId?: string): readonly SimTrade[] {
    if (orderId === undefined) return this.trades;
    const order = this.find(orderId);
    return this.trades.filter((t) => t.order === order);
  }

  /** `GET /portfolio/positions`. */
  positions(): { net: PositionRow[]; day: PositionRow[] } {
    return positionsOf(this.trades, (t) => this.o.market.quote(t));
  }

  /** The margin figures behind `GET /user/margins`. */
  margins(): MarginFigures {
    let blocked = 0;
    for (const order of this.orders) {
      if (!OPEN_STATUSES.has(order.status) || order.transactionType !== "BUY") continue;
      blocked += order.pendingQuantity * this.orderPrice(order);
    }
    return marginFigures(this.o.openingBalance, this.positions().net, blocked);
  }

  /** Matches the open orders of the tick's instrument. */
  onTick(tick: ReplayTick): void {
    const open = this.openByToken.get(tick.token);
    if (!open || open.size === 0) return;
    for (const order of [...open]) {
      if (tick.seq < order.armedFromSeq) continue;
      const wasArriving = order.arriving;
      const outcome = matchOrder(matchableOf(order), tradeFor(order, tick), rulesOf(order.instrument));
      order.protectionLimit = outcome.protectionLimit;
      order.arriving = outcome.arriving;
      if (outcome.triggers) {
        order.triggered = true;
        order.exchangeUpdateTimestamp = tick.time;
        this.record(order, "OPEN", tick.time);
      }
      if (outcome.fill !== null) this.fill(order, outcome.fill.price, outcome.fill.quantity, tick);
      else if (order.validity === "IOC" && !isStop(order) && (wasArriving || outcome.triggers))
        this.cancelRest(order, null, tick.time);
    }
  }

  /** At the session's end the exchange cancels what is still open. */
  onSessionEnd(): void {
    for (const order of this.orders) {
      if (OPEN_STATUSES.has(order.status))
        this.cancelRest(order, "Cancelled by the exchange at the end of the session.");
    }
  }

  private fill(order: SimOrder, price: number, quantity: number, tick: ReplayTick): void {
    if (quantity < order.pendingQuantity) {
      // The rest trades on a later tick.
      order.partialFraction = null;
      order.armedFromSeq = tick.seq + 1;
    }
    this.trades.push({
      tradeId: String(10_000_000 + ++this.tradeCount),
      order,
      price,
      quantity,
      time: tick.time,
    });
    order.filledQuantity += quantity;
    order.pendingQuantity -= quantity;
    order.fillValue += price * quantity;
    // Kite's average_price is the fills' volume-weighted average, not rounded to the paisa: quantity
    // × average must give back what the fills were worth (P&L from fills to the paisa).
    order.averagePrice = order.fillValue / order.filledQuantity;
    order.exchangeUpdateTimestamp = tick.time;
    if (order.pendingQuantity === 0) {
      this.record(order, "COMPLETE", tick.time);
      this.untrack(order);
      this.o.onUpdate(order, "COMPLETE");
    } else {
      this.record(order, "OPEN", tick.time);
      this.o.onUpdate(order, "UPDATE");
    }
  }

  private cancelRest(order: SimOrder, message: string | null, at = this.o.market.now()): void {
    order.cancelledQuantity = order.pendingQuantity;
    order.pendingQuantity = 0;
    order.statusMessage = message;
    order.exchangeUpdateTimestamp = at;
    this.record(order, "CANCELLED", at);
    this.untrack(order);
    this.o.onUpdate(order, "CANCELLED");
  }

  /** Why the broker's risk checks (or the exchange) refuse the order; null when they accept it. */
  private rmsRejection(order: SimOrder): { message: string; raw: string | null } | null {
    const fault = this.o.faults.takeRejection(order);
    if (fault)
      return { message: fault, raw: fault === DEFAULT_REJECTION ? rawMarginText(95417.84, 74251.8) : null };
    if (order.orderType === "SL-M" && isIndexOption(order.instrument)) {
      return { message: SLM_INDEX_OPTION_REJECTION, raw: null };
    }
    if (order.transactionType === "BUY") {
      const required = Math.round(order.quantity * this.orderPrice(order) * 100) / 100;
      const available = availableCash(this.margins());
      if (required > available) {
        return {
          message: `Insufficient funds. Required margin is ${required.toFixed(2)} but available margin is ${available.toFixed(2)}. Check the orderbook for open orders.`,
          raw: rawMarginText(required, available),
        };
      }
    }
    return null;
  }

  /** The price an order is expected to trade at: its limit, else the last price. */
  private orderPrice(order: SimOrder): number {
    if (order.orderType === "LIMIT" || order.orderType === "SL") return order.price;
    return order.protectionLimit ?? this.lastPrice(order.instrument);
  }

  /** A MARKET order's bound from the last price (undefined: fixed on its first trade; null: none). */
  private marketBound(order: SimOrder): number | null | undefined {
    if (order.orderType !== "MARKET") return undefined;
    const last = this.lastPrice(order.instrument);
    if (last <= 0) return undefined;
    return protectionLimitOf(order.transactionType, order.marketProtection, last, order.instrument.tickSize);
  }

  private lastPrice(instrument: SimInstrument): number {
    return this.o.market.quote(instrument.instrumentToken)?.lastPrice ?? 0;
  }

  private find(orderId: string): SimOrder {
    const order = this.byId.get(orderId);
    if (!order) throw inputError("Couldn't find that `order_id`.");
    return order;
  }

  private record(order: SimOrder, status: OrderStatus, at?: number): void {
    order.status = status;
    if (at !== undefined) order.exchangeUpdateTimestamp = at;
    order.history.push(orderPayload(order));
  }

  private track(order: SimOrder): void {
    const token = order.instrument.instrumentToken;
    let set = this.openByToken.get(token);
    if (!set) {
      set = new Set();
      this.openByToken.set(token, set);
    }
    set.add(order);
  }

  private untrack(order: SimOrder): void {
    this.openByToken.get(order.instrument.instrumentToken)?.delete(order);
  }
}

function isStop(order: SimOrder): boolean {
  return (order.orderType === "SL" || order.orderType === "SL-M") && !order.triggered;
}

/** Options on an index (SENSEX, BANKEX, NIFTY, …): the exchange refuses SL-M on them. */
function isIndexOption(i: SimInstrument): boolean {
  return i.segment === "BFO-OPT" || i.segment === "NFO-OPT";
}

/** Kite's order ids start with the trading date, YYMMDD (IST). */
function dateCode(epochMs: number): string {
  const date = istPartsOf(epochMs).date;
  return date.slice(2, 4) + date.slice(5, 7) + date.slice(8, 10);
}

function rawMarginText(required: number, available: number): string {
  return `RMS:Margin Exceeds,Required:${required.toFixed(2)}, Available:${available.toFixed(2)} for entity account-SIM across exchange across segment across product `;
}
