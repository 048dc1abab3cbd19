import { readFileSync } from "node:fs";
import { loadCandleData } from "../backtest/candle-cache.js";
import { type CandleData, DataLoadError } from "../backtest/candle-directory.js";
import type { Config } from "../config/schema.js";
import { OBJECTIVES, type Objective } from "../lab/rank.js";
import { type Dimension, parseSpace, SpaceError } from "../lab/space.js";
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
