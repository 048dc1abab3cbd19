/*
 * Each notification as a short Telegram message (HTML parse mode; every value escaped through
 * the `html` tag), and the key that makes the same event queue once however often the engine
 * reports it (after a restart, say).
 */

import { createHash } from "node:crypto";
import type { SummaryFigures } from "../../domain/summary.js";
import type { Notification, Reminder } from "../../ports/notifier.js";
import {
  formatBytes,
  formatDate,
  formatDuration,
  formatIstClock,
  formatIstMinute,
  formatMonth,
  formatPct,
  formatPrice,
  formatRupees,
  formatSignedPoints,
  formatSignedRupees,
  formatWhole,
} from "./format.js";
import { esc, html } from "./html.js";

/** Words for the strategy's exit reasons. */
const EXIT_REASON: Readonly<Record<string, string>> = {
  STOP_LOSS: "stop loss",
  TARGET: "target",
  TIMEOUT: "timeout",
  EOD: "end of day",
  MAX_DAILY_LOSS: "daily loss limit",
  STOP_FILLED: "stop filled at the broker",
  PANIC: "panic",
  EMERGENCY: "emergency exit (no stop could rest)",
  MANUAL: "closed at the broker",
};

/** The exit reason in words (the code itself when unknown). */
export function exitReasonText(reason: string): string {
  return EXIT_REASON[reason] ?? reason;
}

/** The message text of a notification (HTML parse mode). */
export function renderNotification(n: Notification): string {
  switch (n.kind) {
    case "login_needed":
      return [
        html`🔑 <b>Kite login needed</b> for ${formatDate(n.date)}${n.attempt > 1 ? ` (request ${n.attempt})` : ""}`,
        `<a href="${esc(n.url)}">Log in to Kite</a>`,
        n.giveUpAt ? html`Without a session by ${n.giveUpAt} IST, no trading today.` : null,
      ]
        .filter(isLine)
        .join("\n");
    case "login_result":
      return n.ok
        ? html`✅ <b>Kite login succeeded</b>${n.userId ? `: user ${n.userId}` : ""} · ${formatIstClock(n.at)} IST`
        : [html`❌ <b>Kite login failed</b> · ${formatIstClock(n.at)} IST`, n.message ? esc(n.message) : null]
            .filter(isLine)
            .join("\n");
    case "login_refused":
      return html`⛔ <b>Kite login refused</b> · ${formatIstClock(n.at)} IST\nA session of ${n.userId} (not ${n.expectedUserId}, kite.user_id) was not stored; the session held is unchanged.`;
    case "static_ip":
      return html`🌐 <b>Static IP</b> · ${formatIstClock(n.at)} IST\n${n.message}`;
    case "pre_market":
      return renderPreMarket(n);
    case "entry": {
      // The fill when known (the money at stake), the model's price beside it as in the exit.
      const price = n.fill ? n.fill.price : n.entry;
      const quantity = n.fill ? n.fill.quantity : n.quantity;
      const risk = Math.max(0, price - n.stop) * quantity;
      return [
        html`🟢 <b>ENTRY</b> ${n.symbol} · ${formatIstMinute(n.time)} IST`,
        html`Trade ${n.tradeId} · scenario ${n.scenario} · qty ${formatWhole(quantity)}`,
        n.fill
          ? html`Bought at ${formatPrice(n.fill.price)} (fill) · model entry ${formatPrice(n.entry)}`
          : null,
        html`${n.fill ? "Stop" : `Entry ${formatPrice(n.entry)} · stop`} ${formatPrice(n.stop)} · target ${formatPrice(n.target)}`,
        html`Risk ${formatRupees(risk)}`,
        n.reason ? esc(n.reason) : null,
      ]
        .filter(isLine)
        .join("\n");
    }
    case "exit":
      return renderExit(n);
    case "entry_unfilled":
      return renderEntryUnfilled(n);
    case "order_problem": {
      const what =
        n.problem === "rejected"
          ? html`${n.side} ${formatWhole(n.quantity)} ${n.symbol}`
          : html`${n.side} ${formatWhole(n.filledQuantity)} of ${formatWhole(n.quantity)} ${n.symbol}`;
      return [
        `⚠️ <b>Order ${n.problem === "rejected" ? "rejected" : "partly filled"}</b>: ${what}`,
        html`Order ${n.tag}${n.tradeId ? ` (trade ${n.tradeId})` : ""} · ${formatIstClock(n.at)} IST`,
        n.message ? html`Kite: ${n.message}` : null,
      ]
        .filter(isLine)
        .join("\n");
    }
    case "session_expired":
      return [
        html`⛔ <b>Kite session expired</b> · ${formatIstClock(n.at)} IST`,
        "No new entries until a new login (/login).",
        n.positionOpen
          ? "The open position keeps its protective stop at the broker; exits are still attempted."
          : "No position is open.",
      ].join("\n");
    case "feed_lost":
      return [
        html`📡 <b>Market feed lost</b> · ${formatIstClock(n.at)} IST`,
        n.lastTickAt === null
          ? "No tick received yet. Reconnecting."
          : html`Last tick at ${formatIstClock(n.lastTickAt)} IST. Reconnecting.`,
      ].join("\n");
    case "feed_restored":
      return html`📡 <b>Market feed restored</b> · ${formatIstClock(n.at)} IST, after ${formatDuration(n.at - n.lostAt)}`;
    case "error":
      return [
        html`🚨 <b>Error</b> · ${formatIstClock(n.at)} IST`,
        n.context ? html`${n.context}: ${n.message}` : esc(n.message),
      ].join("\n");
    case "daily_summary":
      return [
        html`📊 <b>Daily summary</b> · ${formatDate(n.date)}`,
        ...summaryLines(n.figures),
        slippageLine(n.slippageRupees),
      ]
        .filter(isLine)
        .join("\n");
    case "weekly_summary":
      return [
        html`📊 <b>Weekly summary</b> · ${formatDate(n.from)} to ${formatDate(n.to)} (${daysText(n.days)})`,
        ...summaryLines(n.figures),
        slippageLine(n.slippageRupees),
      ]
        .filter(isLine)
        .join("\n");
    case "monthly_summary":
      return [
        html`📊 <b>Monthly summary</b> · ${formatMonth(n.month)} (${daysText(n.days)})`,
        ...summaryLines(n.figures),
        slippageLine(n.slippageRupees),
      ]
        .filter(isLine)
        .join("\n");
    case "reminder":
      return `⏰ <b>Reminder</b>: ${reminderText(n.reminder)}`;
  }
}

/**
 * The event's identity: a notification with the same key is queued once. Events with an id of
 * their own use it (trade, order tag, date); the others their instant, which the engine stamps
 * once per event.
 */
export function dedupeKeyOf(n: Notification): string {
  switch (n.kind) {
    case "login_needed":
      return `login_needed:${n.date}:${n.attempt}`;
    case "login_result":
      return `login_result:${n.at}`;
    case "login_refused":
      return `login_refused:${n.at}`;
    case "static_ip":
      return `static_ip:${n.problem}:${n.date}`;
    case "pre_market":
      return `pre_market:${n.date}`;
    case "entry":
      return `entry:${n.tradeId}`;
    case "exit":
      return `exit:${n.tradeId}`;
    case "entry_unfilled":
      return `entry_unfilled:${n.tradeId}`;
    case "order_problem":
      return `order_problem:${n.tag}:${n.problem}:${n.filledQuantity}`;
    case "session_expired":
      return `session_expired:${n.date}:${n.at}`;
    case "feed_lost":
      return `feed_lost:${n.at}`;
    case "feed_restored":
      return `feed_restored:${n.lostAt}`;
    case "error":
      return `error:${n.at}:${shortHash(`${n.context ?? ""}\n${n.message}`)}`;
    case "daily_summary":
      return `daily_summary:${n.date}`;
    case "weekly_summary":
      return `weekly_summary:${n.from}`;
    case "monthly_summary":
      return `monthly_summary:${n.month}`;
    case "reminder":
      return `reminder:${reminderKey(n.reminder)}:${n.date}`;
  }
}

/** The figures of a summary (the original system's fields), a few lines. */
export function summaryLines(f: SummaryFigures): string[] {
  if (f.total_trades === 0) return ["No trades."];
  const s = f.trades_by_scenario;
  return [
    html`Trades ${f.total_trades}: ${f.wins} won, ${f.losses} lost (win rate ${formatPct(f.win_rate)})`,
    html`Gross ${formatSignedRupees(f.gross_pnl)} · charges ${formatRupees(f.charges)} · net ${formatSignedRupees(f.net_pnl)}`,
    html`Max drawdown ${formatRupees(f.max_drawdown)}`,
    html`Scenario 1/2/3: ${s["1"]}/${s["2"]}/${s["3"]} · first candle ${f.first_candle_entries}, intraday ${f.intraday_entries}`,
    html`Exits: target ${f.targets}, stop loss ${f.stop_losses}, timeout ${f.timeouts}, end of day ${f.eod_exits}, loss limit ${f.max_daily_loss_exits}`,
  ];
}

/**
 * An exit: the P&L the account made (from the broker's fills when they are known, else the
 * strategy's model), the fill prices beside the model's, and the slippage between them.
 */
/** Words for the fate of an entry that bought nothing. */
const ENTRY_FATE: Readonly<Record<Extract<Notification, { kind: "entry_unfilled" }>["fate"], string>> = {
  cancelled: "cancelled",
  rejected: "rejected by Kite",
  refused: "refused by Kite",
  not_placed: "not placed",
};

function renderEntryUnfilled(n: Extract<Notification, { kind: "entry_unfilled" }>): string {
  const order =
    n.tag === null
      ? "no order placed"
      : `order ${n.tag}${n.quantity === null ? "" : ` (BUY ${formatWhole(n.quantity)})`} ${ENTRY_FATE[n.fate]}`;
  // How long it worked tells a timeout (entry_timeout_seconds) from a cancel at the broker.
  const after = n.workedMs === null || n.fate !== "cancelled" ? "" : ` after ${formatDuration(n.workedMs)}`;
  const byKite = n.fate === "rejected" || n.fate === "refused";
  return [
    html`⚪ <b>Entry not filled</b>: ${n.symbol}`,
    html`Trade ${n.tradeId} · ${order}${after} · ${formatIstClock(n.at)} IST`,
    n.why === null ? null : html`${byKite ? "Kite" : "Why"}: ${n.why}`,
    "Nothing bought: no position, the strategy forgets this entry.",
  ]
    .filter(isLine)
    .join("\n");
}

function renderExit(n: Extract<Notification, { kind: "exit" }>): string {
  const f = n.fills ?? null;
  const gross = f?.grossPnl ?? n.pnlRupees;
  const netValue = f?.netPnl ?? n.netPnlRupees;
  const icon = gross > 0 ? "✅" : gross < 0 ? "🔻" : "⚪";
  const net = netValue === null ? "" : ` (net ${formatSignedRupees(netValue)})`;
  const lines = [
    html`${icon} <b>EXIT</b> ${n.symbol} · ${formatIstMinute(n.time)} IST`,
    html`Trade ${n.tradeId} · ${exitReasonText(n.reason)} at ${formatPrice(f?.exitPrice ?? n.exitPrice)}`,
  ];
  if (f && f.grossPnl !== null) {
    lines.push(html`P&amp;L ${formatSignedRupees(f.grossPnl)}${net} from the fills`);
    lines.push(
      html`Filled ${formatWhole(f.quantity)}: bought ${price(f.entryPrice)}, sold ${price(f.exitPrice)}` +
        html` · model exit ${formatPrice(n.exitPrice)}, ${formatSignedRupees(n.pnlRupees)}`,
    );
    if (f.slippageRupees !== null)
      lines.push(
        html`Slippage ${formatSignedRupees(f.slippageRupees)} (entry ${signed(f.entrySlippage)}, exit ${signed(f.exitSlippage)} a unit)`,
      );
  } else {
    lines.push(
      html`P&amp;L ${formatSignedPoints(n.pnlPoints)} pts · ${formatSignedRupees(n.pnlRupees)}` + esc(net),
    );
  }
  return lines.join("\n");
}

const price = (p: number | null) => (p === null ? "?" : formatPrice(p));
const signed = (points: number | null) => (points === null ? "?" : formatSignedPoints(points));

/** The slippage of a period's trades (fills minus model), when any trade had fills. */
function slippageLine(rupees: number | null | undefined): string | null {
  if (rupees === null || rupees === undefined) return null;
  return html`Slippage ${formatSignedRupees(rupees)} (fills minus model)`;
}

function renderPreMarket(n: Extract<Notification, { kind: "pre_market" }>): string {
  const bullish = n.universe.filter((c) => c.structure === "BULLISH");
  const noPivots = n.universe.filter((c) => c.structure === null).length;
  const strikes = n.universe.map((c) => c.strike);
  const range =
    strikes.length === 0
      ? ""
      : `, strikes ${formatWhole(Math.min(...strikes))}-${formatWhole(Math.max(...strikes))}`;
  const lines = [
    html`📋 <b>Pre-market</b> · ${formatDate(n.date)}`,
    html`Spot ${n.spot === null ? "unknown" : formatPrice(n.spot)} · ATM ${n.atm === null ? "unknown" : formatWhole(n.atm)}`,
    n.expiry === null ? "Expiry unknown" : html`Expiry ${formatDate(n.expiry)}${expiryIn(n.daysToExpiry)}`,
    html`Universe: ${n.universe.length} contracts${range}${noPivots > 0 ? `, ${noPivots} without pivots` : ""}`,
  ];
  if (bullish.length === 0) {
    lines.push("No BULLISH contract: nothing to trade unless the open adds strikes.");
  } else {
    lines.push(html`BULLISH (${bullish.length}):`);
    for (const c of bullish) {
      lines.push(html`• ${c.symbol}${c.r1 === null ? "" : ` · R1 ${formatPrice(c.r1)}`}`);
    }
  }
  return lines.join("\n");
}

function expiryIn(days: number | null): string {
  if (days === null) return "";
  if (days === 0) return " (expiry day)";
  return ` (in ${days} day${days === 1 ? "" : "s"})`;
}

function daysText(days: number): string {
  return `${days} trading day${days === 1 ? "" : "s"}`;
}

function reminderText(r: Reminder): string {
  switch (r.topic) {
    case "tls_certificate":
      return html`the TLS certificate of ${r.domain} expires on ${formatDate(r.expiresOn)} (${
        r.daysLeft <= 0 ? "today" : `in ${r.daysLeft} day${r.daysLeft === 1 ? "" : "s"}`
      }). Renew it: sudo certbot renew`;
    case "disk_low":
      return html`disk space low at ${r.path}: ${formatBytes(r.freeBytes)} free (${formatPct(r.freePct)}).`;
    case "other":
      return esc(r.message);
  }
}

function reminderKey(r: Reminder): string {
  switch (r.topic) {
    case "tls_certificate":
      return `tls_certificate:${r.domain}`;
    case "disk_low":
      return `disk_low:${r.path}`;
    case "other":
      return `other:${r.key}`;
  }
}

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 12);
}

function isLine(line: string | null): line is string {
  return line !== null;
}
