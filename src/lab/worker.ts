import { workerData } from "node:worker_threads";
import type { Config } from "../config/schema.js";
import { TradingCalendar } from "../domain/calendar.js";
import { type Evaluation, type EvaluationTask, evaluate } from "./evaluate.js";
import { type PackedCandles, unpackCandles } from "./packed-candles.js";

/** What every worker thread of the lab's pool starts with. */
export interface WorkerSetup {
  /** The data set, over shared memory: read in place, never copied. */
  packed: PackedCandles;
  config: Config;
}

// Once per thread: the data set's series are views of the shared array.
const setup = workerData as WorkerSetup;
const data = unpackCandles(setup.packed);
const calendar = new TradingCalendar(setup.config.market.holidays);

/** A piscina task: one set of settings backtested. */
export default function evaluateTask(task: EvaluationTask): Evaluation {
  return evaluate(setup.config, data, calendar, task);
}
