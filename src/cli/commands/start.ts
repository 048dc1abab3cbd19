import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { DEFAULT_CONFIG_PATH } from "../../config/load.js";
import type { Config } from "../../config/schema.js";
import { TradingCalendar } from "../../domain/calendar.js";
import { configForCommand } from "../load-config.js";
import { UserError } from "../user-error.js";
import { packageVersion } from "../version.js";

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
      await runService(config, mode, flags.config ?? DEFAULT_CONFIG_PATH);
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

async function runService(config: Config, mode: Mode, configPath: string): Promise<void> {
  checkCredentials(config, mode);
  // Loaded here, not at start-up: other commands do not need them.
  const [{ startServiceStack }, { SimulatorClock }] = await Promise.all([
    import("../../app/service-stack.js"),
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
  let stack: Awaited<ReturnType<typeof startServiceStack>>;
  try {
    stack = await startServiceStack({
      config,
      configPath,
      mode,
      banner: simClock ? "SIM" : mode === "live" ? "LIVE" : "PAPER",
      version: packageVersion(),
      ...(simClock ? { clock: simClock, setTimer: simClock.setTimer } : {}),
    });
  } catch (e) {
    throw new UserError(`the service cannot start: ${(e as Error).message}`);
  }
  process.stdout.write(
    `pivot: ${mode.toUpperCase()} trading, Kite ${config.kite.api_root}, dashboard ${stack.url} (Ctrl-C to stop)\n`,
  );
  await new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      process.stderr.write(
        `pivot: ${signal}: stopping (open positions stay protected by their stop orders at the broker)\n`,
      );
      // Shutdown must finish within 10 s whatever hangs.
      const force = setTimeout(() => process.exit(1), 10_000);
      force.unref();
      void stack
        .stop()
        .finally(() => clearTimeout(force))
        .then(resolve, resolve);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
  simClock?.stop();
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
