import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { DEFAULT_CONFIG_PATH } from "../../config/load.js";
import type { Config } from "../../config/schema.js";
import { TradingCalendar } from "../../domain/calendar.js";
import { configForCommand } from "../load-config.js";
import { UserError } from "../user-error.js";

type Mode = "live" | "paper";

interface StartFlags {
  config?: string;
  mode?: string;
  sampleDir: string;
}

/**
 * `pivot start`. With a configuration (./config.json, or `--config`) it runs the trading
 * service (live or paper) until SIGINT/SIGTERM. Without one it runs the demo backtest over a
 * generated sample market, as before, and says so.
 */
export function registerStart(program: Command): void {
  program
    .command("start")
    .description(
      "run the trading service (live or paper) until stopped; without config.json: a demo backtest over sample data",
    )
    .option("--config <file>", "configuration file (default ./config.json)")
    .option("--mode <mode>", "live or paper (default: trading.paper_trading ? paper : live)")
    .option("--sample-dir <dir>", "where the demo's sample market is kept", "data/sample-market")
    .action(async (flags: StartFlags) => {
      if (flags.mode !== undefined && flags.mode !== "live" && flags.mode !== "paper") {
        throw new UserError(`--mode: expected live or paper, found "${flags.mode}"`);
      }
      if (flags.config === undefined && !existsSync(DEFAULT_CONFIG_PATH)) {
        process.stderr.write(
          "no config.json: running the demo backtest; copy config.example.json to config.json to trade\n",
        );
        await runDemo(flags.sampleDir, configForCommand(undefined));
        return;
      }
      const config = configForCommand(flags.config);
      const mode: Mode =
        (flags.mode as Mode | undefined) ?? (config.trading.paper_trading ? "paper" : "live");
      await runService(config, mode);
    });
}

/** The mode's missing credentials, as a UserError naming the environment variables. */
export function checkCredentials(config: Config, mode: Mode): void {
  const missing: string[] = [];
  if (!config.api_key) missing.push("api_key (KITE_API_KEY)");
  if (mode === "live" && !config.api_secret) missing.push("api_secret (KITE_API_SECRET)");
  if (missing.length > 0) {
    throw new UserError(
      `${mode} mode needs ${missing.join(" and ")}: set them in config.json or the environment (KITE_API_KEY, KITE_API_SECRET)`,
    );
  }
}

async function runService(config: Config, mode: Mode): Promise<void> {
  checkCredentials(config, mode);
  // Loaded here, not at start-up: other commands do not need them.
  const [
    { KiteBroker },
    { KiteRest },
    { FilePendingStates, LoginFlow, loginStatesPath },
    { RateLimiter },
    { SessionStore },
    { TickerClient },
    { PaperBroker },
    { Store },
    { TradingService },
    { realSetTimer },
    { systemClock },
    { istPartsOf, parseHhmm },
    { SimulatorClock },
  ] = await Promise.all([
    import("../../adapters/kite/kite-broker.js"),
    import("../../adapters/kite/kite-rest.js"),
    import("../../adapters/kite/login-flow.js"),
    import("../../adapters/kite/rate-limiter.js"),
    import("../../adapters/kite/session-store.js"),
    import("../../adapters/kite/ticker-client.js"),
    import("../../adapters/paper/paper-broker.js"),
    import("../../adapters/sqlite/store.js"),
    import("../../engine/trading-service.js"),
    import("../../engine/scheduler.js"),
    import("../../ports/clock.js"),
    import("../../domain/ist.js"),
    import("../../adapters/kite/simulator-clock.js"),
  ]);
  const simClock = config.kite.simulator_clock ? new SimulatorClock(config.kite.api_root) : null;
  if (simClock) {
    await simClock.start().catch((e: unknown) => {
      throw new UserError(
        `kite.simulator_clock: ${config.kite.api_root}/__sim/clock: ${(e as Error).message}`,
      );
    });
  }
  const clock = simClock ?? systemClock;
  const err = process.stderr;
  const log = (line: string) => err.write(`${new Date(clock.now()).toISOString()} ${line}\n`);
  const sessions = new SessionStore({ path: config.data.access_token_file, clock, warn: log });
  const rest = new KiteRest({
    apiKey: config.api_key,
    apiRoot: config.kite.api_root,
    timeoutMs: config.kite.request_timeout_ms,
    limiter: new RateLimiter({ clock }),
    onSessionExpired: (token) => sessions.markExpired(token),
  });
  const login = new LoginFlow({
    apiKey: config.api_key,
    apiSecret: config.api_secret,
    loginUrl: config.kite.login_url,
    authTimeoutSeconds: config.auth.auth_timeout_seconds,
    clock,
    states: new FilePendingStates(loginStatesPath(config.data.access_token_file), clock),
    kite: rest,
    store: sessions,
  });
  const open = parseHhmm(config.market.start_time);
  const close = parseHhmm(config.market.end_time);
  const ticker = new TickerClient({
    url: config.kite.ws_root,
    apiKey: config.api_key,
    accessToken: () => sessions.current()?.accessToken ?? null,
    // Heartbeats come every real second, also from the simulator: the watchdog keeps real time.
    clock: systemClock,
    silenceMs: config.kite.ticker_silence_seconds * 1000,
    watchdogActive: () => {
      const m = istPartsOf(clock.now()).minute;
      return m >= open && m < close;
    },
  });
  ticker.on("error", (e) => log(`ticker: ${e.source}: ${e.message}`));
  const store = Store.open(config.data.database_path, { clock });
  const service = new TradingService({
    config,
    clock,
    setTimer: simClock ? simClock.setTimer : realSetTimer,
    store,
    kite: rest,
    sessions,
    ticker,
    broker:
      mode === "live"
        ? {
            mode,
            broker: new KiteBroker({
              rest,
              onFeedProblem: (p) => log(`order feed (${p.source}): ${p.reason}`),
            }),
          }
        : { mode, broker: new PaperBroker({ clock }) },
    calendar: new TradingCalendar(config.market.holidays),
    loginUrl: () => login.start().url,
    log,
    notify: (level, message) => log(`[${level}] ${message}`),
  });
  process.stdout.write(
    `pivot: ${mode.toUpperCase()} trading, Kite ${config.kite.api_root}, database ${config.data.database_path} (Ctrl-C to stop)\n`,
  );
  let stopping: Promise<void> | null = null;
  const stop = (signal: string) => {
    if (stopping) return;
    log(`${signal}: stopping (open positions stay protected by their stop orders at the broker)`);
    // Shutdown must finish within 10 s whatever hangs.
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    stopping = service.stop().finally(() => clearTimeout(force));
  };
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      stop(signal);
      void stopping?.then(resolve, resolve);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
  await service.start();
  await stopped;
}

async function runDemo(sampleDir: string, config: Config): Promise<void> {
  const [
    { loadCandleDirectory },
    { writeReportFile },
    { runBacktest },
    { writeSampleData },
    { formatBacktestText },
  ] = await Promise.all([
    import("../../backtest/candle-directory.js"),
    import("../../backtest/report-file.js"),
    import("../../backtest/run-backtest.js"),
    import("../../backtest/sample-data.js"),
    import("../../backtest/text-summary.js"),
  ]);
  const err = process.stderr;
  err.write("Running the strategy over a generated sample market (a backtest).\n");
  const dir = sampleDir;
  const hasData = existsSync(dir) && readdirSync(dir).some((n) => n.endsWith(".csv"));
  if (!hasData) {
    mkdirSync(dir, { recursive: true });
    const r = writeSampleData({ outDir: dir, days: 20, seed: 1, calendar: new TradingCalendar() });
    err.write(`Generated ${r.days.length} sample trading days in ${dir}.\n`);
  }
  const data = loadCandleDirectory(dir, (m) => err.write(`warning: ${m}\n`));
  const result = runBacktest({
    config,
    data,
    calendar: new TradingCalendar(config.market.holidays),
    warn: (m) => err.write(`warning: ${m}\n`),
  });
  const reportPath = join(dir, "..", "sample-report.html");
  writeReportFile(reportPath, result, data, config);
  process.stdout.write(formatBacktestText(result));
  process.stdout.write(`\nHTML report: ${reportPath} (open it in a browser)\n`);
}
