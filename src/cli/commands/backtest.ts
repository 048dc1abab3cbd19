import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { loadCandleData } from "../../backtest/candle-cache.js";
import { DataLoadError } from "../../backtest/candle-directory.js";
import { runBacktest } from "../../backtest/run-backtest.js";
import { formatBacktestText } from "../../backtest/text-summary.js";
import type { Config } from "../../config/schema.js";
import { tradingCalendarOf } from "../../config/underlying.js";
import { InstrumentMaster, InstrumentMasterError, parseInstrumentMaster } from "../../domain/instruments.js";
import { configForCommand } from "../load-config.js";
import { dateOption } from "../options.js";
import { progressBar } from "../progress-bar.js";
import { UserError } from "../user-error.js";

interface BacktestFlags {
  data: string;
  config?: string;
  from?: string;
  to?: string;
  instruments?: string;
  json?: boolean;
  report?: string;
}

/** `pivot backtest`: runs the strategy over a directory of candle CSVs. */
export function registerBacktest(program: Command): void {
  program
    .command("backtest")
    .description("run the strategy over historical candles (CSV files of 3-minute candles)")
    .requiredOption("--data <dir>", "directory of <SYMBOL>_<DATE>.csv candle files")
    .option("--config <file>", "configuration file (default ./config.json; a backtest needs no secrets)")
    .option("--from <date>", "first day, YYYY-MM-DD", (v) => dateOption("--from", v))
    .option("--to <date>", "last day, YYYY-MM-DD", (v) => dateOption("--to", v))
    .option("--instruments <file>", "Kite instrument master CSV (lot sizes, monthly expiries)")
    .option("--json", "print one JSON object {trades, signals, days, summary} on stdout")
    .option("--report <file.html>", "write a self-contained HTML report")
    .action((flags: BacktestFlags) => backtestCommand(flags));
}

async function backtestCommand(flags: BacktestFlags): Promise<void> {
  if (flags.from && flags.to && flags.from > flags.to) {
    throw new UserError(`--from ${flags.from} is after --to ${flags.to}`);
  }
  const config = configForCommand(flags.config);
  // Printed as they come; --json also carries them, so a script sees why a day did not trade.
  const warnings: string[] = [];
  const stderr = linesTo(process.stderr);
  const warn = (message: string) => {
    warnings.push(message);
    stderr.write(`warning: ${message}\n`);
  };
  try {
    await runAndPrint(flags, config, warnings, warn);
  } finally {
    stderr.flush(); // before any error the command ends with
  }
}

/** The backtest itself, once the configuration is loaded: loads the data, runs, prints. */
async function runAndPrint(
  flags: BacktestFlags,
  config: Config,
  warnings: string[],
  warn: (message: string) => void,
): Promise<void> {
  const master = flags.instruments ? loadMaster(flags.instruments) : undefined;
  let data: ReturnType<typeof loadCandleData>;
  try {
    data = loadCandleData(flags.data, warn);
  } catch (e) {
    if (e instanceof DataLoadError) throw new UserError(e.message);
    throw e;
  }
  const result = runBacktest({
    config,
    data,
    calendar: tradingCalendarOf(config),
    ...(flags.from ? { from: flags.from } : {}),
    ...(flags.to ? { to: flags.to } : {}),
    ...(master ? { master } : {}),
    warn,
    dataDir: flags.data,
    progress: progressBar(process.stderr, "backtest", 20),
  });
  if (result.days.length === 0) warn("no trading day of the data falls in the chosen period");
  if (flags.report) {
    // Loaded only when asked for: it reads the 200 KB chart library.
    const { writeReportFile } = await import("../../backtest/report-file.js");
    try {
      writeReportFile(flags.report, result, data, config);
    } catch (e) {
      throw new UserError(
        `cannot write the report ${flags.report}: ${(e as NodeJS.ErrnoException).code ?? e}`,
      );
    }
    process.stderr.write(`report written to ${flags.report}\n`);
  }
  process.stdout.write(
    flags.json ? `${JSON.stringify({ ...result, warnings })}\n` : formatBacktestText(result),
  );
}

/**
 * Lines for `stream`: written at once on a terminal; otherwise (a pipe, a file) gathered and
 * written a few at a time: an archive's backtest gives hundreds of warnings, and each write
 * to a pipe wakes its reader.
 */
function linesTo(stream: NodeJS.WriteStream): { write(line: string): void; flush(): void } {
  let pending = "";
  const flush = () => {
    if (pending) stream.write(pending);
    pending = "";
  };
  return {
    write: (line) => {
      if (stream.isTTY) return void stream.write(line);
      pending += line;
      if (pending.length >= 16_384) flush();
    },
    flush,
  };
}

function loadMaster(path: string): InstrumentMaster {
  try {
    return new InstrumentMaster(parseInstrumentMaster(readFileSync(path, "utf8")));
  } catch (e) {
    if (e instanceof InstrumentMasterError) throw new UserError(`${path}: ${e.message}`);
    throw new UserError(
      `cannot read the instrument master ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`,
    );
  }
}
