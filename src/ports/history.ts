/*
 * Market history as the engine needs it: past candles of an instrument (the previous day's bar
 * for the pivots, the significance window, the day so far after a restart), the instrument
 * master and the index's last price. adapters/kite KiteHistory implements it over Kite's REST
 * API (chunking ranges to Kite's limits, caching the master); a replay or a fake would too.
 */

import type { Candle } from "../domain/candle.js";
import type { InstrumentMaster } from "../domain/instruments.js";
import type { IsoDate } from "../domain/ist.js";
import type { BrokerResult } from "./broker.js";

/** Which candles to fetch. */
export interface CandleRequest {
  instrumentToken: number;
  /** Candle length in minutes (1, 3, 5, ...); one the source has none of is an "input" failure. */
  intervalMinutes: number;
  /** First IST day. */
  from: IsoDate;
  /** Last IST day (included). */
  to: IsoDate;
}

/** Candles of a range, by IST day, each day in time order. */
export interface DayCandles {
  days: Map<IsoDate, Candle[]>;
  /** Rows left out: repeated starts, or values that are not finite numbers. */
  skipped: number;
}

/** Past candles; a failure of kind "session_expired" means: log in again. */
export interface CandleHistory {
  candles(request: CandleRequest): Promise<BrokerResult<DayCandles>>;
}

/** Everything of the market's past and present the pre-market preparation reads. */
export interface MarketHistory extends CandleHistory {
  /** A broker session is there to ask with. */
  hasSession(): boolean;
  /** The day's instrument master of `exchanges` (from a cache, or downloaded); `warn` hears of a stale one. */
  instrumentMaster(
    exchanges: readonly string[],
    warn: (message: string) => void,
  ): Promise<{ ok: true; master: InstrumentMaster } | { ok: false; message: string }>;
  /** The last traded price of `exchange:tradingsymbol`; null when the broker has none. */
  lastPrice(exchange: string, tradingsymbol: string): Promise<BrokerResult<number | null>>;
}
