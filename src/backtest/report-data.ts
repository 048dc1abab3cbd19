/*
 * The JSON a backtest report carries for its page script (report.ts writes it, the script in
 * report-client/ draws it): the equity curve, the daily P&L and each trade's chart.
 */

import type { IsoDate } from "../domain/ist.js";

/** Kind of a horizontal line on a trade chart: pivot point, resistance, support or the stop loss. */
export type LevelKind = "PP" | "R" | "S" | "SL";

/** A horizontal price line of a trade chart. */
export interface Level {
  title: string;
  price: number;
  kind: LevelKind;
}

/** What the page script needs to draw one trade's chart. Times are chart seconds (report.ts `chartSeconds`). */
export interface TradeChart {
  id: string;
  symbol: string;
  /** Index into {@link ReportData.candles}: trades of the same contract and day share one candle set. */
  candles: number;
  /** Start of the entry candle and of the exit candle. */
  entry: number;
  exit: number;
  entryPrice: number;
  exitPrice: number;
  reason: string;
  win: boolean;
  levels: Level[];
  /** Prices the price scale must always show (stop loss and target). */
  range: [number, number];
}

/** The JSON embedded in the page. */
export interface ReportData {
  equity: { time: number; net: number; gross: number }[];
  daily: { time: IsoDate; value: number }[];
  /** One per trade, in table order; null when the lookup had no candles for it. */
  trades: (TradeChart | null)[];
  /** Candle sets as `[time, open, high, low, close]` rows. */
  candles: number[][][];
}

/** The id of the `<script type="application/json">` element holding the data. */
export const REPORT_DATA_ID = "report-data";
