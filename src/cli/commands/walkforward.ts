import type { Command } from "commander";
import { tradingCalendarOf } from "../../config/underlying.js";
import type { SearchMethod } from "../../lab/optimize.js";
import { packCandles } from "../../lab/packed-candles.js";
import type { Objective } from "../../lab/rank.js";
import { type WalkForwardOutcome, walkForward } from "../../lab/walkforward.js";
import { formatWalkForwardText } from "../../lab/walkforward-text.js";
import { loadLabData, readSpaceFile, searchOptions, stoppableByInterrupt } from "../lab-setup.js";
import { configForCommand } from "../load-config.js";
import { integerOption } from "../options.js";
import { progressWithEta } from "../progress-eta.js";
import { UserError } from "../user-error.js";

interface WalkForwardFlags {
  data: string;
  space: string;
  trainDays: number;
  testDays: number;
  anchored?: boolean;
  config?: string;
  method: string;
  samples: number;
  seed: number;
  objective: Objective;
  minTrades: number;
  workers?: number;
  from?: string;
  to?: string;
  json?: boolean;
}

/** `pivot walkforward`: optimise on a window, trade the best settings on the next, step on. */
export function registerWalkForward(program: Command): void {
  const command = program
    .command("walkforward")
    .description("optimise on each training window and test the best settings on the days that follow")
    .requiredOption("--data <dir>", "directory of <SYMBOL>_<DATE>.csv candle files")
    .requiredOption("--space <file>", 'settings to try, e.g. {"candle_size_percentile": [70, 75, 80]}')
    .requiredOption("--train-days <n>", "trading days of each training window", (v) =>
      integerOption("--train-days", v, 1),
    )
    .requiredOption("--test-days <n>", "trading days of each test window (and the step)", (v) =>
      integerOption("--test-days", v, 1),
    )
    .option("--anchored", "every training window starts at the first day")
    .option("--config <file>", "base configuration (default ./config.json)");
  searchOptions(command)
    .option("--json", "print one JSON object {windows, out_of_sample, efficiency} on stdout")
    .action((flags: WalkForwardFlags) => walkForwardCommand(flags));
}

async function walkForwardCommand(flags: WalkForwardFlags): Promise<void> {
  if (flags.method !== "grid" && flags.method !== "random") {
    throw new UserError(`--method: expected grid or random, found "${flags.method}"`);
  }
  if (flags.from && flags.to && flags.from > flags.to) {
    throw new UserError(`--from ${flags.from} is after --to ${flags.to}`);
  }
  const config = configForCommand(flags.config);
  const dimensions = readSpaceFile(flags.space, config);
  const data = loadLabData(flags.data);
  const calendar = tradingCalendarOf(config);
  const tradingDays = [...data.byDay.keys()]
    .filter(
      (d) => calendar.isTradingDay(d) && (!flags.from || d >= flags.from) && (!flags.to || d <= flags.to),
    )
    .sort();
  if (tradingDays.length <= flags.trainDays) {
    throw new UserError(
      `the data holds ${tradingDays.length} trading day(s) in the period: too few for a ${flags.trainDays}-day training window and a test window after it`,
    );
  }
  // Loaded on demand: piscina and the worker threads are for these commands only.
  const { defaultThreads, LabPool } = await import("../../lab/pool.js");
  const pool = new LabPool(packCandles(data), config, flags.workers ?? defaultThreads());
  let outcome: WalkForwardOutcome;
  try {
    outcome = await stoppableByInterrupt((signal) =>
      walkForward(
        pool,
        config,
        data,
        calendar,
        tradingDays,
        {
          dimensions,
          method: flags.method as SearchMethod,
          samples: flags.samples,
          seed: flags.seed,
          objective: flags.objective,
          minTrades: flags.minTrades,
          trainDays: flags.trainDays,
          testDays: flags.testDays,
          anchored: flags.anchored === true,
        },
        signal,
        progressWithEta(process.stderr, "walkforward"),
      ),
    );
  } finally {
    await pool.close();
  }
  process.stdout.write(flags.json ? `${JSON.stringify(outcome)}\n` : formatWalkForwardText(outcome));
  if (outcome.stopped) {
    throw new UserError(`stopped by Ctrl-C after ${outcome.windows.length} window(s)`, 130);
  }
}
