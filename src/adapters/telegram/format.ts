/*
 * How values read in a Telegram message: IST times, Indian-style rupees, prices, durations.
 * Written by hand rather than with Intl so that the text never depends on the host's ICU data.
 */

import { formatHhmm, type IsoDate, istPartsOf, weekdayOf } from "../../domain/ist.js";

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Digits of a whole number grouped the Indian way: 1,23,45,678. */
export function groupIndian(whole: string): string {
  if (whole.length <= 3) return whole;
  const last3 = whole.slice(-3);
  let rest = whole.slice(0, -3);
  const pairs: string[] = [];
  while (rest.length > 2) {
    pairs.unshift(rest.slice(-2));
    rest = rest.slice(0, -2);
  }
  if (rest !== "") pairs.unshift(rest);
  return `${pairs.join(",")},${last3}`;
}

/** Rupees with paise, Indian grouping: ₹12,34,567.89; negative as -₹1,234.00. */
export function formatRupees(amount: number): string {
  const [whole, paise] = Math.abs(amount).toFixed(2).split(".") as [string, string];
  const sign = amount < 0 && Number(`${whole}.${paise}`) !== 0 ? "-" : "";
  return `${sign}₹${groupIndian(whole)}.${paise}`;
}

/** Rupees with an explicit sign (P&L): +₹797.00, -₹1,234.50, ₹0.00. */
export function formatSignedRupees(amount: number): string {
  const text = formatRupees(amount);
  return amount > 0 && text !== "₹0.00" ? `+${text}` : text;
}

/** A premium or level: two decimals, Indian grouping (index levels run into the lakhs). */
export function formatPrice(price: number): string {
  const [whole, decimals] = Math.abs(price).toFixed(2).split(".") as [string, string];
  return `${price < 0 ? "-" : ""}${groupIndian(whole)}.${decimals}`;
}

/** Points with an explicit sign: +39.85, -12.40. */
export function formatSignedPoints(points: number): string {
  const text = formatPrice(points);
  return points > 0 && text !== "0.00" ? `+${text}` : text;
}

/** A whole count or strike with Indian grouping: 81,000. */
export function formatWhole(n: number): string {
  return `${n < 0 ? "-" : ""}${groupIndian(String(Math.round(Math.abs(n))))}`;
}

/** An instant as IST HH:MM:SS. */
export function formatIstClock(epochMs: number): string {
  const p = istPartsOf(epochMs);
  return `${formatHhmm(p.minute)}:${String(p.second).padStart(2, "0")}`;
}

/** A strategy time (ISO 8601 with offset) as IST HH:MM; the text itself when it is not a time. */
export function formatIstMinute(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : formatHhmm(istPartsOf(ms).minute);
}

/** A trading date as "Thu 04 Sep 2025". */
export function formatDate(date: IsoDate): string {
  const month = MONTHS[Number(date.slice(5, 7)) - 1] ?? date.slice(5, 7);
  return `${WEEKDAYS[weekdayOf(date)]} ${date.slice(8, 10)} ${month} ${date.slice(0, 4)}`;
}

/** A month `YYYY-MM` as "Sep 2025". */
export function formatMonth(month: string): string {
  return `${MONTHS[Number(month.slice(5, 7)) - 1] ?? month.slice(5, 7)} ${month.slice(0, 4)}`;
}

/** A duration as "45 s", "3 min 05 s", "2 h 07 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${String(m % 60).padStart(2, "0")} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Bytes in the largest fitting unit: "512 MB", "1.5 GB". */
export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 || v >= 100 ? Math.round(v) : Number(v.toFixed(1))} ${units[i]}`;
}

/** A percentage with at most one decimal: "62.5%", "40%". */
export function formatPct(pct: number): string {
  return `${Number(pct.toFixed(1))}%`;
}
