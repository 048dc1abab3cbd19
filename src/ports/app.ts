/*
 * The application's ports: the contract between the engine and the web layer (and Telegram, and
 * the dashboard's browser code): what the engine reports (`StatusSnapshot`), what the operator
 * may ask of it (`ControlPort`), the live events it pushes, where postbacks go and how a login
 * is driven. The web layer only ever sees these types, so its routes and the
 * dashboard are tested against fakes of them, and the engine is free to change behind them.
 */

import type { Candle } from "../domain/candle.js";
import type { SignalRecord, StoredTrade } from "../domain/trade.js";
import type { OrderUpdate } from "./broker.js";
import type { LoginOutcome } from "./session.js";
import type { StoredOrder, UniverseContract } from "./store-records.js";

/** The banner: which world the service trades in. */
export type ServiceMode = "LIVE" | "PAPER" | "SIM" | "DEMO";

/** Where the trading day stands (IST). */
export type DayPhase =
  | "CLOSED_DAY" // weekend or exchange holiday
  | "BEFORE_SESSION_CHECK"
  | "WAITING_FOR_LOGIN"
  | "PRE_MARKET"
  | "MARKET_OPEN"
  | "EOD_EXIT"
  | "AFTER_CLOSE"
  | "GIVEN_UP";

export interface HealthCheck {
  name: string;
  level: "ok" | "warning" | "critical" | "skipped";
  detail: string;
}

/** Everything `/status`, the dashboard and Telegram `/status` show. Times are ISO 8601 with offset. */
export interface StatusSnapshot {
  version: string;
  mode: ServiceMode;
  now: string;
  /** The IST trading date the snapshot is about. */
  date: string;
  phase: DayPhase;
  market: { open: boolean; nextOpen: string | null };
  session: { valid: boolean; userId: string | null; expiresAt: string | null };
  ticker: { connected: boolean; lastTickAgeMs: number | null; subscriptions: number };
  universe: {
    /** The traded underlying (`trading.instrument`): SENSEX, NIFTY. */
    underlying: string;
    spot: number | null;
    atm: number | null;
    expiry: string | null;
    contracts: Array<UniverseContract & { ltp: number | null }>;
  };
  /** The open position with its mark to market (null when flat). */
  position: {
    tradeId: string;
    symbol: string;
    state: "OPENING" | "OPEN" | "CLOSING";
    quantity: number;
    /** The broker's average buy price (the strategy's entry until the entry has filled). */
    entryPrice: number;
    /** The strategy's entry price (the model, as the backtest would have it). */
    modelEntryPrice: number | null;
    stopLoss: number;
    target: number;
    ltp: number | null;
    pnlPoints: number | null;
    pnlRupees: number | null;
    /** The protective stop order is resting at the broker. */
    stopResting: boolean;
  } | null;
  /**
   * Quantities held at the broker without a resting stop or exit to sell them (the never-naked
   * invariant, `OrderManager.exposures()`), per position: empty while every one is protected.
   * `since`: when the service first saw it uncovered; past 2 s it is a critical alert too.
   */
  exposures: Array<{
    tradeId: string;
    symbol: string;
    held: number;
    uncovered: number;
    since: string;
    forS: number;
  }>;
  orders: StoredOrder[];
  /** Today's trades: the strategy's model prices and what the broker filled (`*_fill_*`, `slippage` below). */
  trades: StoredTrade[];
  signals: SignalRecord[];
  /**
   * Today's realised P&L from the fills (the model's for a trade without fills); `slippage`:
   * gross P&L from the fills minus the model's over today's trades with fills (null: none).
   */
  pnl: { gross: number; charges: number; net: number; slippage: number | null };
  risk: {
    entriesEnabled: boolean;
    panic: boolean;
    sessionExpired: boolean;
    lots: number;
    maxLots: number;
    tradesToday: number;
    maxTradesPerDay: number;
    stopLossesToday: number;
    /** Today's realised loss in rupees from the fills (positive number) against the limit. */
    lossToday: number;
    maxDailyLoss: number;
  };
  /** The month's closed trades, P&L from the fills; slippage as in `pnl`. */
  month: {
    month: string;
    trades: number;
    gross: number;
    net: number;
    winRate: number | null;
    slippage: number | null;
  };
  health: {
    uptimeS: number;
    cpuPct: number | null;
    rssMb: number;
    checks: HealthCheck[];
  };
  /** Things to act on soon (TLS certificate expiry, disk, pending Telegram messages ...). */
  reminders: string[];
  /** Telegram messages waiting in the outbox. */
  outboxBacklog: number;
  /** Complete days in data.archive_dir (the option chains recorded after each close). */
  archiveDays: number;
}

/** What the operator may change. Every call is audited by the caller with `actor`. */
export interface ControlPort {
  setEntriesEnabled(enabled: boolean, actor: string): void;
  /** Cancels every open order, exits every position, disables entries (persisted). */
  panic(actor: string): void;
  /** Clears panic (entries stay disabled until enabled). */
  clearPanic(actor: string): void;
  /** Lots per trade from the next entry; throws a RangeError outside 1..maxLots. */
  setLots(lots: number, actor: string): void;
}

/** Live events the dashboard receives over server-sent events (`event:` is the `type`). */
export type LiveEvent =
  | { type: "status"; status: StatusSnapshot }
  | { type: "candle"; symbol: string; candle: Candle }
  | { type: "tick"; symbol: string; ltp: number }
  | { type: "signal"; signal: SignalRecord }
  | { type: "trade"; trade: StoredTrade }
  | { type: "alert"; level: "info" | "warning" | "critical"; message: string };

/** The engine as the web layer sees it. */
export interface EngineView {
  status(): StatusSnapshot;
  /** Today's candles of one contract (for the chart), oldest first. */
  candles(symbol: string): Candle[];
  /** Subscribes to live events; returns the unsubscribe function. */
  subscribe(listener: (event: LiveEvent) => void): () => void;
  control: ControlPort;
}

/**
 * What became of a verified postback: "pending" (stored; applied only once the broker's order
 * history confirms it, after the answer), "applied" (new, of one of our orders), "duplicate"
 * (the same update was already recorded), "ignored" (not an order of ours, or not an order
 * update the engine reads).
 */
export type PostbackAcceptance = "pending" | "applied" | "duplicate" | "ignored";

/**
 * A postback's body checked against its checksum and translated (adapters/kite postback-check.ts
 * makes it): the order id and status it names, and the update in port terms (null: a verified
 * body that is not an order update the engine reads: an unknown order type or side).
 */
export type PostbackCheck =
  | { ok: true; orderId: string; status: string; update: OrderUpdate | null }
  | { ok: false; reason: "invalid_json" | "missing_checksum" | "bad_checksum" | "missing_fields" };

/**
 * Where verified postbacks go: recorded durably (idempotent on the update's identity) and
 * handed to the order manager. The promise resolves once the update is committed (the sink may
 * group the updates of one event-loop turn in one transaction), so the 200 answer, sent after
 * it, means "stored"; it rejects when the update could not be stored (503). `update` null: the
 * checked body was not an order update the engine reads ("ignored").
 */
export interface PostbackSink {
  accept(update: OrderUpdate | null): Promise<PostbackAcceptance>;
}

/** The Kite login as the web layer drives it (adapters/kite/login-flow.ts LoginFlow fits). */
export interface LoginPort {
  /** A fresh login URL (its state is remembered for the callback). */
  start(): { url: string };
  /** Completes a callback; never throws, never returns a token. */
  handleCallback(
    query: Readonly<Record<string, string | readonly string[] | undefined>>,
  ): Promise<LoginOutcome>;
}
