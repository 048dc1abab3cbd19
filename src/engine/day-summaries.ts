/*
 * The summaries told at the end of a trading day: the day's figures (recorded as the daily
 * summary) and, after the last trading day of a week or of a month, that period's figures (from
 * the stored trades and daily summaries).
 */

import type { TradingCalendar } from "../domain/calendar.js";
import { fillSummary } from "../domain/fill-summary.js";
import { dateOfDayNumber, dayNumber, type IsoDate } from "../domain/ist.js";
import type { Notification } from "../ports/notifier.js";
import type { Store } from "../ports/store.js";
import type { ServiceNotices } from "./service-notices.js";

export interface DaySummariesDeps {
  calendar: Pick<TradingCalendar, "nextTradingDay">;
  store: Pick<Store, "dailySummary" | "trades">;
  notices: Pick<ServiceNotices, "notify" | "tell">;
}

/** Records the day's summary and tells it, with the week's and the month's that `date` ends. */
export function summariseDay(d: DaySummariesDeps, date: IsoDate): void {
  const { figures: s, slippageRupees } = fillSummary(d.store.trades.byDate(date));
  try {
    d.store.dailySummary.upsert(date, s, slippageRupees);
  } catch (e) {
    d.notices.notify("warning", `recording the daily summary failed: ${(e as Error).message}`); // still told below
  }
  d.notices.notify(
    "info",
    `${date} summary: ${s.total_trades} trade(s), gross ${s.gross_pnl}, net ${s.net_pnl}, slippage ${slippageRupees ?? "-"}`,
  );
  d.notices.tell({ kind: "daily_summary", date, figures: s, slippageRupees });
  for (const n of periodSummaries(d.calendar, d.store, date)) d.notices.tell(n);
}

/** The week's and the month's summaries that `date` ends (none on other days). */
export function periodSummaries(
  calendar: Pick<TradingCalendar, "nextTradingDay">,
  store: Pick<Store, "dailySummary" | "trades">,
  date: IsoDate,
): Notification[] {
  const out: Notification[] = [];
  const next = calendar.nextTradingDay(date);
  const weekStart = (d: IsoDate) => dayNumber(d) - ((dayNumber(d) + 3) % 7); // Monday
  if (weekStart(next) !== weekStart(date)) {
    const from = dateOfDayNumber(weekStart(date));
    const days = store.dailySummary.between(from, date).length;
    const { figures, slippageRupees } = fillSummary(store.trades.between(from, date));
    out.push({ kind: "weekly_summary", from, to: date, days, figures, slippageRupees });
  }
  if (next.slice(0, 7) !== date.slice(0, 7)) {
    const month = date.slice(0, 7);
    const days = store.dailySummary.between(`${month}-01`, date).length;
    const { figures, slippageRupees } = fillSummary(store.trades.between(`${month}-01`, date));
    out.push({ kind: "monthly_summary", month, days, figures, slippageRupees });
  }
  return out;
}
