import type { Command } from "commander";
import type { ArchivedDay } from "../../app/day-archive.js";
import { tradingCalendarOf } from "../../config/underlying.js";
import { istPartsOf } from "../../domain/ist.js";
import { systemClock } from "../../ports/clock.js";
import { type KiteCommandDeps, kiteAndMasterForCommand } from "../kite-for-command.js";
import { configForCommand } from "../load-config.js";
import { dateOption } from "../options.js";
import { UserError } from "../user-error.js";

/*
 * `pivot archive --date D`: what the service does after each close, by hand (a day the
 * service missed, or a partial archive to complete): the day's option chain around the money
 * and the index, 1- and 3-minute candles, into data.archive_dir (see app/day-archive.ts).
 * Only contracts Kite still serves can be archived: a day whose weekly expiry has passed is
 * gone, so run it the same day or before that expiry.
 */

interface ArchiveFlags {
  date: string;
  config?: string;
}

/** What a test may replace. */
export type ArchiveCommandDeps = KiteCommandDeps;

/** Registers `pivot archive`. */
export function registerArchive(program: Command): void {
  program
    .command("archive")
    .description(
      "archive a trading day's option chain (ATM ± archive.strike_range, CE and PE) and index, 1- and 3-minute candles, into data.archive_dir as backtest CSV files",
    )
    .requiredOption("--date <date>", "the trading day, YYYY-MM-DD", (v) => dateOption("--date", v))
    .option("--config <file>", "configuration file (default ./config.json)")
    .action(async (flags: ArchiveFlags) => {
      await archiveCommand(flags);
    });
}

/** Runs the command; problems are UserErrors. */
export async function archiveCommand(
  flags: ArchiveFlags,
  deps: ArchiveCommandDeps = {},
): Promise<ArchivedDay> {
  const config = configForCommand(flags.config, deps.env ?? process.env);
  const out = deps.out ?? ((t: string) => void process.stdout.write(t));
  const err = deps.err ?? ((t: string) => void process.stderr.write(t));
  const warn = (m: string) => err(`warning: ${m}\n`);
  const clock = deps.clock ?? systemClock;
  const date = dateOption("--date", flags.date);
  const { archiveDay, describeArchivedDay } = await import("../../app/day-archive.js");

  const calendar = tradingCalendarOf(config);
  if (!calendar.isTradingDay(date)) {
    throw new UserError(`${date} is not a trading day (${calendar.holidayName(date) ?? "a weekend"})`);
  }
  const today = istPartsOf(clock.now()).date;
  if (date > today) throw new UserError(`${date} is in the future (today is ${today} IST)`);

  const { kite, expired, master } = await kiteAndMasterForCommand(config, "archive", {
    clock,
    warn,
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  });

  const dir = config.data.archive_dir;
  const result = await archiveDay({ kite, master, config, log: (line) => out(`${line}\n`) }, date);
  if (!result.ok) {
    const f = result.failure;
    if (f.kind === "kite" && f.failure.kind === "session_expired") throw expired();
    throw new UserError(`${date} is not archived: ${f.message}`);
  }
  const day = result.day;
  if (day.missing.length > 0) {
    warn(`not in the instrument master (expiry ${day.expiry}): ${day.missing.join(", ")}`);
  }
  if (day.empty.length > 0) err(`no candles from Kite on ${date} for: ${day.empty.join(", ")}\n`);
  out(`${describeArchivedDay(day, dir)}\n`);
  return day;
}
