/*
 * The bot's answers, as text (HTML parse mode) and inline buttons, built from what the engine
 * reports (StatusSnapshot) and what the store holds. Pure functions: the bot wires them to
 * commands, the tests read them through the fake Bot API.
 */

import type { SummaryFigures } from "../../domain/summary.js";
import type { StoredTrade } from "../../domain/trade.js";
import type { DayPhase, HealthCheck, StatusSnapshot } from "../../ports/app.js";
import type { DailySummary } from "../../ports/store-records.js";
import {
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
import { exitReasonText, summaryLines } from "./render.js";

/** An inline button: its label and the callback data it sends back. */
export type Button = [label: string, data: string];

export interface Reply {
  text: string;
  buttons?: Button[][];
}

/** Callback data of the inline buttons. */
export const BUTTON = {
  enable: "entries:on",
  disable: "entries:off",
  panicAsk: "panic:ask",
  resumeAsk: "resume:ask",
  /** Yes and Cancel are followed by ":<question id>" (held by the service: see confirmations.ts). */
  panicYes: "panic:yes",
  panicNo: "panic:no",
  resumeYes: "resume:yes",
  resumeNo: "resume:no",
  health: "health",
  trades: "trades",
  status: "status",
} as const;

const PHASE: Readonly<Record<DayPhase, string>> = {
  CLOSED_DAY: "market closed today",
  BEFORE_SESSION_CHECK: "before the session check",
  WAITING_FOR_LOGIN: "waiting for the Kite login",
  PRE_MARKET: "pre-market",
  MARKET_OPEN: "market open",
  EOD_EXIT: "end-of-day exit",
  AFTER_CLOSE: "after the close",
  GIVEN_UP: "no trading today (no session)",
};

const LEVEL_ICON: Readonly<Record<HealthCheck["level"], string>> = {
  ok: "✅",
  warning: "⚠️",
  critical: "🔴",
  skipped: "⚪",
};

/** /start and /help. */
export function helpReply(s: StatusSnapshot): Reply {
  return {
    text: [
      html`<b>Pivot Trading System</b> · ${s.mode}`,
      "/status — the day at a glance, with buttons",
      "/health — CPU, memory, disk, uptime",
      "/trades — today's trades",
      "/summary — today and this month",
      "/enable, /disable — allow or stop new entries",
      "/panic — close everything now (asks first)",
      "/resume — clear a panic (asks first)",
      html`/setlots N — lots per trade from the next entry (1-${s.risk.maxLots})`,
      "/reminders — things to act on soon",
      "/login — the Kite login link",
      "/config — the configuration, secrets hidden",
    ].join("\n"),
  };
}

/** /status: the day at a glance, with the control buttons. */
export function statusReply(s: StatusSnapshot): Reply {
  const lines = [
    html`<b>${s.mode}</b> · ${formatDate(s.date)} · ${clockOf(s.now)} IST`,
    html`Phase: ${PHASE[s.phase] ?? s.phase}`,
    s.session.valid
      ? html`Kite session: ${s.session.userId ?? "valid"}${s.session.expiresAt ? ` until ${clockOf(s.session.expiresAt)}` : ""}`
      : "Kite session: none (/login)",
    s.ticker.connected
      ? html`Feed: connected${s.ticker.lastTickAgeMs === null ? "" : `, last tick ${formatDuration(s.ticker.lastTickAgeMs)} ago`}`
      : "Feed: not connected",
  ];
  const u = s.universe;
  if (u.spot !== null || u.atm !== null) {
    lines.push(
      html`${u.underlying} ${u.spot === null ? "?" : formatPrice(u.spot)} · ATM ${u.atm === null ? "?" : formatWhole(u.atm)}${u.expiry ? ` · expiry ${formatDate(u.expiry)}` : ""}`,
    );
  }
  const p = s.position;
  if (p) {
    lines.push(
      html`Position: ${p.symbol} ${p.state} · qty ${formatWhole(p.quantity)} @ ${formatPrice(p.entryPrice)}`,
    );
    lines.push(
      html`LTP ${p.ltp === null ? "?" : formatPrice(p.ltp)}${p.pnlPoints === null ? "" : ` · ${formatSignedPoints(p.pnlPoints)} pts`}${p.pnlRupees === null ? "" : ` · ${formatSignedRupees(p.pnlRupees)}`}`,
    );
    lines.push(
      html`Stop ${formatPrice(p.stopLoss)} · target ${formatPrice(p.target)} · protective stop ${p.stopResting ? "at the broker" : "NOT at the broker"}`,
    );
  } else {
    lines.push("Position: none");
  }
  for (const e of s.exposures)
    lines.push(
      html`⚠️ ${formatWhole(e.uncovered)} of ${formatWhole(e.held)} ${e.symbol} held without a resting stop since ${clockOf(e.since)} (${e.forS} s)`,
    );
  const r = s.risk;
  lines.push(
    html`Today: ${r.tradesToday}/${r.maxTradesPerDay} trades, ${r.stopLossesToday} stop loss(es) · net ${formatSignedRupees(s.pnl.net)}`,
    html`Loss today ${formatRupees(r.lossToday)} of ${formatRupees(r.maxDailyLoss)}`,
    `Entries: ${r.panic ? "🛑 PANIC" : r.entriesEnabled ? "enabled" : "disabled"}${r.sessionExpired ? " (session expired)" : ""} · lots ${esc(r.lots)} (max ${esc(r.maxLots)})`,
  );
  if (s.outboxBacklog > 0) lines.push(html`Telegram messages waiting: ${s.outboxBacklog}`);
  return {
    text: lines.join("\n"),
    buttons: [
      [
        r.entriesEnabled ? ["⏸ Disable entries", BUTTON.disable] : ["▶️ Enable entries", BUTTON.enable],
        r.panic ? ["▶️ Resume (clear panic)", BUTTON.resumeAsk] : ["🛑 Panic", BUTTON.panicAsk],
      ],
      [
        ["❤️ Health", BUTTON.health],
        ["📒 Trades", BUTTON.trades],
        ["🔄 Refresh", BUTTON.status],
      ],
    ],
  };
}

/** /health: uptime, CPU, memory and the checks (disk among them). */
export function healthReply(s: StatusSnapshot): Reply {
  const h = s.health;
  const lines = [
    html`❤️ <b>Health</b> · ${clockOf(s.now)} IST`,
    html`Uptime ${formatDuration(h.uptimeS * 1000)} · CPU ${h.cpuPct === null ? "?" : formatPct(h.cpuPct)} · memory ${formatWhole(h.rssMb)} MB`,
  ];
  for (const c of h.checks) lines.push(html`${LEVEL_ICON[c.level] ?? ""} ${c.name}: ${c.detail}`);
  return { text: lines.join("\n") };
}

/** /trades: today's trades, open and closed. */
export function tradesReply(date: string, trades: readonly StoredTrade[]): Reply {
  const head = html`📒 <b>Trades</b> · ${formatDate(date)}`;
  if (trades.length === 0) return { text: `${head}\nNo trades today.` };
  const lines = [head];
  let net = 0;
  trades.forEach((t, i) => {
    // Prices and P&L as the broker filled them, the strategy's model where no fill is known.
    const start = html`${i + 1}. ${t.trade_id} ${t.symbol} S${t.scenario} · ${formatIstMinute(t.entry_time)} ${formatPrice(t.entry_fill_price ?? t.entry_price)}`;
    if (t.status === "CLOSED") {
      net += t.fill_net_pnl_rupees ?? t.net_pnl_rupees;
      lines.push(
        start +
          html` → ${formatIstMinute(t.exit_time)} ${formatPrice(t.exit_fill_price ?? t.exit_price)} ${exitReasonText(t.exit_reason)} · ${formatSignedRupees(t.fill_pnl_rupees ?? t.pnl_rupees)}`,
      );
    } else {
      lines.push(start + html` · OPEN (stop ${formatPrice(t.stop_loss)}, target ${formatPrice(t.target)})`);
    }
  });
  if (trades.some((t) => t.status === "CLOSED")) lines.push(html`Net of charges: ${formatSignedRupees(net)}`);
  return { text: lines.join("\n") };
}

/** /summary: the day's figures and the month's. */
export function summaryReply(
  date: string,
  day: SummaryFigures,
  month: string,
  monthFigures: SummaryFigures,
  monthDays: readonly DailySummary[],
): Reply {
  return {
    text: [
      html`📊 <b>Today</b> · ${formatDate(date)}`,
      ...summaryLines(day),
      "",
      html`📊 <b>${formatMonth(month)}</b> (${monthDays.length} trading day${monthDays.length === 1 ? "" : "s"} summarised)`,
      ...summaryLines(monthFigures),
    ].join("\n"),
  };
}

/** /reminders: what to act on soon, and the outbox. */
export function remindersReply(s: StatusSnapshot, outbox: { waiting: number; uncertain: number }): Reply {
  const lines = ["⏰ <b>Reminders</b>"];
  if (s.reminders.length === 0) lines.push("Nothing to act on.");
  for (const r of s.reminders) lines.push(html`• ${r}`);
  lines.push(
    html`Telegram outbox: ${outbox.waiting} waiting${outbox.uncertain > 0 ? `, ${outbox.uncertain} not known to have arrived (not resent)` : ""}`,
  );
  return { text: lines.join("\n") };
}

/** /login: the Kite login link. */
export function loginReply(s: StatusSnapshot, url: string): Reply {
  const lines = [`🔑 <a href="${esc(url)}">Log in to Kite</a>`, "The link works once, for a few minutes."];
  if (s.session.valid) {
    lines.unshift(
      html`A session is active${s.session.userId ? ` (${s.session.userId})` : ""}; a new login replaces it.`,
    );
  }
  return { text: lines.join("\n") };
}

/** /panic: the question, with its two buttons carrying the question's id. */
export function panicQuestion(questionId: string): Reply {
  return {
    text: [
      "🛑 <b>Panic?</b>",
      "Cancels every open order, exits every position at market and disables new entries.",
    ].join("\n"),
    buttons: [
      [
        ["Yes, panic now", `${BUTTON.panicYes}:${questionId}`],
        ["Cancel", `${BUTTON.panicNo}:${questionId}`],
      ],
    ],
  };
}

/** /resume: the question (when in panic), with its two buttons carrying the question's id. */
export function resumeQuestion(questionId: string): Reply {
  return {
    text: [
      "▶️ <b>Clear the panic?</b>",
      "Orders may be placed again. New entries stay disabled until /enable; the day's limits count the real fills so far.",
    ].join("\n"),
    buttons: [
      [
        ["Yes, clear the panic", `${BUTTON.resumeYes}:${questionId}`],
        ["Cancel", `${BUTTON.resumeNo}:${questionId}`],
      ],
    ],
  };
}

/** An ISO time (or anything Date.parse reads) as IST HH:MM:SS; the text itself otherwise. */
function clockOf(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : formatIstClock(ms);
}
