import { existsSync, readFileSync } from "node:fs";
import type { Command } from "commander";
import { DataLoadError, loadCandleDirectory } from "../../backtest/candle-directory.js";
import { InstrumentMaster, InstrumentMasterError, parseInstrumentMaster } from "../../domain/instruments.js";
import { configForCommand } from "../load-config.js";
import { dateOption, numberOption } from "../options.js";
import { UserError } from "../user-error.js";
import { packageVersion } from "../version.js";

interface RehearseFlags {
  data: string;
  date: string;
  speed?: number;
  config?: string;
  instruments?: string;
  json?: boolean;
}

/**
 * `pivot rehearse`: a day of the data through the simulator and the live code path, its trades
 * beside the backtest's. Exit code 0 when they agree, 1 when not (2 and up: it could not run).
 */
export function registerRehearse(program: Command): void {
  program
    .command("rehearse")
    .description(
      "replay a day through the simulator and the live trading service, then compare its trades with the backtest's",
    )
    .requiredOption("--data <dir>", "directory of <SYMBOL>_<DATE>.csv candle files")
    .requiredOption("--date <date>", "the day to rehearse, YYYY-MM-DD", (v) => dateOption("--date", v))
    .option("--speed <x>", "market seconds per real second (default: the day in about a minute)", speedOption)
    .option("--config <file>", "the strategy's settings (default ./config.json; its Kite keys are not used)")
    .option("--instruments <file>", "Kite instrument master CSV (lot sizes, real tokens)")
    .option("--json", "print one JSON object {agree, date, service, backtest, rows} on stdout")
    .action((flags: RehearseFlags) => rehearseCommand(flags));
}

async function rehearseCommand(flags: RehearseFlags): Promise<void> {
  const config = configForCommand(flags.config);
  const err = process.stderr;
  let data: ReturnType<typeof loadCandleDirectory>;
  try {
    data = loadCandleDirectory(flags.data, (m) => err.write(`warning: ${m}\n`));
  } catch (e) {
    if (e instanceof DataLoadError) throw new UserError(e.message);
    throw e;
  }
  if (!data.byDay.has(flags.date)) {
    const days = [...data.byDay.keys()].sort();
    throw new UserError(
      `--date ${flags.date}: not in ${flags.data} (it holds ${days.length} day(s)${days.length ? `: ${days[0]} to ${days.at(-1)}` : ""})`,
    );
  }
  const master = flags.instruments ? loadMaster(flags.instruments) : undefined;
  // Loaded here, not at start-up: other commands need neither the service nor the simulator.
  const [{ runRehearsal, DEFAULT_REHEARSAL_SPEED }, { formatComparison }, { SimDataError }] =
    await Promise.all([
      import("../../app/rehearsal.js"),
      import("../../app/trade-comparison.js"),
      import("../../sim/simulator.js"),
    ]);
  let result: Awaited<ReturnType<typeof runRehearsal>>;
  try {
    result = await runRehearsal({
      dataDir: flags.data,
      data,
      date: flags.date,
      speed: flags.speed ?? DEFAULT_REHEARSAL_SPEED,
      config,
      version: packageVersion(),
      ...(flags.instruments ? { instrumentFiles: [flags.instruments] } : {}),
      ...(master ? { master } : {}),
      console: err,
    });
  } catch (e) {
    if (e instanceof SimDataError) throw new UserError(e.message, 2);
    throw new UserError(`the rehearsal could not run: ${(e as Error).message}`, 2);
  }
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify({
        agree: result.comparison.agree,
        date: result.date,
        speed: result.speed,
        seconds: result.seconds,
        service: result.service,
        backtest: result.backtest,
        rows: result.comparison.rows,
      })}\n`,
    );
  } else {
    process.stdout.write(formatComparison(result.comparison, result.date));
  }
  // main() sets the exit code from what the action throws.
  if (!result.comparison.agree) throw new UserError("the rehearsal does not agree with the backtest", 1);
}

function speedOption(value: string): number {
  const n = numberOption("--speed", value);
  if (n < 1 || n > 2000) throw new UserError(`--speed: expected a number from 1 to 2000, found "${value}"`);
  return n;
}

function loadMaster(path: string): InstrumentMaster {
  if (!existsSync(path)) throw new UserError(`--instruments ${path}: no such file`);
  try {
    return new InstrumentMaster(parseInstrumentMaster(readFileSync(path, "utf8")));
  } catch (e) {
    if (e instanceof InstrumentMasterError) throw new UserError(`${path}: ${e.message}`);
    throw new UserError(
      `cannot read the instrument master ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`,
    );
  }
}
