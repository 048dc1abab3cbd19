/*
 * One trading day of the real service against the simulator, both in this process: the demo
 * (`pivot start` without a config) and the rehearsal (`pivot rehearse`). The simulator replays
 * a day of candles at `speed`; the service runs in LIVE mode (KiteRest, KiteBroker, the ticker,
 * the web server, the dashboard: startServiceStack, the code path of a real day) and lives in
 * the simulator's market time, its timers waiting for that time. The morning login goes
 * through the simulator's login page and the service's own LoginFlow and SessionStore.
 */

import { join } from "node:path";
import { KiteRest } from "../adapters/kite/kite-rest.js";
import { FilePendingStates, LoginFlow, loginStatesPath } from "../adapters/kite/login-flow.js";
import { RateLimiter } from "../adapters/kite/rate-limiter.js";
import { SessionStore } from "../adapters/kite/session-store.js";
import { MarketTimers } from "../adapters/kite/simulator-clock.js";
import type { Config } from "../config/schema.js";
import { type IsoDate, istEpochMs, parseHhmm } from "../domain/ist.js";
import { DEFAULT_DAY_TIMES } from "../engine/day-plan.js";
import type { ServiceMode } from "../ports/app.js";
import type { Clock } from "../ports/clock.js";
import { type RunningSimulator, startSimulator } from "../sim/simulator.js";
import { type ServiceStack, startServiceStack } from "./service-stack.js";

/** Where the replay starts: after the pre-market time, so the day is prepared at once. */
export const SIM_DAY_START = "08:55";

export interface SimulatedDayOptions {
  /** Candles in the backtest's CSV format (the simulator's data). */
  dataDir: string;
  date: IsoDate;
  /** Market seconds per real second. */
  speed: number;
  /** The configuration to run with; its Kite keys, data paths and execution are set here. */
  config: Config;
  /** Where the database, logs and session go. */
  workDir: string;
  /** The web server's port (0: any free one). */
  port: number;
  /** The flag that sets the port, named when it is taken (the demo's --demo-port). */
  portSetting?: string;
  banner: ServiceMode;
  version: string;
  /** Kite instrument masters (real tokens and lot sizes for the symbols they list). */
  instrumentFiles?: string[];
  /** Where the service's console lines go (default stderr), readable from this level up. */
  console?: { write(text: string): unknown; isTTY?: boolean };
  consoleLevel?: "info" | "warn";
}

export interface SimulatedDay {
  sim: RunningSimulator;
  stack: ServiceStack;
  /** The configuration the service runs with. */
  config: Config;
  /** Market time (whole milliseconds). */
  clock: Clock;
  /** Resolves once the service has written the day's summary (15:35 market time). */
  dayDone: Promise<void>;
  /** Stops the service, then the simulator. */
  stop(): Promise<void>;
}

/** How often (real ms) the day's end is looked for. */
const DONE_POLL_MS = 50;

/** Starts the simulator and the service on it; the day runs by itself from here. */
export async function startSimulatedDay(o: SimulatedDayOptions): Promise<SimulatedDay> {
  const sim = await startSimulator({
    port: 0,
    dataDir: o.dataDir,
    date: o.date,
    speed: o.speed,
    startPaused: true,
    startTime: SIM_DAY_START,
    autoLogin: true,
    // The service keeps to Kite's limits itself; the simulator's would only slow a fast replay.
    rateLimits: false,
    ...(o.instrumentFiles ? { instrumentFiles: o.instrumentFiles } : {}),
    ...(o.port !== 0 ? { postbackUrl: `http://127.0.0.1:${o.port}/postback` } : {}),
  });
  // Fractional speeds give fractional milliseconds; times are stored as integers.
  const clock: Clock = { now: () => Math.floor(sim.marketClock.now()) };
  const timers = new MarketTimers(clock);
  const config = simulatorConfig(o.config, sim, o.workDir);
  let stack: ServiceStack;
  try {
    await morningLogin(config, clock);
    sim.start();
    stack = await startServiceStack({
      config,
      configPath: null,
      mode: "live",
      banner: o.banner,
      version: o.version,
      clock,
      setTimer: timers.setTimer,
      portOverride: o.port,
      ...(o.portSetting ? { portSetting: o.portSetting } : {}),
      ...(o.console ? { console: o.console } : {}),
      readableConsole: { level: o.consoleLevel ?? "info" },
    });
  } catch (e) {
    timers.stop();
    await sim.close();
    throw e;
  }
  let stopped: Promise<void> | null = null;
  let stopPolling = () => {};
  const dayDone = new Promise<void>((resolve) => {
    const summaryAt = istEpochMs(o.date, parseHhmm(DEFAULT_DAY_TIMES.summary));
    const poll = setInterval(() => {
      if (clock.now() >= summaryAt && stack.store.dailySummary.get(o.date) !== null) {
        clearInterval(poll);
        resolve();
      }
    }, DONE_POLL_MS);
    stopPolling = () => clearInterval(poll);
  });
  return {
    sim,
    stack,
    config,
    clock,
    dayDone,
    stop: () => {
      stopped ??= (async () => {
        stopPolling();
        try {
          await stack.stop();
        } finally {
          timers.stop();
          await sim.close();
        }
      })();
      return stopped;
    },
  };
}

/** `base` pointed at the simulator, with its files under `dir` and entries that fill at speed. */
export function simulatorConfig(
  base: Config,
  sim: Pick<RunningSimulator, "apiKey" | "apiSecret" | "url" | "wsUrl" | "loginUrl" | "userId">,
  dir: string,
): Config {
  return {
    ...base,
    api_key: sim.apiKey,
    api_secret: sim.apiSecret,
    trading: { ...base.trading, paper_trading: false },
    kite: {
      ...base.kite,
      api_root: sim.url,
      ws_root: sim.wsUrl,
      login_url: sim.loginUrl,
      // Live mode takes only the trader's session: here the simulator's user is the trader.
      user_id: sim.userId,
    },
    // At many times real speed a LIMIT entry's 30 s is a fraction of a real second: MARKET
    // entries (with market protection) and a timeout of one candle keep the day's trades.
    execution: { ...base.execution, entry_order: "MARKET", entry_timeout_seconds: 180 },
    data: {
      ...base.data,
      database_path: join(dir, "trading.db"),
      paper_database_path: join(dir, "paper-trading.db"),
      cache_dir: join(dir, "cache"),
      access_token_file: join(dir, "access_token.json"),
      log_dir: join(dir, "logs"),
      archive_dir: join(dir, "archive"),
    },
    // The simulated market is the sample's, already on disk: nothing to archive after its close.
    archive: { ...base.archive, enabled: false },
  };
}

/**
 * The trader's morning login, done for them: the service's LoginFlow hands out the login URL,
 * the simulator's login page (automatic mode) redirects with a request token, and the callback
 * is handled as the web server would, leaving the session in the service's session file.
 */
async function morningLogin(config: Config, clock: Clock): Promise<void> {
  const sessions = new SessionStore({ path: config.data.access_token_file, clock });
  const rest = new KiteRest({
    apiKey: config.api_key,
    apiRoot: config.kite.api_root,
    timeoutMs: config.kite.request_timeout_ms,
    limiter: new RateLimiter({ clock }),
  });
  const flow = new LoginFlow({
    apiKey: config.api_key,
    apiSecret: config.api_secret,
    loginUrl: config.kite.login_url,
    authTimeoutSeconds: config.auth.auth_timeout_seconds,
    clock,
    states: new FilePendingStates(loginStatesPath(config.data.access_token_file), clock),
    kite: rest,
    store: sessions,
    expectedUserId: config.kite.user_id,
  });
  const page = await fetch(`${flow.start().url}&auto=1`, { redirect: "manual" });
  const location = page.headers.get("location");
  if (!location)
    throw new Error(`the simulator's login page answered HTTP ${page.status} without a redirect`);
  const outcome = await flow.handleCallback(new URL(location).searchParams);
  if (!outcome.ok) throw new Error(`the login at the simulator failed: ${outcome.message}`);
}
