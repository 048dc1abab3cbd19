import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import type { CandleData } from "../../backtest/candle-directory.js";
import type { Config } from "../../config/schema.js";
import { tradingCalendarOf } from "../../config/underlying.js";
import { backtestWith } from "../../lab/evaluate.js";
import { type OptimizeOutcome, optimize, type SearchMethod } from "../../lab/optimize.js";
import { dailyEquity, heatmapAxes, renderOptimizeReport, TOP_CURVES } from "../../lab/optimize-report.js";
import { formatOptimizeText } from "../../lab/optimize-text.js";
import { packCandles } from "../../lab/packed-candles.js";
import type { Objective } from "../../lab/rank.js";
import { loadLabData, readSpaceFile, searchOptions, stoppableByInterrupt } from "../lab-setup.js";
import { configForCommand } from "../load-config.js";
import { progressWithEta } from "../progress-eta.js";
import { UserError } from "../user-error.js";

interface OptimizeFlags {
  data: string;
  space: string;
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
  report?: string;
  heatmap?: string;
}

/** `pivot optimize`: backtests every set of a search space on worker threads and ranks them. */
export function registerOptimize(program: Command): void {
  const command = program
    .command("optimize")
    .description("backtest many strategy/risk settings over the same data and rank them")
    .requiredOption("--data <dir>", "directory of <SYMBOL>_<DATE>.csv candle files")
    .requiredOption("--space <file>", 'settings to try, e.g. {"candle_size_percentile": [70, 75, 80]}')
    .option(
      "--config <file>",
      "base configuration (default ./config.json); the space's settings replace its values",
    );
  searchOptions(command)
    .option("--json", "print one JSON object {method, objective, space, results: [...]} on stdout")
    .option(
      "--report <file.html>",
      "write an HTML report: heatmap of the objective and the top equity curves",
    )
    .option("--heatmap <a,b>", "the two settings of the report's heatmap (default: the first two that vary)")
    .action((flags: OptimizeFlags) => optimizeCommand(flags));
}

async function optimizeCommand(flags: OptimizeFlags): Promise<void> {
  if (flags.method !== "grid" && flags.method !== "random") {
    throw new UserError(`--method: expected grid or random, found "${flags.method}"`);
  }
  if (flags.from && flags.to && flags.from > flags.to) {
    throw new UserError(`--from ${flags.from} is after --to ${flags.to}`);
  }
  const config = configForCommand(flags.config);
  const dimensions = readSpaceFile(flags.space, config);
  const asked = flags.heatmap?.split(",").map((s) => s.trim());
  if (asked && (asked.length !== 2 || !asked.every((n) => dimensions.some((d) => d.name === n)))) {
    throw new UserError(
      `--heatmap: expected two settings of the space separated by a comma, found "${flags.heatmap}"`,
    );
  }
  const data = loadLabData(flags.data);
  // Loaded on demand: piscina and the worker threads are for these commands only.
  const { defaultThreads, LabPool } = await import("../../lab/pool.js");
  const pool = new LabPool(packCandles(data), config, flags.workers ?? defaultThreads());
  let outcome: OptimizeOutcome;
  try {
    outcome = await stoppableByInterrupt((signal) =>
      optimize(
        pool,
        {
          dimensions,
          method: flags.method as SearchMethod,
          samples: flags.samples,
          seed: flags.seed,
          objective: flags.objective,
          minTrades: flags.minTrades,
          ...(flags.from ? { from: flags.from } : {}),
          ...(flags.to ? { to: flags.to } : {}),
        },
        signal,
        announced(progressWithEta(process.stderr, "optimize"), pool.threads),
      ),
    );
  } finally {
    await pool.close();
  }
  if (flags.report) writeReport(flags.report, outcome, config, data, asked);
  process.stdout.write(flags.json ? `${JSON.stringify(outcome)}\n` : formatOptimizeText(outcome));
  if (outcome.stopped) {
    throw new UserError(`stopped by Ctrl-C after ${outcome.evaluated} of ${outcome.total} set(s)`, 130);
  }
}

/** The progress callback, saying first (on any stream) what is about to run and how to stop it. */
function announced(
  progress: (done: number, total: number) => void,
  threads: number,
): (done: number, total: number) => void {
  return (done, total) => {
    if (done === 0) {
      process.stderr.write(
        `optimize: ${total} set(s) on ${threads} worker thread(s); Ctrl-C stops and prints the results so far\n`,
      );
    }
    progress(done, total);
  };
}

/** The report needs the top sets' daily equity: they are backtested again here (a few runs). */
function writeReport(
  path: string,
  outcome: OptimizeOutcome,
  config: Config,
  data: CandleData,
  asked: string[] | undefined,
): void {
  const calendar = tradingCalendarOf(config);
  const curves = outcome.results.slice(0, TOP_CURVES).map((r) => {
    const period = {
      ...(outcome.from ? { from: outcome.from } : {}),
      ...(outcome.to ? { to: outcome.to } : {}),
    };
    const run = backtestWith(config, data, calendar, { settings: r.settings, ...period });
    const label = Object.entries(r.settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
    return { name: `#${r.rank} ${label}`, values: dailyEquity(run.days) };
  });
  try {
    writeFileSync(path, renderOptimizeReport(outcome, curves, heatmapAxes(outcome, asked)));
  } catch (e) {
    throw new UserError(`cannot write the report ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  process.stderr.write(`report written to ${path}\n`);
}
