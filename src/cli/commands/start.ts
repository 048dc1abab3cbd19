import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { TradingCalendar } from "../../domain/calendar.js";
import { configForCommand } from "../load-config.js";

/**
 * `pivot start`. The trading engine (paper and live days) is not built yet, so for now this
 * runs the strategy over a generated sample market and says so plainly.
 */
export function registerStart(program: Command): void {
  program
    .command("start")
    .description(
      "start the system (for now: a backtest over generated sample data; the live engine comes next)",
    )
    .option("--config <file>", "configuration file (default ./config.json)")
    .option("--sample-dir <dir>", "where the sample market is kept", "data/sample-market")
    .action(async (flags: { config?: string; sampleDir: string }) => {
      // Loaded here, not at start-up: other commands do not need them.
      const [
        { loadCandleDirectory },
        { writeReportFile },
        { runBacktest },
        { writeSampleData },
        { formatBacktestText },
      ] = await Promise.all([
        import("../../backtest/candle-directory.js"),
        import("../../backtest/report-file.js"),
        import("../../backtest/run-backtest.js"),
        import("../../backtest/sample-data.js"),
        import("../../backtest/text-summary.js"),
      ]);
      const config = configForCommand(flags.config);
      const err = process.stderr;
      err.write("The live and paper trading engine is not part of this version yet.\n");
      err.write("Running the strategy over a generated sample market instead (a backtest).\n");
      const dir = flags.sampleDir;
      const hasData = existsSync(dir) && readdirSync(dir).some((n) => n.endsWith(".csv"));
      if (!hasData) {
        mkdirSync(dir, { recursive: true });
        const r = writeSampleData({ outDir: dir, days: 20, seed: 1, calendar: new TradingCalendar() });
        err.write(`Generated ${r.days.length} sample trading days in ${dir}.\n`);
      }
      const data = loadCandleDirectory(dir, (m) => err.write(`warning: ${m}\n`));
      const result = runBacktest({
        config,
        data,
        calendar: new TradingCalendar(config.market.holidays),
        warn: (m) => err.write(`warning: ${m}\n`),
      });
      const reportPath = join(dir, "..", "sample-report.html");
      writeReportFile(reportPath, result, data, config);
      process.stdout.write(formatBacktestText(result));
      process.stdout.write(`\nHTML report: ${reportPath} (open it in a browser)\n`);
    });
}
