/*
 * Formatting of the dashboard's figures and times: pure functions (no DOM, no clock), shared by
 * the browser script and its unit tests. Times are shown in IST whatever the browser's zone.
 */

import type { DayPhase, ServiceMode, StatusSnapshot } from "../../../ports/app.js";

const IST_OFFSET_MS = 330 * 60_000;

const PRICE = new Intl.NumberFormat("en-IN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const WHOLE = new Intl.NumberFormat("en-IN", { maximumFractionDigits: 0 });

/** A price or level: `80,712.40`; an em dash when unknown. */
export function formatPrice(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "—" : PRICE.format(value);
}

/** A whole number with Indian grouping: `1,00,000`. */
export function formatWhole(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "—" : WHOLE.format(value);
}

/** A contract as a trader reads it, `80,800 CE`, when it is in today's universe; else its symbol. */
export function contractLabel(s: Pick<StatusSnapshot, "universe">, symbol: string): string {
  const c = s.universe.contracts.find((x) => x.symbol === symbol);
  return c ? `${formatWhole(c.strike)} ${c.optionType}` : symbol;
}

/** Rupees with an explicit sign for gains and losses: `+₹1,279.00`, `−₹2,147.33`, `₹0.00`. */
export function formatRupees(value: number | null | undefined, signed = true): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const rounded = Math.round(value * 100) / 100;
  const sign = !signed || rounded === 0 ? "" : rounded > 0 ? "+" : "−";
  return `${sign}₹${PRICE.format(Math.abs(rounded))}`;
}

/** Points with a sign: `+63.95`, `−104.45`. */
export function formatPoints(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const rounded = Math.round(value * 100) / 100;
  const sign = rounded > 0 ? "+" : rounded < 0 ? "−" : "";
  return `${sign}${PRICE.format(Math.abs(rounded))}`;
}

/** A fraction as a percentage: `57%`. */
export function formatPercent(fraction: number | null | undefined): string {
  return fraction === null || fraction === undefined || !Number.isFinite(fraction)
    ? "—"
    : `${Math.round(fraction * 100)}%`;
}

/** The direction of an amount, for colouring: "gain", "loss" or "flat". */
export function signClass(value: number | null | undefined): "gain" | "loss" | "flat" {
  if (value === null || value === undefined || !Number.isFinite(value)) return "flat";
  if (value > 0.004) return "gain";
  if (value < -0.004) return "loss";
  return "flat";
}

/** The IST wall-clock time of an instant: `11:03:20`. */
export function istTimeOfEpoch(epochMs: number): string {
  const d = new Date(epochMs + IST_OFFSET_MS);
  return `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

/** The IST date and time of an ISO 8601 timestamp: `2025-09-05 06:00`; the text itself when unreadable. */
export function istDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const d = new Date(ms + IST_OFFSET_MS);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
}

/** The IST time of day of an ISO 8601 timestamp: `09:42`; the text itself when unreadable. */
export function istClock(iso: string | null | undefined): string {
  if (!iso) return "—";
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return istTimeOfEpoch(ms).slice(0, 5);
}

/** How many days the archive holds, for the health card. */
export function formatArchiveDays(days: number): string {
  return days === 0 ? "no day yet" : `${days} day${days === 1 ? "" : "s"}`;
}

/** A duration in seconds as `2 h 14 min`, `3 min 05 s` or `42 s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${pad2(s % 60)} s`;
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  return days > 0 ? `${days} d ${hours} h` : `${hours} h ${minutes} min`;
}

/** How long ago, for "updated 4 s ago". */
export function formatAge(ms: number): string {
  return ms < 1000 ? "just now" : `${formatDuration(ms / 1000)} ago`;
}

/** What each phase of the day means to the trader. */
export const PHASE_LABELS: Record<DayPhase, string> = {
  CLOSED_DAY: "No trading today (weekend or holiday)",
  BEFORE_SESSION_CHECK: "Before the 08:00 session check",
  WAITING_FOR_LOGIN: "Waiting for the Kite login",
  PRE_MARKET: "Pre-market: building the universe",
  MARKET_OPEN: "Market open: trading",
  EOD_EXIT: "End-of-day exit",
  AFTER_CLOSE: "After the close",
  GIVEN_UP: "No login by 09:00: no trading today",
};

/** The banner's words for each mode. */
export const MODE_LABELS: Record<ServiceMode, { title: string; detail: string }> = {
  LIVE: { title: "LIVE", detail: "real orders, real money" },
  PAPER: { title: "PAPER", detail: "live prices, simulated fills: no real orders" },
  SIM: { title: "SIM", detail: "against the local Kite simulator" },
  DEMO: { title: "DEMO", detail: "sample data: no market, no orders" },
};

/** Why a signal was not taken, in words. */
export const SKIP_REASON_LABELS: Record<string, string> = {
  POSITION_OPEN: "a position was open",
  EXITED_THIS_CLOSE: "a position closed on this candle",
  AFTER_EOD_CUTOFF: "after the 15:15 cut-off",
  ENTRIES_DISABLED: "entries disabled",
  MAX_TRADES: "daily trade limit reached",
  MAX_STOP_LOSSES: "stop-loss limit reached",
  MAX_DAILY_LOSS: "daily loss limit reached",
  OUTRANKED: "another contract ranked higher",
  TARGET_NOT_ABOVE_ENTRY: "target not above the entry",
};

/** Why a trade was closed, in words. */
export const EXIT_REASON_LABELS: Record<string, string> = {
  STOP_LOSS: "Stop loss",
  TARGET: "Target",
  TIMEOUT: "Timeout",
  EOD: "End of day",
  MAX_DAILY_LOSS: "Daily loss limit",
  STOP_FILLED: "Stop filled at broker",
  PANIC: "Panic",
  EMERGENCY: "Emergency exit (no stop)",
  MANUAL: "Closed at broker",
};

/** A label of a known code, or the code itself (a newer server may send codes this page does not know). */
export function labelOf(labels: Record<string, string>, code: string | null | undefined): string {
  if (!code) return "";
  return labels[code] ?? code;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
