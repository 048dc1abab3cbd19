/*
 * `pivot rehearse`: one day of the data through the simulator and the service's live code
 * path (startServiceStack in LIVE mode, a temporary folder, any free port, no Telegram), then
 * its trades beside the backtest's for the same day. A rehearsal that agrees shows that the
 * live path (ticks to candles, the strategy, orders, fills, the database) trades as the
 * backtest says it would.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CandleData } from "../backtest/candle-directory.js";
import { runBacktest } from "../backtest/run-backtest.js";
import type { Config } from "../config/schema.js";
import { tradingCalendarOf } from "../config/underlying.js";
import type { InstrumentMaster } from "../domain/instruments.js";
import type { IsoDate } from "../domain/ist.js";
import { parseHhmm } from "../domain/ist.js";
import { DEFAULT_DAY_TIMES } from "../engine/day-plan.js";
import { SIM_DAY_START, type SimulatedDay, startSimulatedDay } from "./simulated-day.js";
import {
  type ComparedTrade,
  compareTrades,
  fromBacktest,
  fromStored,
  type TradeComparison,
} from "./trade-comparison.js";

/** Market minutes a rehearsal plays: from the replay's start to the day's summary. */
export const REHEARSAL_MARKET_MINUTES = parseHhmm(DEFAULT_DAY_TIMES.summary) - parseHhmm(SIM_DAY_START);
/** The default speed: the whole day in about a minute. */
export const DEFAULT_REHEARSAL_SPEED = Math.round((REHEARSAL_MARKET_MINUTES * 60) / 60);

export interface RehearsalOptions {
  dataDir: string;
  /** The same candles, loaded, for the backtest. */
  data: CandleData;
  date: IsoDate;
  speed: number;
  /** The strategy's settings (config.json or the defaults); Kite and data keys are replaced. */
  config: Config;
  version: string;
  instrumentFiles?: string[];
  master?: InstrumentMaster;
  /** Progress and the service's warnings. */
  console: { write(text: string): unknown };
  /** Real milliseconds to give the day beyond its length at `speed` before giving up. */
  graceMs?: number;
}

export interface RehearsalResult {
  date: IsoDate;
  speed: number;
  service: ComparedTrade[];
  backtest: ComparedTrade[];
  comparison: TradeComparison;
  /** Real seconds the simulated day took. */
  seconds: number;
}

/** Runs the rehearsal; throws when the service cannot start or the day does not finish in time. */
export async function runRehearsal(o: RehearsalOptions): Promise<RehearsalResult> {
  const backtest = runBacktest({
    config: o.config,
    data: o.data,
    calendar: tradingCalendarOf(o.config),
    from: o.date,
    to: o.date,
    ...(o.master ? { master: o.master } : {}),
    warn: (m) => o.console.write(`warning: backtest: ${m}\n`),
  }).trades.map(fromBacktest);

  const dir = mkdtempSync(join(tmpdir(), "pivot-rehearsal-"));
  const started = performance.now();
  let day: SimulatedDay | null = null;
  try {
    day = await startSimulatedDay({
      dataDir: o.dataDir,
      date: o.date,
      speed: o.speed,
      // No Telegram: a rehearsal must not message the trader's chat.
      config: { ...o.config, telegram_token: "", telegram_chat_id: "" },
      workDir: dir,
      port: 0,
      banner: "SIM",
      version: o.version,
      ...(o.instrumentFiles ? { instrumentFiles: o.instrumentFiles } : {}),
      console: o.console,
      // Only what needs attention: the comparison is the rehearsal's output.
      consoleLevel: "warn",
    });
    o.console.write(
      `rehearsing ${o.date} from ${SIM_DAY_START} at ${o.speed}× (about ${Math.round(
        (REHEARSAL_MARKET_MINUTES * 60) / o.speed,
      )} s); dashboard ${day.stack.url}\n`,
    );
    const limitMs = (REHEARSAL_MARKET_MINUTES * 60_000) / o.speed + (o.graceMs ?? 60_000);
    await withDeadline(day.dayDone, limitMs, () => {
      const at = new Date((day as SimulatedDay).clock.now() + 5.5 * 3_600_000).toISOString().slice(11, 19);
      return `the rehearsal did not finish its day within ${Math.round(limitMs / 1000)} s (market time ${at})`;
    });
    const service = day.stack.store.trades.byDate(o.date).map(fromStored);
    return {
      date: o.date,
      speed: o.speed,
      service,
      backtest,
      comparison: compareTrades(service, backtest),
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  } finally {
    await day?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function withDeadline(done: Promise<void>, ms: number, message: () => string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      done,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message())), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
