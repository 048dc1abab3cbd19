import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { DEFAULT_CONFIG_PATH } from "../../config/load.js";
import { type Config, serverPort } from "../../config/schema.js";
import { configForCommand } from "../load-config.js";
import { integerOption } from "../options.js";
import { UserError } from "../user-error.js";
import { packageVersion } from "../version.js";

type Mode = "live" | "paper";

interface StartFlags {
  config?: string;
  mode?: string;
  demoDir: string;
  demoPort?: number;
}

/**
 * `pivot start`. With a configuration (./config.json, or `--config`) it runs the trading
 * service (live or paper) until SIGINT/SIGTERM. Without one it runs the demo: the service
 * against the simulator on a sample market, in this process (src/app/demo.ts).
 */
export function registerStart(program: Command): void {
  program
    .command("start")
    .description(
      "run the trading service (live or paper) until stopped; without config.json: the demo (a simulated day)",
    )
    .option("--config <file>", "configuration file (default ./config.json)")
    .option("--mode <mode>", "live or paper (default: trading.paper_trading ? paper : live)")
    .option("--demo-dir <dir>", "the demo's sample market, database and logs", "data/demo")
    .option("--demo-port <port>", "the demo's dashboard port (default 8001)", (v) =>
      integerOption("--demo-port", v, 0, 65535),
    )
    .action(async (flags: StartFlags) => {
      if (flags.mode !== undefined && flags.mode !== "live" && flags.mode !== "paper") {
        throw new UserError(`--mode: expected live or paper, found "${flags.mode}"`);
      }
      if (flags.config === undefined && !existsSync(DEFAULT_CONFIG_PATH)) {
        process.stderr.write("(copy config.example.json to config.json to trade for real)\n");
        const config = configForCommand(undefined);
        await runDemo(flags.demoDir, flags.demoPort ?? serverPort(config), config);
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
  if (mode === "live" && !config.kite.user_id) {
    throw new UserError(
      "live mode needs kite.user_id (the trader's Zerodha client id, e.g. AB1234) in config.json: a Kite session of any other user is refused",
    );
  }
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
  await stopOnSignal(
    () => stack.stop(),
    (signal) =>
      `pivot: ${signal}: stopping (open positions stay protected by their stop orders at the broker)`,
  );
  simClock?.stop();
}

/**
 * The demo: the simulator and the service (LIVE mode, banner DEMO) in this process on a sample
 * market, the whole day in about five minutes, then serving the dashboard until Ctrl-C.
 */
async function runDemo(dir: string, port: number, config: Config): Promise<void> {
  const { startDemo, DEMO_REAL_SECONDS } = await import("../../app/demo.js");
  const out = process.stdout;
  const err = process.stderr;
  out.write(
    "No config.json: starting the DEMO. A simulated Kite replays a day of a generated sample market\n" +
      `and the trading service trades it in LIVE mode (the real code path, no real orders), the day in about ${Math.round(DEMO_REAL_SECONDS / 60)} minutes.\n`,
  );
  let demo: Awaited<ReturnType<typeof startDemo>>;
  try {
    demo = await startDemo({
      dir,
      config,
      port,
      version: packageVersion(),
      progress: (line) => err.write(`${line}\n`),
    });
  } catch (e) {
    throw new UserError(`the demo cannot start: ${(e as Error).message}`);
  }
  const stopped = stopOnSignal(
    () => demo.day.stop(),
    (signal) => `pivot: ${signal}: stopping the demo`,
  );
  out.write(
    [
      `DEMO day: ${demo.date} (sample market in ${join(dir, "market")}; database and logs in ${demo.serviceDir})`,
      `Dashboard: ${demo.url}`,
      `Password:  ${demo.password}   (new at every start)`,
      "Ctrl-C to stop.",
      "",
    ].join("\n"),
  );
  void demo.day.dayDone.then(() =>
    out.write(
      `The demo day is over (daily summary written). The dashboard stays at ${demo.url} until Ctrl-C.\n`,
    ),
  );
  await stopped;
}

/**
 * Resolves once SIGINT or SIGTERM has come and `stop` has finished, which must take at most
 * 10 s (the process exits with 1 otherwise, whatever hangs).
 */
function stopOnSignal(stop: () => Promise<void>, say: (signal: string) => string): Promise<void> {
  return new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      process.stderr.write(`${say(signal)}\n`);
      const force = setTimeout(() => process.exit(1), 10_000);
      force.unref();
      void stop()
        .finally(() => clearTimeout(force))
        .then(resolve, resolve);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  }).then(() => {
    // Everything is stopped, persisted and flushed: a handle a library left open must not keep
    // the process alive (systemd would wait, then kill it). Unref'd: a clean exit comes first.
    setTimeout(() => {
      process.stderr.write("pivot: stopped; exiting past a handle left open\n");
      process.exit(process.exitCode ?? 0);
    }, 1_000).unref();
  });
}
