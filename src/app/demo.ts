/*
 * The demo (`pivot start` without a config.json): the service in LIVE mode against the
 * simulator in the same process, replaying one day of a generated sample market, the whole
 * trading day in about five minutes. Nothing here is a shortcut of the service: the day runs
 * through startServiceStack as a real one does. Kept under one folder (data/demo/): the sample
 * market, written once, and the service's database, logs and session, fresh every start in a
 * folder of its own (demo-runs.ts: a failed start removes nothing of the previous run).
 */

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { loadCandleDirectory } from "../backtest/candle-directory.js";
import { runBacktest } from "../backtest/run-backtest.js";
import { writeSampleData } from "../backtest/sample-data.js";
import type { Config } from "../config/schema.js";
import { tradingCalendarOf } from "../config/underlying.js";
import type { TradingCalendar } from "../domain/calendar.js";
import { type IsoDate, parseHhmm } from "../domain/ist.js";
import { DEFAULT_DAY_TIMES } from "../engine/day-plan.js";
import { DEMO_PORT_SETTING } from "../ops/port-owner.js";
import { hashPassword } from "../web/password-hash.js";
import { newDemoRun } from "./demo-runs.js";
import { SIM_DAY_START, type SimulatedDay, startSimulatedDay } from "./simulated-day.js";

/** The demo's trading day, 08:55 to the 15:35 summary, lasts this long in real time. */
export const DEMO_REAL_SECONDS = 300;
export const DEMO_SPEED =
  ((parseHhmm(DEFAULT_DAY_TIMES.summary) - parseHhmm(SIM_DAY_START)) * 60) / DEMO_REAL_SECONDS;
/** The sample market's size and seed: the same files on every machine. */
const SAMPLE_DAYS = 20;
const SAMPLE_SEED = 1;

export interface DemoOptions {
  /** data/demo: the market goes to `market/`, the service's files to `service/run-N/`. */
  dir: string;
  /** Defaults and the environment's secrets (no config.json): the strategy's settings. */
  config: Config;
  /** The web server's port (the configured one, 8001, unless a test picks another). */
  port: number;
  version: string;
  /** Market seconds per real second (default DEMO_SPEED; tests run the day faster). */
  speed?: number;
  /** Progress lines (the market's generation). */
  progress: (line: string) => void;
  console?: { write(text: string): unknown; isTTY?: boolean };
}

export interface RunningDemo {
  day: SimulatedDay;
  date: IsoDate;
  /** The dashboard's password for this run (only its hash is kept in the configuration). */
  password: string;
  url: string;
  /** This run's database, logs and session. */
  serviceDir: string;
}

/** Prepares the market (once), then starts the simulator and the service on it. */
export async function startDemo(o: DemoOptions): Promise<RunningDemo> {
  const calendar = tradingCalendarOf(o.config);
  const marketDir = join(o.dir, "market");
  const hasMarket = existsSync(marketDir) && readdirSync(marketDir).some((n) => n.endsWith(".csv"));
  if (!hasMarket) {
    mkdirSync(marketDir, { recursive: true });
    const r = writeSampleData({ outDir: marketDir, days: SAMPLE_DAYS, seed: SAMPLE_SEED, calendar });
    o.progress(`generated a sample market of ${r.days.length} trading days in ${marketDir}`);
  }
  const date = demoDate(marketDir, o.config, calendar);
  // Each demo starts its day afresh (yesterday's demo database would resume a day the new
  // simulator knows nothing of), in a new folder: the previous run's go once this one runs.
  const run = newDemoRun(join(o.dir, "service"));

  const password = randomBytes(12).toString("base64url");
  const config: Config = {
    ...o.config,
    server: { ...o.config.server, password_hash: await hashPassword(password) },
  };
  let day: SimulatedDay;
  try {
    day = await startSimulatedDay({
      dataDir: marketDir,
      date,
      speed: o.speed ?? DEMO_SPEED,
      config,
      workDir: run.dir,
      port: o.port,
      portSetting: DEMO_PORT_SETTING,
      banner: "DEMO",
      version: o.version,
      ...(o.console ? { console: o.console } : {}),
    });
  } catch (e) {
    run.discard();
    throw e;
  }
  run.adopt();
  return { day, date, password, url: day.stack.url, serviceDir: run.dir };
}

/**
 * The day to replay: the first of the market (with a previous day for its pivots) on which the
 * strategy trades, so that the demo shows entries and exits; else the market's last day.
 */
export function demoDate(marketDir: string, config: Config, calendar: TradingCalendar): IsoDate {
  const data = loadCandleDirectory(marketDir, () => {});
  const result = runBacktest({ config, data, calendar, warn: () => {} });
  const traded = result.trades[0]?.date;
  const days = [...data.byDay.keys()].sort();
  const last = days.at(-1);
  if (!last) throw new Error(`${marketDir} holds no trading day`);
  return traded ?? last;
}
