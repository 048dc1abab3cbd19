#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { registerArchive } from "./commands/archive.js";
import { registerBacktest } from "./commands/backtest.js";
import { registerDb } from "./commands/db.js";
import { registerDeploy } from "./commands/deploy.js";
import { registerDoctor } from "./commands/doctor.js";
import { registerExportCandles } from "./commands/export-candles.js";
import { registerFetchCandles } from "./commands/fetch-candles.js";
import { registerLogin } from "./commands/login.js";
import { registerMonteCarlo } from "./commands/montecarlo.js";
import { registerOptimize } from "./commands/optimize.js";
import { registerPivots } from "./commands/pivots.js";
import { registerRehearse } from "./commands/rehearse.js";
import { registerSampleData } from "./commands/sample-data.js";
import { registerSetPassword } from "./commands/set-password.js";
import { registerSim } from "./commands/sim.js";
import { registerStart } from "./commands/start.js";
import { registerWalkForward } from "./commands/walkforward.js";
import { UserError } from "./user-error.js";
import { packageVersion } from "./version.js";

export { packageVersion };

/** Builds the `pivot` command with every subcommand registered. */
export function buildProgram(): Command {
  const program = new Command("pivot")
    .description(
      "Pivot Trading System: SENSEX or NIFTY weekly options (trading.instrument), pivot breakout strategy, Zerodha Kite Connect",
    )
    .version(packageVersion())
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerStart(program);
  registerBacktest(program);
  registerOptimize(program);
  registerWalkForward(program);
  registerMonteCarlo(program);
  registerPivots(program);
  registerSampleData(program);
  registerSim(program);
  registerRehearse(program);
  registerLogin(program);
  registerFetchCandles(program);
  registerExportCandles(program);
  registerArchive(program);
  registerSetPassword(program);
  registerDeploy(program);
  registerDoctor(program);
  registerDb(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode; // commander already printed the message
    if (e instanceof UserError) {
      process.stderr.write(`pivot: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`pivot: internal error: ${(e as Error).stack ?? e}\n`);
    return 70;
  }
}

// Whatever the shell's or the unit's umask: anything a library creates without a mode of ours
// (SQLite's journal, a log rotation, a temp file) is the owner's alone. The files that hold
// secrets are also created with explicit modes (adapters/private-files.ts); files meant for
// others (rendered nginx or systemd units) set theirs explicitly.
process.umask(0o077);
process.exitCode = await main(process.argv);

// For `npm run bench`: the process's own peak RSS, which a parent cannot read portably.
if (process.env.PIVOT_BENCH_STATS === "1") {
  process.on("exit", () => {
    process.stderr.write(
      `PIVOT_BENCH_STATS ${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS })}\n`,
    );
  });
}
