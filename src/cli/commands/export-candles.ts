import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { type Clock, systemClock } from "../../ports/clock.js";
import { configForCommand } from "../load-config.js";
import { dateOption } from "../options.js";
import { UserError } from "../user-error.js";
import { candleCsv } from "./fetch-candles.js";

/*
 * `pivot export-candles`: the candles the system recorded on a day it traded, from the
 * database, in the backtest CSV format (one `<SYMBOL>_<DATE>.csv` a symbol), so that the day
 * can be replayed with `pivot backtest --data DIR`.
 */

interface ExportFlags {
  date: string;
  out: string;
  config?: string;
}

/** What a test may replace. */
export interface ExportCandlesDeps {
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  out?: (text: string) => void;
}

/** What the command wrote. */
export interface ExportResult {
  files: string[];
  candles: number;
}

/** Registers `pivot export-candles`. */
export function registerExportCandles(program: Command): void {
  program
    .command("export-candles")
    .description("write the candles recorded on a trading day, from the database, as backtest CSV files")
    .requiredOption("--date <date>", "the trading day, YYYY-MM-DD", (v) => dateOption("--date", v))
    .requiredOption(
      "--out <dir>",
      "directory for the <SYMBOL>_<DATE>.csv files (created; files are never overwritten)",
    )
    .option("--config <file>", "configuration file (default ./config.json), for data.database_path")
    .action(async (flags: ExportFlags) => {
      await exportCandlesCommand(flags);
    });
}

/** Runs the command; problems are UserErrors. */
export async function exportCandlesCommand(
  flags: ExportFlags,
  deps: ExportCandlesDeps = {},
): Promise<ExportResult> {
  const config = configForCommand(flags.config, deps.env ?? process.env);
  const out = deps.out ?? ((t: string) => void process.stdout.write(t));
  const date = dateOption("--date", flags.date);
  // Loaded here, not at start-up: the native database module is for the commands that need it.
  const [{ Store }, { DatabaseOpenError }] = await Promise.all([
    import("../../adapters/sqlite/store.js"),
    import("../../adapters/sqlite/database.js"),
  ]);
  const path = config.data.database_path;
  let store: InstanceType<typeof Store>;
  try {
    store = Store.open(path, { clock: deps.clock ?? systemClock, create: false });
  } catch (e) {
    if (e instanceof DatabaseOpenError) throw new UserError(e.message);
    throw e;
  }
  let day: Map<string, import("../../domain/candle.js").Candle[]>;
  let dates: string[];
  try {
    day = store.candles.day(date);
    dates = day.size === 0 ? store.candles.dates() : [];
  } finally {
    store.close();
  }
  if (day.size === 0) {
    const known = dates.length === 0 ? "none is" : `recorded days: ${summarizeDates(dates)}`;
    throw new UserError(`${path} holds no recorded candles for ${date} (${known})`);
  }

  // Every target is checked before anything is written: no half-done export to clean up.
  const targets = [...day].map(([symbol, candles]) => ({
    symbol,
    candles,
    file: join(flags.out, `${symbol}_${date}.csv`),
  }));
  const existing = targets.filter((t) => existsSync(t.file)).map((t) => t.file);
  if (existing.length > 0) {
    throw new UserError(
      `not overwriting ${existing.length} existing file(s): ${existing.slice(0, 3).join(", ")}${existing.length > 3 ? ", ..." : ""} (choose another --out, or remove them)`,
    );
  }
  try {
    mkdirSync(flags.out, { recursive: true });
  } catch (e) {
    throw new UserError(`cannot create ${flags.out}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  let candles = 0;
  const files: string[] = [];
  for (const t of targets) {
    try {
      writeFileSync(t.file, candleCsv(date, t.candles), { flag: "wx" });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EEXIST") throw new UserError(`not overwriting ${t.file}, which appeared meanwhile`);
      throw new UserError(`cannot write ${t.file}: ${code ?? e}`);
    }
    files.push(t.file);
    candles += t.candles.length;
  }
  out(`${files.length} file(s), ${candles} candle(s) of ${date} written to ${flags.out}\n`);
  return { files, candles };
}

/** The first and last few of a list of dates. */
function summarizeDates(dates: readonly string[]): string {
  if (dates.length <= 6) return dates.join(", ");
  return `${dates.slice(0, 3).join(", ")}, ..., ${dates.slice(-3).join(", ")} (${dates.length} days)`;
}
