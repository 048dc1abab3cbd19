import type { CandleData } from "../backtest/candle-directory.js";
import { runBacktest } from "../backtest/run-backtest.js";
import type { BacktestResult, BacktestSummary } from "../backtest/types.js";
import type { Config } from "../config/schema.js";
import type { TradingCalendar } from "../domain/calendar.js";
import type { IsoDate } from "../domain/ist.js";
import { applySettings, type Settings } from "./space.js";

/** One set of settings to backtest, over the whole data or a period of it. */
export interface EvaluationTask {
  settings: Settings;
  from?: IsoDate;
  to?: IsoDate;
}

/** What a set scored: the backtest summary, every metric included. */
export interface Evaluation {
  settings: Settings;
  metrics: BacktestSummary;
}

/**
 * The backtest of `base` with the task's settings applied: exactly what `pivot backtest
 * --config` runs with those settings in the file (the data's warnings were shown when it was
 * loaded, so they are not repeated here).
 */
export function backtestWith(
  base: Config,
  data: CandleData,
  calendar: TradingCalendar,
  task: EvaluationTask,
): BacktestResult {
  return runBacktest({
    config: applySettings(base, task.settings),
    data,
    calendar,
    ...(task.from ? { from: task.from } : {}),
    ...(task.to ? { to: task.to } : {}),
    warn: () => {},
    reuse: true,
  });
}

/** The task's backtest, reduced to its summary (what travels back from a worker thread). */
export function evaluate(
  base: Config,
  data: CandleData,
  calendar: TradingCalendar,
  task: EvaluationTask,
): Evaluation {
  return { settings: task.settings, metrics: backtestWith(base, data, calendar, task).summary };
}
