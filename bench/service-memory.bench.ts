import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { KiteRest } from "../src/adapters/kite/kite-rest.js";
import { RateLimiter } from "../src/adapters/kite/rate-limiter.js";
import { SessionStore } from "../src/adapters/kite/session-store.js";
import { loadCandleDirectory } from "../src/backtest/candle-directory.js";
import { runBacktest } from "../src/backtest/run-backtest.js";
import { defaultConfig } from "../src/config/load.js";
import { TradingCalendar } from "../src/domain/calendar.js";
import type { IsoDate } from "../src/domain/ist.js";
import { istEpochMs, parseHhmm } from "../src/domain/ist.js";
import { systemClock } from "../src/ports/clock.js";
import { type RunningSimulator, startSimulator } from "../src/sim/simulator.js";
import { readProcMemory } from "./proc-memory.js";
import { benchmarkMarket } from "./sample-market.js";
import type { Figure } from "./stats.js";

/*
 * The service's memory over a simulated day: `pivot start --mode live` in its own process (so
 * that its RSS is the service's alone) with kite.simulator_clock, against the simulator in
 * this process replaying a day of the synthetic sample market (22 contracts) at high speed,
 * as the crash tests run it. Idle RSS: after start-up (the day prepared and subscribed),
 * before the open. Peak: VmHWM at the end of the day. Also the time from the spawn to a
 * healthy /health, when `pivot start` serves one.
 */

const CLI = fileURLToPath(new URL("../pivot.js", import.meta.url));
const MARKET_DAYS = 30;
const SEED = 1;
/**
 * Market time the replay starts from, running: the service's Kite rate limiter keeps market
 * time, so a paused replay would hold its pre-market requests (see the report).
 */
const START_TIME = "08:30";
const OPEN = "09:15";
const END_OF_DAY = "15:40";
const DEFAULT_SPEED = 500;
const IDLE_SETTLE_MS = 3_000;
const TARGET_MB = 150;
/** Without an answer on /health this long after the day is subscribed, there is no web server. */
const HEALTH_GRACE_MS = 3_000;

/** The day of the market with the most trades in the backtest (default config): a day that trades. */
function busiestDay(dir: string): { date: IsoDate; trades: number } {
  const data = loadCandleDirectory(dir, () => {});
  const days = [...data.byDay.keys()].sort();
  const { trades } = runBacktest({
    config: defaultConfig(),
    data,
    calendar: new TradingCalendar(),
    from: days[1] as IsoDate,
    to: days[days.length - 1] as IsoDate,
    warn: () => {},
  });
  const count = new Map<IsoDate, number>();
  for (const t of trades) count.set(t.date, (count.get(t.date) ?? 0) + 1);
  let best: { date: IsoDate; trades: number } = { date: days[1] as IsoDate, trades: 0 };
  for (const [date, n] of count) if (n > best.trades) best = { date, trades: n };
  return best;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ServiceMemoryResult {
  date: IsoDate;
  contracts: number;
  speed: number;
  idleMb: number;
  peakMb: number;
  /** Seconds from the spawn to the first 200 on /health; null when it never answered. */
  healthySeconds: number | null;
  ordersAtSimulator: number;
  backtestTrades: number;
}

/** Runs the service over one simulated day in a child process and samples its memory. */
export async function measureServiceMemory(
  speed: number,
  log: (line: string) => void,
): Promise<ServiceMemoryResult> {
  const market = benchmarkMarket(MARKET_DAYS, SEED);
  const day = busiestDay(market);
  const dir = mkdtempSync(join(tmpdir(), "pivot-service-memory-"));
  let sim: RunningSimulator | null = null;
  let child: ChildProcess | null = null;
  const output: string[] = [];
  try {
    sim = await startSimulator({
      port: 0,
      dataDir: market,
      date: day.date,
      speed,
      startPaused: true,
      startTime: START_TIME,
      autoLogin: true,
      // The service paces its requests in market time, which runs `speed` times faster here.
      rateLimits: false,
    });
    const port = await freePort();
    const data = {
      database_path: join(dir, "trading.db"),
      cache_dir: join(dir, "cache"),
      access_token_file: join(dir, "access_token.json"),
    };
    const configPath = join(dir, "config.json");
    writeFileSync(
      configPath,
      JSON.stringify({
        api_key: sim.apiKey,
        api_secret: sim.apiSecret,
        trading: { paper_trading: false },
        kite: {
          api_root: sim.url,
          ws_root: sim.wsUrl,
          login_url: sim.loginUrl,
          simulator_clock: true,
          user_id: sim.userId,
        },
        // At this speed a LIMIT entry's 30 s would be 60 ms: MARKET entries, as in the tests.
        execution: { entry_order: "MARKET", entry_timeout_seconds: 180 },
        server: { host: "127.0.0.1", port },
        data,
      }),
    );
    // The morning login, done before the start as a trader would.
    const rest = new KiteRest({
      apiKey: sim.apiKey,
      apiRoot: sim.url,
      timeoutMs: 5000,
      limiter: new RateLimiter({ clock: systemClock }),
    });
    const page = await fetch(`${sim.loginUrl}?api_key=${sim.apiKey}&v=3&auto=1`, { redirect: "manual" });
    const requestToken = new URL(page.headers.get("location") ?? "").searchParams.get("request_token") ?? "";
    const session = await rest.generateSession(requestToken, sim.apiSecret);
    if (!session.ok) throw new Error(`the login at the simulator failed: ${JSON.stringify(session)}`);
    new SessionStore({ path: data.access_token_file, clock: sim.marketClock }).save({
      accessToken: session.value.access_token,
      userId: session.value.user_id,
    });

    const spawnedAt = performance.now();
    sim.start();
    const proc = spawn(process.execPath, [CLI, "start", "--config", configPath, "--mode", "live"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    const keep = (d: Buffer) => {
      output.push(d.toString());
      if (output.length > 200) output.shift();
    };
    proc.stdout?.on("data", keep);
    proc.stderr?.on("data", keep);
    const pid = proc.pid as number;
    const alive = () => proc.exitCode === null && proc.signalCode === null;
    const running = sim;

    // Start-up: until the day is subscribed, probing /health meanwhile.
    let healthySeconds: number | null = null;
    let subscribedAt: number | null = null;
    /** Instruments the service subscribed to, the index aside: the day's contracts. */
    let contracts = 0;
    for (;;) {
      if (!alive()) throw new Error(`pivot start exited during start-up: ${output.join("").slice(-2000)}`);
      if (healthySeconds === null) {
        const ok = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(500) }).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ok) healthySeconds = (performance.now() - spawnedAt) / 1000;
      }
      const subscribed = Math.max(
        0,
        ...running.state().subscriptions.map((s) => Object.keys(s.modes).length),
      );
      if (subscribedAt === null && subscribed > 0) {
        // Idle from here: the day prepared and subscribed, the market held before the open.
        running.pause();
        subscribedAt = performance.now();
        contracts = subscribed - 1;
      }
      const healthDone =
        healthySeconds !== null ||
        (subscribedAt !== null && performance.now() - subscribedAt > HEALTH_GRACE_MS);
      if (subscribedAt !== null && healthDone) break;
      if (performance.now() - spawnedAt > 60_000)
        throw new Error(`pivot start did not subscribe within 60 s: ${output.join("").slice(-2000)}`);
      await sleep(20);
    }
    const idleAt = running.state().marketTimeMs;
    if (idleAt >= istEpochMs(day.date, parseHhmm(OPEN)))
      throw new Error(`the service was not ready before the open (at ${running.state().marketTime})`);
    await sleep(IDLE_SETTLE_MS);
    const idle = readProcMemory(pid);
    if (!idle) throw new Error(`cannot read /proc/${pid}/status`);

    running.start();
    const end = istEpochMs(day.date, parseHhmm(END_OF_DAY));
    while (running.state().marketTimeMs < end) {
      if (!alive()) throw new Error(`pivot start exited during the day: ${output.join("").slice(-2000)}`);
      await sleep(200);
    }
    await sleep(1_000);
    const last = readProcMemory(pid);
    if (!last) throw new Error(`cannot read /proc/${pid}/status at the end of the day`);
    return {
      date: day.date,
      contracts,
      speed,
      idleMb: idle.rssMb,
      peakMb: last.peakMb,
      healthySeconds,
      ordersAtSimulator: running.state().orders.length,
      backtestTrades: day.trades,
    };
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child?.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(12_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
    if (output.length > 0 && process.env.PIVOT_BENCH_VERBOSE) log(output.join(""));
  }
}

/** The benchmark: idle and peak RSS of `pivot start` over a day at PIVOT_BENCH_RSS_SPEED (default 500) × real time. */
export async function serviceMemoryBenchmark(log: (line: string) => void): Promise<Figure[]> {
  if (process.platform !== "linux") {
    log("service memory: skipped: it reads /proc/<pid>/status (Linux only)");
    return [];
  }
  const raw = process.env.PIVOT_BENCH_RSS_SPEED ?? String(DEFAULT_SPEED);
  const speed = Number(raw);
  if (!(speed >= 1 && speed <= 2000))
    throw new Error(`PIVOT_BENCH_RSS_SPEED: expected a speed from 1 to 2000, found "${raw}"`);
  const r = await measureServiceMemory(speed, log);
  log(
    `service memory: pivot start --mode live (own process) over ${r.date} of the sample market (${r.contracts} contracts, ` +
      `${r.backtestTrades} backtest trades), simulator at ${r.speed}× from ${START_TIME} to ${END_OF_DAY}: ` +
      `${r.ordersAtSimulator} orders at the simulator; idle RSS ${r.idleMb.toFixed(1)} MB, peak (VmHWM) ${r.peakMb.toFixed(1)} MB`,
  );
  const figures: Figure[] = [
    { name: "service RSS, idle (started, before the open)", value: Math.round(r.idleMb), unit: "MB" },
    {
      name: "service peak RSS over a simulated day (22 contracts)",
      value: Math.round(r.peakMb),
      unit: "MB",
      target: `< ${TARGET_MB}`,
      met: r.peakMb < TARGET_MB,
    },
  ];
  if (r.healthySeconds === null)
    log(
      "pivot start → healthy /health: skipped: pivot start does not serve /health yet (no answer on server.port " +
        `within ${HEALTH_GRACE_MS / 1000} s of the day being subscribed)`,
    );
  else
    figures.push({
      name: "pivot start → healthy /health",
      value: Math.round(r.healthySeconds * 100) / 100,
      unit: "s",
      target: "< 30",
      met: r.healthySeconds < 30,
    });
  return figures;
}

// `node dist/bench/service-memory.bench.js`: this benchmark alone.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const figures = await serviceMemoryBenchmark((line) => process.stderr.write(`${line}\n`));
  for (const f of figures)
    process.stdout.write(`${f.name}: ${f.value} ${f.unit}${f.target ? ` (target ${f.target})` : ""}\n`);
}
