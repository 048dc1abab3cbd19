import { isIP } from "node:net";
import type { Command } from "commander";
import { dateOption, integerOption, numberOption } from "../options.js";
import { UserError } from "../user-error.js";

interface SimFlags {
  port: number;
  host: string;
  data?: string;
  date?: string;
  speed: number;
  seed: number;
  apiKey: string;
  apiSecret: string;
  redirectUrl?: string;
  postbackUrl?: string;
  startTime?: string;
  instruments?: string[];
  allowedIps?: string[];
}

/** `pivot sim`: runs the local Kite simulator until SIGINT/SIGTERM. */
export function registerSim(program: Command): void {
  program
    .command("sim")
    .description(
      "run a local Kite Connect simulator (REST, login page, ticker socket, postbacks) replaying a day",
    )
    .option(
      "--port <n>",
      "port to listen on (0 = any free port)",
      (v) => integerOption("--port", v, 0, 65535),
      9100,
    )
    .option("--host <addr>", "address to bind", "127.0.0.1")
    .option("--data <dir>", "candle CSVs to replay (default: a generated synthetic market)")
    .option("--date <date>", "day to replay, YYYY-MM-DD (default: the first day with a previous day)", (v) =>
      dateOption("--date", v),
    )
    .option(
      "--speed <x>",
      "replay speed: 1 = real time, 60 = a market minute a second",
      (v) => speedOption(v),
      1,
    )
    .option(
      "--seed <n>",
      "seed of the ticks inside candles",
      (v) => integerOption("--seed", v, 0, 2 ** 32 - 1),
      1,
    )
    .option("--api-key <key>", "api_key the simulator accepts", "sim_api_key")
    .option("--api-secret <secret>", "api_secret for checksums", "sim_api_secret")
    .option(
      "--redirect-url <url>",
      "where the login page sends the browser (default: a page of the simulator)",
      (v) => urlOption("--redirect-url", v),
    )
    .option("--postback-url <url>", "where order updates are POSTed", (v) => urlOption("--postback-url", v))
    .option("--start-time <HH:MM>", "market time the replay starts from (default 09:15)", (v) =>
      timeOption(v),
    )
    .option("--instruments <file...>", "Kite instrument master CSV(s): use their real instrument tokens")
    .option(
      "--allowed-ips <list>",
      "the account's static IPs (comma-separated): order placement, modification and cancellation from other addresses is refused as Kite does",
      (v) => allowedIpsOption(v),
    )
    .action((flags: SimFlags) => simCommand(flags));
}

async function simCommand(flags: SimFlags): Promise<void> {
  // Loaded here, not at start-up: other commands need neither fastify nor ws.
  const { startSimulator, SimDataError } = await import("../../sim/simulator.js");
  const err = process.stderr;
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  try {
    sim = await startSimulator({
      port: flags.port,
      host: flags.host,
      ...(flags.data ? { dataDir: flags.data } : {}),
      ...(flags.date ? { date: flags.date } : {}),
      speed: flags.speed,
      seed: flags.seed,
      apiKey: flags.apiKey,
      apiSecret: flags.apiSecret,
      ...(flags.redirectUrl ? { redirectUrl: flags.redirectUrl } : {}),
      ...(flags.postbackUrl ? { postbackUrl: flags.postbackUrl } : {}),
      ...(flags.startTime ? { startTime: flags.startTime } : {}),
      ...(flags.instruments ? { instrumentFiles: flags.instruments } : {}),
      ...(flags.allowedIps ? { allowedIps: flags.allowedIps } : {}),
      log: (line) => err.write(`sim: ${line}\n`),
    });
  } catch (e) {
    if (e instanceof SimDataError) throw new UserError(e.message);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new UserError(`port ${flags.port} is already in use (try --port 0)`);
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") throw new UserError(`cannot bind to ${flags.host}`);
    throw e;
  }
  const state = sim.state();
  const loginLink = `${sim.loginUrl}?api_key=${encodeURIComponent(sim.apiKey)}&v=3`;
  const snippet = {
    api_key: sim.apiKey,
    api_secret: sim.apiSecret,
    kite: { api_root: sim.url, ws_root: sim.wsUrl, login_url: sim.loginUrl },
  };
  process.stdout.write(
    [
      `Kite simulator: replaying ${state.date} (${state.source}, ${state.instruments} instruments) at ${flags.speed}x`,
      `  REST    ${sim.url}`,
      `  ticker  ${sim.wsUrl}`,
      `  login   ${loginLink}`,
      `  state   ${sim.url}/__sim/state`,
      `  faults  POST ${sim.url}/__sim/fault`,
      ...(flags.allowedIps ? [`  orders  only from ${flags.allowedIps.join(", ")} (static IPs)`] : []),
      "Point config.json at it:",
      JSON.stringify(snippet, null, 2)
        .split("\n")
        .map((l) => `  ${l}`)
        .join("\n"),
      "Ctrl-C stops it.",
      "",
    ].join("\n"),
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await sim.close();
  err.write("Kite simulator stopped.\n");
}

function speedOption(value: string): number {
  const n = numberOption("--speed", value);
  if (n <= 0 || n > 100_000)
    throw new UserError(`--speed: expected a number above 0 and at most 100000, found "${value}"`);
  return n;
}

function urlOption(flag: string, value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === "http:" || url.protocol === "https:") return value;
  } catch {
    // reported below
  }
  throw new UserError(`${flag}: expected an http(s) URL, found "${value}"`);
}

function timeOption(value: string): string {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 59) {
    throw new UserError(`--start-time: expected HH:MM or HH:MM:SS, found "${value}"`);
  }
  return value;
}

/** `--allowed-ips`: IPv4 or IPv6 addresses separated by commas. */
export function allowedIpsOption(value: string): string[] {
  const list = value
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a !== "");
  const bad = list.find((a) => isIP(a) === 0);
  if (list.length === 0 || bad !== undefined) {
    throw new UserError(`--allowed-ips: expected IP addresses separated by commas, found "${bad ?? value}"`);
  }
  return list;
}
