import type { CandleData } from "../backtest/candle-directory.js";
import { backtestSummary } from "../backtest/run-backtest.js";
import type { BacktestSummary, DayResult } from "../backtest/types.js";
import type { Config } from "../config/schema.js";
import type { TradingCalendar } from "../domain/calendar.js";
import type { IsoDate } from "../domain/ist.js";
import type { Trade } from "../strategy/types.js";
import { backtestWith } from "./evaluate.js";
import { type OptimizeOptions, optimize } from "./optimize.js";
import type { LabPool } from "./pool.js";
import { type Objective, objectiveOf } from "./rank.js";
import { type Settings, settingsAsConfig } from "./space.js";

export interface WalkForwardOptions extends Omit<OptimizeOptions, "from" | "to"> {
  trainDays: number;
  testDays: number;
  /** Every training window starts at the first day (else it slides with the test window). */
  anchored: boolean;
}

/** Days of one window, first and last included. */
export interface Period {
  from: IsoDate;
  to: IsoDate;
  days: number;
}

/** A window's figures on its own period. */
export interface WindowFigures {
  objective: number | null;
  trades: number;
  net_pnl: number;
  metrics: BacktestSummary;
}

export interface WalkForwardWindow {
  window: number;
  train: Period;
  test: Period;
  /** The best set of the training window, and as a config fragment. */
  settings: Settings;
  config: Record<string, Record<string, number>>;
  in_sample: WindowFigures;
  out_of_sample: WindowFigures;
}

/** The result of `pivot walkforward --json`. */
export interface WalkForwardOutcome {
  objective: Objective;
  anchored: boolean;
  train_days: number;
  test_days: number;
  windows: WalkForwardWindow[];
  /** The test windows' trades end to end, and their figures as one run. */
  out_of_sample: { trades: Trade[]; summary: BacktestSummary };
  /** Out-of-sample objective per day / in-sample objective per day (mean over windows); null when undefined. */
  efficiency: number | null;
  stopped: boolean;
}

/** The train/test windows over `days` (trading days in order), stepping by the test length. */
export function walkForwardWindows(
  days: readonly IsoDate[],
  trainDays: number,
  testDays: number,
  anchored: boolean,
): { train: Period; test: Period }[] {
  const windows: { train: Period; test: Period }[] = [];
  for (let start = 0; start + trainDays < days.length; start += testDays) {
    const trainFrom = anchored ? 0 : start;
    const testEnd = Math.min(start + trainDays + testDays, days.length);
    windows.push({
      train: period(days, trainFrom, start + trainDays),
      test: period(days, start + trainDays, testEnd),
    });
  }
  return windows;
}

function period(days: readonly IsoDate[], from: number, to: number): Period {
  return { from: days[from] as IsoDate, to: days[to - 1] as IsoDate, days: to - from };
}

/**
 * Optimises on each training window (on the pool), then backtests the best set on the test
 * window that follows (in this thread, keeping its trades). A stop ends after the windows done.
 */
export async function walkForward(
  pool: LabPool,
  config: Config,
  data: CandleData,
  calendar: TradingCalendar,
  tradingDays: readonly IsoDate[],
  options: WalkForwardOptions,
  signal: AbortSignal,
  progress: (window: number, windows: number) => void = () => {},
): Promise<WalkForwardOutcome> {
  const plan = walkForwardWindows(tradingDays, options.trainDays, options.testDays, options.anchored);
  const windows: WalkForwardWindow[] = [];
  const trades: Trade[] = [];
  const days: DayResult[] = [];
  let stopped = false;
  for (const [i, { train, test }] of plan.entries()) {
    progress(i, plan.length);
    const search = await optimize(pool, { ...options, from: train.from, to: train.to }, signal);
    const best = search.results[0];
    if (search.stopped || !best) {
      stopped = true;
      break;
    }
    const run = backtestWith(config, data, calendar, {
      settings: best.settings,
      from: test.from,
      to: test.to,
    });
    trades.push(...run.trades);
    days.push(...run.days);
    windows.push({
      window: i + 1,
      train,
      test,
      settings: best.settings,
      config: settingsAsConfig(best.settings),
      in_sample: figures(best.metrics, options.objective),
      out_of_sample: figures(run.summary, options.objective),
    });
  }
  if (!stopped) progress(plan.length, plan.length);
  const summary = backtestSummary(trades, days);
  return {
    objective: options.objective,
    anchored: options.anchored,
    train_days: options.trainDays,
    test_days: options.testDays,
    windows,
    out_of_sample: { trades, summary },
    efficiency: efficiency(windows, summary, options.objective),
    stopped,
  };
}

function figures(metrics: BacktestSummary, objective: Objective): WindowFigures {
  return {
    objective: objectiveOf(metrics, objective),
    trades: metrics.total_trades,
    net_pnl: metrics.net_pnl,
    metrics,
  };
}

/** Out-of-sample objective per day over the stitched run / the windows' mean in-sample objective per day. */
function efficiency(
  windows: readonly WalkForwardWindow[],
  oos: BacktestSummary,
  objective: Objective,
): number | null {
  const outOfSample = objectiveOf(oos, objective);
  const inSample = windows.map((w) =>
    w.in_sample.objective === null ? null : w.in_sample.objective / w.train.days,
  );
  if (outOfSample === null || oos.days === 0 || inSample.length === 0 || inSample.some((x) => x === null))
    return null;
  const meanInSample = (inSample as number[]).reduce((a, b) => a + b, 0) / inSample.length;
  if (meanInSample === 0) return null;
  return Math.round((outOfSample / oos.days / meanInSample) * 10_000) / 10_000;
}
