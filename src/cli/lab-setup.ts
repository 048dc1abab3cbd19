import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { loadCandleData } from "../backtest/candle-cache.js";
import { type CandleData, DataLoadError } from "../backtest/candle-directory.js";
import type { Config } from "../config/schema.js";
import { OBJECTIVES, type Objective } from "../lab/rank.js";
import { type Dimension, parseSpace, SpaceError } from "../lab/space.js";
import { dateOption, integerOption } from "./options.js";
import { UserError } from "./user-error.js";

/** Warnings of the lab commands go to stderr, as the backtest's do. */
export const warnOnStderr = (message: string) => process.stderr.write(`warning: ${message}\n`);

/** The candles of a data directory, or a UserError saying why not. */
export function loadLabData(dir: string): CandleData {
  try {
    return loadCandleData(dir, warnOnStderr);
  } catch (e) {
    if (e instanceof DataLoadError) throw new UserError(e.message);
    throw e;
  }
}

/** A SPACE.json, read and checked against the configuration. */
export function readSpaceFile(path: string, config: Config): Dimension[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    const why =
      e instanceof SyntaxError
        ? "not valid JSON"
        : `cannot be read (${(e as NodeJS.ErrnoException).code ?? e})`;
    throw new UserError(`${path}: ${why}`);
  }
  try {
    return parseSpace(raw, config);
  } catch (e) {
    if (e instanceof SpaceError) throw new UserError(`${path}: ${e.message}`);
    throw e;
  }
}

/** Checks an `--objective` value. */
export function objectiveOption(value: string): Objective {
  if (!(OBJECTIVES as readonly string[]).includes(value)) {
    throw new UserError(`--objective: expected one of ${OBJECTIVES.join(", ")}, found "${value}"`);
  }
  return value as Objective;
}

/**
 * Runs `work` with a signal that Ctrl-C aborts: the work stops early and its results so far
 * are still printed. A second Ctrl-C leaves at once.
 */
export async function stoppableByInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write("\nstopping: the results so far follow (Ctrl-C again to quit at once)\n");
    controller.abort();
  };
  process.on("SIGINT", onInterrupt);
  try {
    return await work(controller.signal);
  } finally {
    process.off("SIGINT", onInterrupt);
  }
}

/** The options of a search over settings, shared by `pivot optimize` and `pivot walkforward`. */
export function searchOptions(command: Command): Command {
  return command
    .option("--method <grid|random>", "every combination, or --samples drawn at random", "grid")
    .option("--samples <n>", "sets drawn by --method random", (v) => integerOption("--samples", v, 1), 100)
    .option("--seed <n>", "seed of --method random", (v) => integerOption("--seed", v, 0, 2 ** 32 - 1), 1)
    .option(
      "--objective <name>",
      "net_pnl, sharpe, sortino, calmar or profit_factor",
      objectiveOption,
      "net_pnl",
    )
    .option(
      "--min-trades <k>",
      "sets with fewer trades rank last",
      (v) => integerOption("--min-trades", v, 0),
      1,
    )
    .option("--workers <n>", "worker threads (default: one per core)", (v) =>
      integerOption("--workers", v, 1, 64),
    )
    .option("--from <date>", "first day, YYYY-MM-DD", (v) => dateOption("--from", v))
    .option("--to <date>", "last day, YYYY-MM-DD", (v) => dateOption("--to", v));
}
