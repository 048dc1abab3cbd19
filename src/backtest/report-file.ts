import { writeFileSync } from "node:fs";
import type { Config } from "../config/schema.js";
import { parseHhmm } from "../domain/ist.js";
import type { CandleData } from "./candle-directory.js";
import { renderBacktestReport } from "./report.js";
import { sessionCandleLookup } from "./run-backtest.js";
import type { BacktestResult } from "./types.js";

/** Renders the HTML report of a backtest, with the candles of its data, and writes it to `path`. */
export function writeReportFile(
  path: string,
  result: BacktestResult,
  data: CandleData,
  config: Config,
): void {
  const interval = config.trading.candle_interval_minutes;
  const lookup = sessionCandleLookup(
    data,
    interval,
    parseHhmm(config.market.start_time),
    parseHhmm(config.market.end_time),
  );
  // The title names the underlying: a NIFTY report and a SENSEX one are told apart at a glance.
  const title = `Pivot breakout backtest · ${config.trading.instrument}`;
  writeFileSync(path, renderBacktestReport(result, lookup, { intervalMinutes: interval, title }));
}
