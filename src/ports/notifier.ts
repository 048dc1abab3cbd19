/*
 * What the service tells the trader, as typed events. The engine builds a `Notification` and
 * hands it to a `Notifier`; how it reaches the trader (Telegram through the database outbox,
 * or the log) is the adapter's business. Each kind is switched on and off by one
 * `notifications.*` key of the configuration (NOTIFICATION_SWITCH).
 *
 * Instants (`at`) are epoch milliseconds from the engine's clock; strategy times (`time`) are
 * ISO 8601 with +05:30, as the strategy writes them; dates are IST `YYYY-MM-DD`.
 */

import type { IsoDate } from "../domain/ist.js";
import type { Structure } from "../domain/pivots.js";
import type { SummaryFigures } from "../domain/summary.js";

/** A contract of the day's universe as the pre-market message shows it. */
export interface PreMarketContract {
  symbol: string;
  strike: number;
  optionType: "CE" | "PE";
  /** Null: no previous-day candles, so no pivots and no trading in it today. */
  structure: Structure | null;
  /** Its R1 (the first breakout level), when it has pivots. */
  r1: number | null;
}

/** Something to act on before it hurts. */
export type Reminder =
  | { topic: "tls_certificate"; domain: string; expiresOn: IsoDate; daysLeft: number }
  | { topic: "disk_low"; path: string; freeBytes: number; freePct: number }
  | { topic: "other"; key: string; message: string };

/** What the broker filled for a trade, beside the strategy's model figures (rupees; prices per unit). */
export interface FillFigures {
  quantity: number;
  /** Volume-weighted over the fills. */
  entryPrice: number | null;
  exitPrice: number | null;
  grossPnl: number | null;
  charges: number | null;
  netPnl: number | null;
  /** Fill minus model per unit: paid above the model at the entry, received above it at the exit. */
  entrySlippage: number | null;
  exitSlippage: number | null;
  /** Gross P&L from the fills minus the model's. */
  slippageRupees: number | null;
}

/** Every message the service sends the trader. */
export type Notification =
  | {
      kind: "login_needed";
      date: IsoDate;
      url: string;
      /** 1 for the first request of the day, then 2, 3 … (each one is a new message). */
      attempt: number;
      /** IST HH:MM after which the day is given up without a session. */
      giveUpAt: string | null;
    }
  | {
      kind: "login_result";
      date: IsoDate;
      at: number;
      ok: boolean;
      userId: string | null;
      /** Why it failed (never a token). */
      message: string | null;
    }
  | {
      kind: "pre_market";
      date: IsoDate;
      spot: number | null;
      atm: number | null;
      expiry: IsoDate | null;
      daysToExpiry: number | null;
      /** The universe; its BULLISH contracts are the ones traded today. */
      universe: PreMarketContract[];
    }
  | {
      kind: "entry";
      tradeId: string;
      symbol: string;
      scenario: 1 | 2 | 3;
      time: string;
      /** The strategy's entry price (the model, as the backtest has it). */
      entry: number;
      stop: number;
      target: number;
      quantity: number;
      reason: string;
      /** What the broker filled: quantity and volume-weighted price (absent: not known). */
      fill?: { quantity: number; price: number } | null;
    }
  | {
      kind: "exit";
      tradeId: string;
      symbol: string;
      time: string;
      reason: string;
      exitPrice: number;
      pnlPoints: number;
      pnlRupees: number;
      /** After charges, when known. */
      netPnlRupees: number | null;
      /** What the broker filled (the real figures; absent when not known). */
      fills?: FillFigures | null;
    }
  | {
      /** An entry that ended with nothing bought: told once, with its fate and why. */
      kind: "entry_unfilled";
      tradeId: string;
      symbol: string;
      /** The entry order's tag; null when no order was placed (the engine refused the entry). */
      tag: string | null;
      /** The quantity asked (null: no order placed). */
      quantity: number | null;
      /**
       * What became of it: cancelled (by the entry timeout, by an exit decided before any fill,
       * or at the broker), rejected by Kite, refused by Kite at placement, or never placed.
       */
      fate: "cancelled" | "rejected" | "refused" | "not_placed";
      /** Kite's status message when it gave one, else the system's reason (null: none). */
      why: string | null;
      /** How long the order worked before it ended, ms (null: no order placed). */
      workedMs: number | null;
      at: number;
    }
  | {
      kind: "order_problem";
      problem: "rejected" | "partly_filled";
      /** The order's tag (unique per order, e.g. E20250905001). */
      tag: string;
      tradeId: string | null;
      symbol: string;
      side: "BUY" | "SELL";
      quantity: number;
      filledQuantity: number;
      /** The broker's message, if any. */
      message: string | null;
      at: number;
    }
  | {
      kind: "login_refused";
      date: IsoDate;
      at: number;
      /** The Kite user whose session was refused (not the trader). */
      userId: string;
      /** kite.user_id, the trader. */
      expectedUserId: string;
    }
  | {
      kind: "static_ip";
      date: IsoDate;
      at: number;
      /** not_registered: this host's address is not in kite.static_ips; order_refused: Kite refused an order for it. */
      problem: "not_registered" | "order_refused";
      /** This host's public address, when known. */
      address: string | null;
      /** What the trader should know and do (the fix included). */
      message: string;
    }
  | { kind: "session_expired"; date: IsoDate; at: number; positionOpen: boolean }
  | { kind: "feed_lost"; at: number; lastTickAt: number | null }
  | { kind: "feed_restored"; at: number; lostAt: number }
  | { kind: "error"; at: number; message: string; context: string | null }
  // Summary figures count each trade's P&L from its fills; slippage: fills minus model, rupees.
  | { kind: "daily_summary"; date: IsoDate; figures: SummaryFigures; slippageRupees?: number | null }
  | {
      kind: "weekly_summary";
      from: IsoDate;
      to: IsoDate;
      days: number;
      figures: SummaryFigures;
      slippageRupees?: number | null;
    }
  | {
      kind: "monthly_summary";
      month: string;
      days: number;
      figures: SummaryFigures;
      slippageRupees?: number | null;
    }
  | { kind: "reminder"; date: IsoDate; reminder: Reminder };

export type NotificationKind = Notification["kind"];

/** The `notifications.*` switches of the configuration. */
export type NotificationSwitch =
  | "login_needed"
  | "login_result"
  | "pre_market"
  | "entry"
  | "exit"
  | "order_problems"
  | "session_expired"
  | "feed"
  | "errors"
  | "daily_summary"
  | "weekly_summary"
  | "monthly_summary"
  | "reminders";

/** Which switch turns each kind on and off. */
export const NOTIFICATION_SWITCH: Readonly<Record<NotificationKind, NotificationSwitch>> = {
  login_needed: "login_needed",
  login_result: "login_result",
  login_refused: "login_result",
  static_ip: "errors",
  pre_market: "pre_market",
  entry: "entry",
  entry_unfilled: "entry",
  exit: "exit",
  order_problem: "order_problems",
  session_expired: "session_expired",
  feed_lost: "feed",
  feed_restored: "feed",
  error: "errors",
  daily_summary: "daily_summary",
  weekly_summary: "weekly_summary",
  monthly_summary: "monthly_summary",
  reminder: "reminders",
};

/**
 * Where the engine sends notifications. `notify` returns at once, never throws and never
 * waits for the network: trading goes on whatever happens to the message.
 */
export interface Notifier {
  notify(notification: Notification): void;
}

/** A notifier that drops everything (backtests, tests that do not look). */
export const silentNotifier: Notifier = { notify: () => {} };
