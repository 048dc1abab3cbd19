/*
 * The records the engine keeps and reads back through the Store port (ports/store.ts): orders,
 * positions, the day's universe, the daily summary, the operator's switches, the audit log and
 * the postbacks as received. Declared here so that the engine, the web and the adapters share
 * them without the engine knowing the database (adapters/sqlite implements the port).
 */

import type { IsoDate } from "../domain/ist.js";
import type { PivotLevels, Structure } from "../domain/pivots.js";
import type { SummaryFigures } from "../domain/summary.js";
import type { OptionType } from "../domain/symbols.js";
import type {
  BrokerOrderStatus,
  OrderRequest,
  OrderSide,
  OrderType,
  OrderUpdate,
  Product,
} from "./broker.js";

/** What an order is for. */
export type OrderPurpose = "ENTRY" | "EXIT" | "STOP_LOSS";

/**
 * NEW: written, not yet sent (or sent with no answer yet: find it by tag). PLACED: Kite
 * acknowledged it (not a fill). FAILED: Kite refused the placement. Then Kite's own statuses.
 */
export type StoredOrderStatus = "NEW" | "PLACED" | "FAILED" | BrokerOrderStatus;

/** An order as stored. */
export interface StoredOrder {
  localId: number;
  tag: string;
  kiteOrderId: string | null;
  tradeId: string | null;
  purpose: OrderPurpose;
  exchange: OrderRequest["exchange"];
  tradingsymbol: string;
  side: OrderSide;
  type: OrderType;
  product: Product;
  quantity: number;
  price: number | null;
  triggerPrice: number | null;
  marketProtection: number | null;
  status: StoredOrderStatus;
  statusMessage: string | null;
  filledQuantity: number;
  pendingQuantity: number;
  averagePrice: number;
  /** Kite's order timestamp text of the last applied update. */
  orderTimestamp: string | null;
  createdAtMs: number;
  updatedAtMs: number;
}

/**
 * The part of an order update that changes the order's state. `type` is the order's type at the
 * broker (a stop modified into an exit becomes LIMIT or MARKET); absent, the stored one is kept.
 */
export type OrderStateUpdate = Partial<Pick<OrderUpdate, "type">> &
  Pick<
    OrderUpdate,
    | "orderId"
    | "tag"
    | "status"
    | "statusMessage"
    | "quantity"
    | "filledQuantity"
    | "pendingQuantity"
    | "averagePrice"
    | "price"
    | "triggerPrice"
    | "orderTimestamp"
  >;

/** The result of applying an update: the order it concerns (null: not one of ours) and whether it changed. */
export interface AppliedUpdate {
  order: StoredOrder | null;
  changed: boolean;
}

/** OPENING: entry order out; OPEN: filled; CLOSING: exit order out; CLOSED: flat. */
export type PositionState = "OPENING" | "OPEN" | "CLOSING" | "CLOSED";

/** The engine's execution view of a trade's position (the strategy's view is the OPEN trade row). */
export interface StoredPosition {
  tradeId: string;
  date: IsoDate;
  symbol: string;
  state: PositionState;
  /** Filled, net quantity held. */
  quantity: number;
  averagePrice: number;
  stopLoss: number;
  target: number;
  candlesHeld: number;
  /** Local ids of the orders (see OrdersRepository). */
  entryOrderId: number | null;
  exitOrderId: number | null;
  /**
   * Why the exit was decided (the order manager's reason, written with the CLOSING state and
   * kept across a restart); null while no exit is decided (or one decided before schema v7).
   */
  exitReason: string | null;
  openedAtMs: number;
  updatedAtMs: number;
  closedAtMs: number | null;
}

/**
 * What the engine writes about a position that is not closed. `exitReason` absent or null keeps
 * the reason stored (an exit's reason, once written, is never unwritten).
 */
export type PositionUpsert = Omit<
  StoredPosition,
  "state" | "exitReason" | "openedAtMs" | "updatedAtMs" | "closedAtMs"
> & {
  state: Exclude<PositionState, "CLOSED">;
  exitReason?: string | null;
};

/** A contract of a day's universe with its pivots (null: not traded that day). */
export interface UniverseContract {
  symbol: string;
  instrumentToken: number | null;
  strike: number;
  optionType: OptionType;
  /** lots × lot size. */
  quantity: number;
  structure: Structure | null;
  pivots: PivotLevels | null;
}

/** A day's universe: how it was chosen and its contracts. */
export interface DayUniverse {
  date: IsoDate;
  underlying: string;
  spot: number | null;
  atm: number | null;
  expiry: IsoDate | null;
  contracts: UniverseContract[];
}

/** A day's summary figures (P&L from the fills), with the day's slippage. */
export interface DailySummary extends SummaryFigures {
  date: IsoDate;
  /** Gross P&L from the fills minus the model's (null: no trade had fills). */
  slippage_rupees: number | null;
}

/** The operator's switches, kept across restarts. */
export interface ControlState {
  /** New entries allowed (default true). */
  entriesEnabled: boolean;
  /** Panic: everything is being closed and nothing opened (default false). */
  panic: boolean;
  /** Lots per trade set by the operator; null: the configuration's. */
  lots: number | null;
}

/** An operator action: who, what, when, and the details. */
export interface AuditEntry {
  id: number;
  atMs: number;
  /** Who acted: "telegram:<chat id>", "web:<user>", "cli", "system". */
  actor: string;
  /** What was done: "panic", "entries_disabled", "lots_set", ... */
  action: string;
  details: Record<string, unknown>;
}

export type PostbackVerdict = "PENDING" | "CONFIRMED" | "UNCONFIRMED";

/** What storing an arrival did. */
export interface RecordedPostback {
  id: number;
  /** False: this very body arrived before (a repeat, counted). */
  isNewBody: boolean;
  arrivals: number;
  verdict: PostbackVerdict;
}

/** A stored body's claim: the order state a postback said the order reached. */
export interface PostbackClaim {
  id: number;
  orderId: string;
  status: BrokerOrderStatus;
  filledQuantity: number;
  quantity: number;
  price: number;
  triggerPrice: number;
  averagePrice: number;
  /** The body as received, cut at POSTBACK_RAW_CAP characters. */
  raw: string;
}

/** A stored body with its history. */
export interface StoredPostback extends PostbackClaim {
  rawBytes: number;
  arrivals: number;
  firstReceivedAtMs: number;
  lastReceivedAtMs: number;
  verdict: PostbackVerdict;
  verdictReason: string | null;
}

/** What recording an order update did. */
export interface RecordedOrderUpdate extends AppliedUpdate {
  /** False: the same update had arrived before (by another path, or again). */
  isNewEvent: boolean;
}
