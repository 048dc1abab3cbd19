import { paise } from "../domain/charges.js";
import { dayNumber, type IsoDate, weekdayOf } from "../domain/ist.js";
import type { Trade } from "../strategy/types.js";

/*
 * Performance metrics of a run, on net P&L in rupees (issue 15). Daily figures are over the
 * run's trading days, a day without a trade counting as 0; trades are taken in exit order.
 */

/** Trades, wins (net > 0), win rate (percent) and net P&L of one group of trades. */
export interface Breakdown {
  trades: number;
  wins: number;
  win_rate: number;
  net_pnl: number;
}

export interface PerformanceMetrics {
  /** mean(daily) / sd(daily, n-1) × √252; null when the sd is 0 or there are fewer than 2 days. */
  sharpe: number | null;
  /** mean(daily) / √(mean(min(daily, 0)²)) × √252; null without a losing day. */
  sortino: number | null;
  /** mean(daily) × 252 / max drawdown; null without a drawdown. */
  calmar: number | null;
  /** Sum of winning trades' net / |sum of losing trades' net|; null without a losing trade. */
  profit_factor: number | null;
  /** Mean net per trade; null without trades. */
  expectancy: number | null;
  avg_win: number | null;
  avg_loss: number | null;
  largest_win: number | null;
  largest_loss: number | null;
  max_consecutive_losses: number;
  /** Largest peak-to-trough fall of cumulative net P&L at trade exits, rupees (>= 0). */
  max_drawdown: number;
  /** Trading days from that drawdown's peak to the first day above the peak (or to the run's last day). */
  max_drawdown_days: number;
  /** Share (0-1) of the run's candle closes at which a position was held. */
  exposure: number;
  by_scenario: Record<string, Breakdown>;
  by_exit_reason: Record<string, Breakdown>;
  by_weekday: Record<string, Breakdown>;
  /** Keyed by calendar days from the trade's day to its contract's expiry ("unknown" when not known). */
  by_days_to_expiry: Record<string, Breakdown>;
}

/** One trading day of the run, as the metrics need it. */
export interface MetricsDay {
  date: IsoDate;
  net_pnl: number;
  /** Candle closes the strategy saw that day. */
  closes: number;
  /** Expiry of the day's contracts, when known. */
  expiry: IsoDate | null;
}

const TRADING_DAYS_PER_YEAR = 252;
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** The metrics of a run's trades (in exit order) over its trading days (in date order). */
export function performanceMetrics(
  trades: readonly Trade[],
  days: readonly MetricsDay[],
): PerformanceMetrics {
  const daily = days.map((d) => d.net_pnl);
  const drawdown = netDrawdown(trades, days);
  const mean = average(daily);
  const sd = sampleDeviation(daily);
  const downside = Math.sqrt(average(daily.map((x) => Math.min(x, 0) ** 2)) ?? 0);
  const annual = Math.sqrt(TRADING_DAYS_PER_YEAR);

  const nets = trades.map((t) => t.net_pnl_rupees);
  const wins = nets.filter((x) => x > 0);
  const losses = nets.filter((x) => x < 0);
  const lossSum = -sum(losses);
  const closes = sum(days.map((d) => d.closes));
  const held = sum(trades.map((t) => t.candles_held));
  const expiryOf = new Map(days.map((d) => [d.date, d.expiry]));

  return {
    sharpe: mean !== null && sd !== null && sd > 0 ? round4((mean / sd) * annual) : null,
    sortino: mean !== null && downside > 0 ? round4((mean / downside) * annual) : null,
    calmar:
      mean !== null && drawdown.amount > 0 ? round4((mean * TRADING_DAYS_PER_YEAR) / drawdown.amount) : null,
    profit_factor: lossSum > 0 ? round4(sum(wins) / lossSum) : null,
    expectancy: roundOrNull(average(nets)),
    avg_win: roundOrNull(average(wins)),
    avg_loss: roundOrNull(average(losses)),
    largest_win: wins.length > 0 ? Math.max(...wins) : null,
    largest_loss: losses.length > 0 ? Math.min(...losses) : null,
    max_consecutive_losses: longestLosingStreak(nets),
    max_drawdown: paise(drawdown.amount),
    max_drawdown_days: drawdown.days,
    exposure: closes > 0 ? round4(Math.min(held, closes) / closes) : 0,
    by_scenario: breakdown(trades, (t) => String(t.scenario)),
    by_exit_reason: breakdown(trades, (t) => t.exit_reason),
    by_weekday: breakdown(trades, (t) => WEEKDAYS[weekdayOf(t.date)] as string, WEEKDAYS),
    by_days_to_expiry: breakdown(trades, (t) => {
      const expiry = expiryOf.get(t.date);
      return expiry ? String(dayNumber(expiry) - dayNumber(t.date)) : "unknown";
    }),
  };
}

/** The longest run of consecutive losing values (< 0). */
export function longestLosingStreak(values: readonly number[]): number {
  let longest = 0;
  let current = 0;
  for (const x of values) {
    current = x < 0 ? current + 1 : 0;
    if (current > longest) longest = current;
  }
  return longest;
}

/** Largest peak-to-trough fall of the running sum of `values` (starting at 0), >= 0. */
export function maxDrawdownOf(values: readonly number[]): number {
  let total = 0;
  let peak = 0;
  let worst = 0;
  for (const x of values) {
    total += x;
    if (total > peak) peak = total;
    if (peak - total > worst) worst = peak - total;
  }
  return worst;
}

/**
 * The largest fall of cumulative net P&L at trade exits, and how many trading days passed from
 * its peak (the start of the run when the peak is the opening 0) to the first day the
 * cumulative net stood above the peak again, or to the run's last day.
 */
function netDrawdown(
  trades: readonly Trade[],
  days: readonly MetricsDay[],
): { amount: number; days: number } {
  const dayIndex = new Map(days.map((d, i) => [d.date, i]));
  const dayOfTrade = (k: number) => (k < 0 ? 0 : (dayIndex.get((trades[k] as Trade).date) ?? 0));
  const cumulative: number[] = [];
  let total = 0;
  let peak = 0;
  let peakTrade = -1; // -1: the opening 0
  let worst = 0;
  let worstPeakTrade = -1;
  trades.forEach((t, k) => {
    total += t.net_pnl_rupees;
    cumulative.push(total);
    if (total > peak) {
      peak = total;
      peakTrade = k;
    }
    if (peak - total > worst) {
      worst = peak - total;
      worstPeakTrade = peakTrade;
    }
  });
  if (worst === 0) return { amount: 0, days: 0 };
  const worstPeak = worstPeakTrade < 0 ? 0 : (cumulative[worstPeakTrade] as number);
  let recoveredDay = Math.max(days.length - 1, 0);
  for (let k = worstPeakTrade + 1; k < cumulative.length; k++) {
    if ((cumulative[k] as number) > worstPeak) {
      recoveredDay = dayOfTrade(k);
      break;
    }
  }
  return { amount: worst, days: recoveredDay - dayOfTrade(worstPeakTrade) };
}

/** Trades grouped by `keyOf`, keys in `order` when given, else numbers ascending then text. */
function breakdown(
  trades: readonly Trade[],
  keyOf: (t: Trade) => string,
  order?: readonly string[],
): Record<string, Breakdown> {
  const groups = new Map<string, Breakdown>();
  for (const t of trades) {
    const key = keyOf(t);
    const g = groups.get(key) ?? { trades: 0, wins: 0, win_rate: 0, net_pnl: 0 };
    g.trades++;
    if (t.net_pnl_rupees > 0) g.wins++;
    g.net_pnl += t.net_pnl_rupees;
    groups.set(key, g);
  }
  const out: Record<string, Breakdown> = {};
  const keys = order ? order.filter((k) => groups.has(k)) : [...groups.keys()].sort(byNumberThenText);
  for (const key of keys) {
    const g = groups.get(key) as Breakdown;
    out[key] = { ...g, win_rate: Math.round((g.wins / g.trades) * 10_000) / 100, net_pnl: paise(g.net_pnl) };
  }
  return out;
}

function byNumberThenText(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function sum(values: readonly number[]): number {
  let s = 0;
  for (const x of values) s += x;
  return s;
}

function average(values: readonly number[]): number | null {
  return values.length === 0 ? null : sum(values) / values.length;
}

function sampleDeviation(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const m = sum(values) / values.length;
  return Math.sqrt(sum(values.map((x) => (x - m) ** 2)) / (values.length - 1));
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

function roundOrNull(x: number | null): number | null {
  return x === null ? null : paise(x);
}
