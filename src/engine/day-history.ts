/*
 * What a service started (or restarted) in the middle of a session needs to catch up with the
 * day: each contract's candles so far. The candles the service recorded itself come first (they
 * are what its strategy saw); Kite's minute candles fill the rest: the closes missed while the
 * service was down, and the part of the interval in progress that passed before the start
 * (merged into the first live candle, so that its open, high and low are the market's and not
 * those of the first tick after the restart).
 */

import type { Candle } from "../domain/candle.js";
import { type IsoDate, istEpochMs } from "../domain/ist.js";
import { toSessionCandles } from "../domain/session-candles.js";
import type { BrokerResult } from "../ports/broker.js";
import type { CandleHistory, DayCandles } from "../ports/history.js";

/** A day's candles so far, by symbol. */
export interface DayHistory {
  /** Closed candles, oldest first. */
  closed: Map<string, Candle[]>;
  /** The interval in progress so far (from minute candles), by symbol. */
  inProgress: Map<string, Candle>;
}

export interface SessionGrid {
  intervalMinutes: number;
  sessionStart: number;
  sessionEnd: number;
}

/** Close time (epoch ms) of the candle starting at `start`. */
export function closeMsOf(date: IsoDate, start: number, grid: SessionGrid): number {
  return istEpochMs(date, Math.min(start + grid.intervalMinutes, grid.sessionEnd));
}

/**
 * Merges the recorded candles and Kite's minute candles of one contract into closed candles
 * (recorded ones win; history fills the gaps) and the interval in progress at `nowMs`.
 */
export function mergeDayCandles(
  date: IsoDate,
  recorded: readonly Candle[],
  minuteCandles: readonly Candle[],
  grid: SessionGrid,
  nowMs: number,
): { closed: Candle[]; inProgress: Candle | null } {
  const byStart = new Map<number, Candle>();
  let inProgress: Candle | null = null;
  const fromKite = toSessionCandles(minuteCandles, grid.intervalMinutes, grid.sessionStart, grid.sessionEnd);
  for (const c of fromKite) {
    if (closeMsOf(date, c.start, grid) <= nowMs) byStart.set(c.start, { ...c });
    else inProgress = { ...c };
  }
  for (const c of recorded) byStart.set(c.start, c);
  const closed = [...byStart.values()].sort((a, b) => a.start - b.start);
  return { closed, inProgress };
}

/** One contract whose history is asked for. */
export interface HistoryContract {
  symbol: string;
  instrumentToken: number;
}

/**
 * The day so far for `contracts`: recorded candles plus Kite's minute candles of `date`. A
 * contract whose history cannot be fetched keeps its recorded candles (with a warning); after
 * an expired session nothing more is asked.
 */
export async function loadDayHistory(
  deps: { history: CandleHistory; warn: (message: string) => void },
  date: IsoDate,
  contracts: readonly HistoryContract[],
  recorded: ReadonlyMap<string, readonly Candle[]>,
  grid: SessionGrid,
  nowMs: number,
): Promise<DayHistory> {
  const history: DayHistory = { closed: new Map(), inProgress: new Map() };
  let sessionExpired = false;
  for (const c of contracts) {
    const got: BrokerResult<DayCandles> | null = sessionExpired
      ? null
      : await deps.history.candles({
          instrumentToken: c.instrumentToken,
          intervalMinutes: 1,
          from: date,
          to: date,
        });
    if (got && !got.ok) {
      sessionExpired = got.error.kind === "session_expired";
      deps.warn(`${c.symbol}: today's candles could not be fetched (${got.error.message})`);
    }
    const minutes = got?.ok ? (got.value.days.get(date) ?? []) : [];
    const merged = mergeDayCandles(date, recorded.get(c.symbol) ?? [], minutes, grid, nowMs);
    history.closed.set(c.symbol, merged.closed);
    if (merged.inProgress) history.inProgress.set(c.symbol, merged.inProgress);
  }
  return history;
}
