import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { KiteBroker, mapKiteStatus } from "../src/adapters/kite/kite-broker.js";
import { KiteHistory } from "../src/adapters/kite/kite-history.js";
import { KiteRest } from "../src/adapters/kite/kite-rest.js";
import { RateLimiter } from "../src/adapters/kite/rate-limiter.js";
import { SessionStore } from "../src/adapters/kite/session-store.js";
import { TickerClient } from "../src/adapters/kite/ticker-client.js";
import type { Tick } from "../src/adapters/kite/ticker-protocol.js";
import { Store } from "../src/adapters/sqlite/store.js";
import { defaultConfig } from "../src/config/load.js";
import type { Config } from "../src/config/schema.js";
import { TradingCalendar } from "../src/domain/calendar.js";
import { type IsoDate, istEpochMs, parseHhmm } from "../src/domain/ist.js";
import { percentileInPlace } from "../src/domain/percentile.js";
import { TradingService } from "../src/engine/trading-service.js";
import { systemClock } from "../src/ports/clock.js";
import { type RunningSimulator, startSimulator } from "../src/sim/simulator.js";
import { writeSignalMarket } from "./signal-market.js";
import type { Figure } from "./stats.js";
import { SteppedTimers } from "./stepped-timers.js";

/*
 * Candle close → entry order: LIVE mode in this process (TickerClient, LiveDay, StrategyDay,
 * OrderManager, KiteBroker, KiteRest) against the simulator, also in this process, on
 * loopback. From the moment the ticker client hands the frame holding the tick that closes a
 * candle to its listeners (a listener registered before the service's) to the moment the
 * simulator's order route receives the entry's POST (its onOrderRequest hook), both with
 * performance.now().
 *
 * The market is stepped by hand so that every measured close is made by a tick (LiveDay's
 * closeByExchangeTime), never by the poll timer: the service's timers are not fired between a
 * close time and the frame that closes it. The replay's ticks of a 3-minute candle are at least
 * 15 s apart and the first is at the candle's start, so the market jumps to close + 14 s (no
 * tick in between) and then moves a second at a time until the first tick stamped at least 1 s
 * after the close has arrived: that frame comes alone, as a real one would.
 */

/** 5 days of about 59 entries each: about 295 entries. */
const DEFAULT_DAYS = 5;
const OPEN_MINUTE = parseHhmm("09:15");
const LAST_CLOSE_MINUTE = parseHhmm("15:30");
const INTERVAL_MINUTES = 3;
/** No tick of the replay falls strictly between a candle's start and this long after it. */
const QUIET_AFTER_CLOSE_MS = 14_000;
/** A close not made by a tick by then is left to the poll timer (and not measured). */
const CLOSE_GIVE_UP_MS = 60_000;
const TARGET_P99_MS = 10;
/** REST limits that never hold a stepped day back (market time runs far faster than real time). */
const UNTHROTTLED = {
  quote: [{ limit: 1000, windowMs: 1000 }],
  historical: [{ limit: 1000, windowMs: 1000 }],
  orders: [{ limit: 1000, windowMs: 1000 }],
  others: [{ limit: 1000, windowMs: 1000 }],
};

export interface EntryLatencyResult {
  /** Milliseconds from the closing frame to the entry's arrival, one per taken entry. */
  latenciesMs: number[];
  /**
   * CPU time the process (every thread) used over the same windows: the work itself, which
   * other processes on a busy machine cannot stretch as they stretch the wall time.
   */
  cpuMs: number[];
  /** Entries whose close was not made by a tick (not measured). */
  timerCloses: number;
  /** TAKEN signals in the service's database, over the days. */
  takenSignals: number;
  days: number;
  contracts: number;
}

/** Runs the measurement over `days` bench days of the signal market. */
export async function measureEntryLatency(
  days: number,
  log: (line: string) => void,
): Promise<EntryLatencyResult> {
  const root = mkdtempSync(join(tmpdir(), "pivot-entry-latency-"));
  try {
    const market = writeSignalMarket(join(root, "market"), days);
    const result: EntryLatencyResult = {
      latenciesMs: [],
      cpuMs: [],
      timerCloses: 0,
      takenSignals: 0,
      days: 0,
      contracts: market.contracts,
    };
    for (const date of market.benchDays) {
      const day = await runDay(market.dir, date, join(root, date));
      result.latenciesMs.push(...day.latenciesMs);
      result.cpuMs.push(...day.cpuMs);
      result.timerCloses += day.timerCloses;
      result.takenSignals += day.takenSignals;
      result.days++;
      log(
        `entry latency: ${date}: ${day.latenciesMs.length} entries measured, ${day.timerCloses} closed by the timer, ` +
          `${day.takenSignals} signals taken, ${day.orders} orders at the simulator`,
      );
    }
    return result;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The close being stepped through: its closing frame, and the entries that arrived after it. */
interface Stepping {
  closeMs: number;
  /** performance.now() and process.cpuUsage() as the closing frame was handed to the listeners. */
  frameAt: number | null;
  frameCpu: NodeJS.CpuUsage | null;
  entries: Array<{ at: number; cpuMs: number }>;
}

interface DayResult {
  latenciesMs: number[];
  cpuMs: number[];
  timerCloses: number;
  takenSignals: number;
  orders: number;
}

async function runDay(dataDir: string, date: IsoDate, dir: string): Promise<DayResult> {
  /** The close being stepped through (epoch ms), and the entries that arrived during it. */
  let stepping: Stepping | null = null;
  const sim = await startSimulator({
    port: 0,
    dataDir,
    date,
    startPaused: true,
    startTime: "08:50",
    autoLogin: true,
    rateLimits: false,
    onOrderRequest: (fields) => {
      const at = performance.now();
      if (stepping && String(fields.tag ?? "").startsWith("E")) {
        const cpu = stepping.frameCpu ? process.cpuUsage(stepping.frameCpu) : null;
        stepping.entries.push({ at, cpuMs: cpu ? (cpu.user + cpu.system) / 1000 : Number.NaN });
      }
    },
  });
  const clock = sim.marketClock;
  const base = defaultConfig();
  const config: Config = {
    ...base,
    api_key: sim.apiKey,
    api_secret: sim.apiSecret,
    trading: { ...base.trading, paper_trading: false },
    // Every taken signal places an order: the limits would stop the day after 3 trades (or once
    // the day's losses reach max_daily_loss, about half-way through a day of this market).
    risk_management: { ...base.risk_management, max_trades_per_day: 1000, max_daily_loss: 1e9 },
    kite: { ...base.kite, api_root: sim.url, ws_root: sim.wsUrl, login_url: sim.loginUrl },
    execution: { ...base.execution, entry_order: "MARKET", max_orders_per_minute: 400 },
    data: {
      ...base.data,
      database_path: join(dir, "trading.db"),
      cache_dir: join(dir, "cache"),
      access_token_file: join(dir, "access_token.json"),
    },
  };
  const sessions = new SessionStore({ path: config.data.access_token_file, clock });
  const rest = new KiteRest({
    apiKey: sim.apiKey,
    apiRoot: sim.url,
    timeoutMs: 5000,
    limiter: new RateLimiter({ clock: systemClock, limits: UNTHROTTLED }),
    onSessionExpired: (token) => sessions.markExpired(token),
  });
  await login(sim, rest, sessions);
  rest.setAccessToken(null); // the service finds the session itself, as `pivot start`

  const store = Store.open(config.data.database_path, { clock });
  const ticker = new TickerClient({
    url: sim.wsUrl,
    apiKey: sim.apiKey,
    accessToken: () => sessions.current()?.accessToken ?? null,
  });
  ticker.on("error", () => {});
  let received = 0;
  // Registered before the service's listener: called first with each frame.
  ticker.on("ticks", (ticks: Tick[]) => {
    received += ticks.length;
    if (!stepping || stepping.frameAt !== null) return;
    let newest = 0;
    for (const t of ticks) newest = Math.max(newest, (t.timestamp ?? t.last_trade_time ?? 0) * 1000);
    if (newest >= stepping.closeMs + 1000) {
      stepping.frameAt = performance.now();
      stepping.frameCpu = process.cpuUsage();
    }
  });
  const timers = new SteppedTimers(clock);
  const notes: string[] = [];
  const service = new TradingService({
    config,
    clock,
    setTimer: timers.setTimer,
    store,
    kite: rest,
    history: new KiteHistory({ kite: rest, cacheDir: config.data.cache_dir, clock }),
    sessions,
    ticker,
    broker: { mode: "live", broker: new KiteBroker({ rest }) },
    calendar: new TradingCalendar(),
    loginUrl: () => `${sim.loginUrl}?api_key=${sim.apiKey}&v=3`,
    log: (line) => notes.push(line),
    notify: (level, message) => notes.push(`${level}: ${message}`),
    // The replay's ticks of a candle may be a minute apart: the entry's timeout is one candle.
    execution: { entryTimeoutMs: 180_000 },
  });

  const settle = async () => {
    for (let i = 0; i < 2000; i++) {
      await withTimeout(service.idle(), 10_000, "the service to be idle");
      const synced = sim.state().orders.every((o) => {
        const ours = store.orders.byTag(String(o.tag));
        const filled = Number(o.filled_quantity);
        const status = mapKiteStatus(o.status, String(o.order_type), filled);
        const final = status === "COMPLETE" || status === "CANCELLED" || status === "REJECTED";
        return (
          ours !== null &&
          ours.kiteOrderId === o.order_id &&
          (!final || ours.status === status) &&
          ours.filledQuantity === filled
        );
      });
      if (synced && store.orders.live().every((o) => o.status !== "NEW")) return;
      await sleep(2);
    }
    throw new Error(`the orders never settled: ${JSON.stringify(sim.state().orders.map((o) => o.status))}`);
  };
  let offset = 0;
  const advance = async (ms: number) => {
    sim.advanceTo(ms);
    const played = sim.state().ticks.played;
    await waitFor(() => received - offset >= played, `the ticks up to ${new Date(ms).toISOString()}`);
  };

  const result: DayResult = { latenciesMs: [], cpuMs: [], timerCloses: 0, takenSignals: 0, orders: 0 };
  try {
    const report = await withTimeout(service.start(), 30_000, "the service to start");
    if (report.problems.length > 0) throw new Error(`the service started with problems: ${report.problems}`);
    await withTimeout(service.idle(), 30_000, "the service's pre-market");
    await waitFor(() => ticker.stats.connected, "the ticker to connect");
    const subscribed = () => Object.keys(sim.state().subscriptions[0]?.modes ?? {}).length;
    await waitFor(() => subscribed() > 0, "the pre-market subscription");
    await waitFor(() => received >= 2 * subscribed(), "the subscription snapshots");
    await sleep(50);
    offset = received - sim.state().ticks.played;

    await advance(istEpochMs(date, OPEN_MINUTE));
    timers.fireDue();
    await settle();
    for (let m = OPEN_MINUTE + INTERVAL_MINUTES; m <= LAST_CLOSE_MINUTE; m += INTERVAL_MINUTES) {
      const closeMs = istEpochMs(date, m);
      await advance(closeMs);
      timers.fireDue();
      await settle();
      stepping = { closeMs, frameAt: null, frameCpu: null, entries: [] };
      await advance(closeMs + QUIET_AFTER_CLOSE_MS);
      for (let t = closeMs + QUIET_AFTER_CLOSE_MS; stepping.frameAt === null; ) {
        if (t - closeMs >= CLOSE_GIVE_UP_MS) break;
        t += 1000;
        await advance(t);
      }
      await settle();
      const { frameAt, entries } = stepping;
      if (frameAt === null) result.timerCloses += entries.length;
      else
        for (const e of entries) {
          result.latenciesMs.push(e.at - frameAt);
          result.cpuMs.push(e.cpuMs);
        }
      stepping = null;
      timers.fireDue();
      await settle();
    }
    await advance(istEpochMs(date, parseHhmm("15:36")));
    timers.fireDue();
    await settle();
    const signals = store.signals.byDate(date);
    result.takenSignals = signals.filter((s) => s.action === "TAKEN").length;
    result.orders = sim.state().orders.length;
    const entriesAtSim = sim.state().orders.filter((o) => String(o.tag).startsWith("E")).length;
    if (entriesAtSim !== result.latenciesMs.length + result.timerCloses)
      throw new Error(
        `${entriesAtSim} entries at the simulator, ${result.latenciesMs.length + result.timerCloses} seen at a close`,
      );
    const critical = notes.filter((n) => n.startsWith("critical"));
    if (critical.length > 0) throw new Error(`the service raised critical alerts: ${critical.join("; ")}`);
  } catch (e) {
    process.stderr.write(`${notes.slice(-40).join("\n")}\n`);
    throw e;
  } finally {
    await withTimeout(service.stop(), 15_000, "the service to stop").catch((e: Error) =>
      notes.push(e.message),
    );
    await sim.close();
    store.close();
  }
  return result;
}

async function login(sim: RunningSimulator, rest: KiteRest, sessions: SessionStore): Promise<void> {
  const page = await fetch(`${sim.loginUrl}?api_key=${sim.apiKey}&v=3&auto=1`, { redirect: "manual" });
  const requestToken = new URL(page.headers.get("location") ?? "").searchParams.get("request_token") ?? "";
  const session = await rest.generateSession(requestToken, sim.apiSecret);
  if (!session.ok) throw new Error(`the login at the simulator failed: ${JSON.stringify(session)}`);
  sessions.save({ accessToken: session.value.access_token, userId: session.value.user_id });
}

/** `promise`, or an error naming `what` after `ms`: a stuck run fails instead of hanging. */
async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const until = performance.now() + ms;
  while (!check()) {
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(1);
  }
}

/** p-th percentile (linear interpolation) of a list. */
export function percentile(values: readonly number[], p: number): number {
  return percentileInPlace([...values], values.length, p);
}

/** The benchmark: candle close → entry order p50 / p99 over PIVOT_BENCH_LATENCY_DAYS days (default 5). */
export async function entryLatencyBenchmark(log: (line: string) => void): Promise<Figure[]> {
  const raw = process.env.PIVOT_BENCH_LATENCY_DAYS ?? String(DEFAULT_DAYS);
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 1 || days > 20)
    throw new Error(`PIVOT_BENCH_LATENCY_DAYS: expected a whole number of days from 1 to 20, found "${raw}"`);
  const loadBefore = loadavg()[0] ?? 0;
  const r = await measureEntryLatency(days, log);
  const n = r.latenciesMs.length;
  const p50 = percentile(r.latenciesMs, 50);
  const p99 = percentile(r.latenciesMs, 99);
  const cpuP99 = percentile(r.cpuMs, 99);
  const max = Math.max(...r.latenciesMs);
  log(
    `entry latency: ${n} entries over ${r.days} simulated days of ${r.contracts} contracts (LIVE, MARKET entries, ` +
      `simulator in-process on loopback), ${r.takenSignals} signals taken, ${r.timerCloses} closed by the timer (not measured); ` +
      `p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${max.toFixed(2)} ms; CPU time in the window ` +
      `p50 ${percentile(r.cpuMs, 50).toFixed(2)} ms, p99 ${cpuP99.toFixed(2)} ms; ` +
      `load average ${loadBefore.toFixed(2)} before, ${(loadavg()[0] ?? 0).toFixed(2)} after, on ${cpus().length} cores`,
  );
  const round = (x: number) => Math.round(x * 100) / 100;
  return [
    // Named for what is timed: from the frame holding the tick that closes a candle to the entry
    // order at the broker; closes made by the poll timer instead are counted, not timed.
    { name: "closing tick → entry order, p50", value: round(p50), unit: "ms" },
    {
      name: `closing tick → entry order, p99 (${n} entries)`,
      value: round(p99),
      unit: "ms",
      target: `< ${TARGET_P99_MS}`,
      met: n >= 200 && p99 < TARGET_P99_MS,
    },
    { name: "closing tick → entry order, p99 of CPU time used", value: round(cpuP99), unit: "ms" },
    {
      name: "  entries whose candle was closed by the timer (not timed)",
      value: r.timerCloses,
      unit: `of ${n + r.timerCloses}`,
    },
    // Other processes on the machine stretch the wall-clock tail, not the CPU time: say how busy it was.
    {
      name: "  machine load average during that run",
      value: round(Math.max(loadBefore, loadavg()[0] ?? 0)),
      unit: `of ${cpus().length} cores`,
    },
  ];
}

// `node dist/bench/entry-latency.bench.js`: this benchmark alone.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const figures = await entryLatencyBenchmark((line) => process.stderr.write(`${line}\n`));
  for (const f of figures)
    process.stdout.write(`${f.name}: ${f.value} ${f.unit}${f.target ? ` (target ${f.target})` : ""}\n`);
}
