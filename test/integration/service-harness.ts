/**
 * A TradingService in LIVE mode against the simulator replaying 2025-09-05, stepped by hand
 * (the set-up of service-day-sim.test.ts), with hooks between steps so that tests can inject
 * the simulator's faults at a market time. Production wiring where it matters: the ticker reads
 * its token with `sessions.current()` (as `pivot start` does), and a re-login goes through the
 * same KiteRest and SessionStore as the service's LoginFlow.
 */

import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { KiteBroker, mapKiteStatus } from "../../src/adapters/kite/kite-broker.js";
import { KiteHistory } from "../../src/adapters/kite/kite-history.js";
import { KiteRest } from "../../src/adapters/kite/kite-rest.js";
import { RateLimiter } from "../../src/adapters/kite/rate-limiter.js";
import { SessionStore } from "../../src/adapters/kite/session-store.js";
import { TickerClient } from "../../src/adapters/kite/ticker-client.js";
import type { PaperBroker } from "../../src/adapters/paper/paper-broker.js";
import { Store } from "../../src/adapters/sqlite/store.js";
import { dayArchiver } from "../../src/app/day-archiver.js";
import { ServiceEngineView } from "../../src/app/engine-view.js";
import { paperBrokerOf } from "../../src/app/paper-broker-of.js";
import { loadCandleDirectory } from "../../src/backtest/candle-directory.js";
import { runBacktest } from "../../src/backtest/run-backtest.js";
import { defaultConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { TradingCalendar } from "../../src/domain/calendar.js";
import type { Candle } from "../../src/domain/candle.js";
import { istEpochMs, parseHhmm } from "../../src/domain/ist.js";
import type { ExecutionConfig } from "../../src/engine/execution-config.js";
import { TradingService } from "../../src/engine/trading-service.js";
import type { ServiceBroker } from "../../src/engine/trading-service-deps.js";
import { type Clock, systemClock } from "../../src/ports/clock.js";
import type { Notification } from "../../src/ports/notifier.js";
import type { OrderPayload } from "../../src/sim/orders.js";
import { type RunningSimulator, startSimulator } from "../../src/sim/simulator.js";
import type { Trade } from "../../src/strategy/types.js";
import { HandTimers, UNTHROTTLED_LIMITS } from "../support/hand-timers.js";
import { REAL_CANDLES_DIR } from "../support/paths.js";

export const DATE = "2025-09-05";

const data = loadCandleDirectory(REAL_CANDLES_DIR, () => {});

/** The backtest of the day with `lots` lots. */
export function backtestTrades(lots = 1): Trade[] {
  const base = defaultConfig();
  return runBacktest({
    config: { ...base, trading: { ...base.trading, lots } },
    data,
    calendar: new TradingCalendar(),
    from: DATE,
    to: DATE,
    warn: () => {},
  }).trades;
}

/** The day's candles of a symbol in the data (what the simulator replays). */
export function dataCandles(symbol: string): Candle[] {
  return data.byDay.get(DATE)?.get(symbol)?.toCandles() ?? [];
}

/** Epoch ms of `HH:MM[:SS]` on the day. */
export function at(time: string): number {
  const [h, m, s] = time.split(":").map(Number);
  return (
    istEpochMs(DATE, parseHhmm(`${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`)) +
    (s ?? 0) * 1000
  );
}

export async function waitFor(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const until = performance.now() + ms;
  while (!check()) {
    if (performance.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface DayOptions {
  root: string;
  name: string;
  lots?: number;
  execution?: Partial<ExecutionConfig>;
  /** The ticker's watchdog (real ms; default 10 s as the config's default). */
  tickerSilenceMs?: number;
  postbackUrl?: string;
  /** Paper mode: a PaperBroker journaled in the service's database, fed the simulator's ticks. */
  paper?: boolean;
  /** The after-close archive into this folder (default: no archive). */
  archiveDir?: string;
}

/** One service day on the simulator. */
export class ServiceDay {
  sim!: RunningSimulator;
  store!: Store;
  service!: TradingService;
  rest!: KiteRest;
  sessions!: SessionStore;
  ticker!: TickerClient;
  config!: Config;
  /** Paper mode's broker (a new one at each restart, on the same database). */
  paper: PaperBroker | null = null;
  readonly notes: string[] = [];
  /** What the service told the trader (Telegram's notifications), in order. */
  readonly notifications: Notification[] = [];
  /** Uncaught exceptions and unhandled rejections seen while the day ran. */
  readonly thrown: unknown[] = [];
  /** Ticks received minus ticks played, taken when the feed was last resynchronised. */
  private offset = 0;
  private received = 0;
  private timers!: HandTimers;
  private steps: number[] = [];
  private options!: DayOptions;
  private next = 0;
  private stopped = false;
  private readonly onThrow = (e: unknown) => this.thrown.push(e);

  static async start(o: DayOptions): Promise<ServiceDay> {
    const day = new ServiceDay();
    await day.init(o);
    return day;
  }

  private async init(o: DayOptions): Promise<void> {
    process.on("uncaughtException", this.onThrow);
    process.on("unhandledRejection", this.onThrow);
    const dir = mkdtempSync(join(o.root, `${o.name}-`));
    const sim = await startSimulator({
      port: 0,
      dataDir: REAL_CANDLES_DIR,
      date: DATE,
      startPaused: true,
      startTime: "08:50",
      autoLogin: true,
      rateLimits: false,
      ...(o.postbackUrl ? { postbackUrl: o.postbackUrl } : {}),
    });
    this.sim = sim;
    this.options = o;
    const clock = sim.marketClock;
    const base = defaultConfig();
    const config: Config = {
      ...base,
      api_key: sim.apiKey,
      api_secret: sim.apiSecret,
      trading: { ...base.trading, paper_trading: o.paper === true, lots: o.lots ?? 1 },
      kite: { ...base.kite, api_root: sim.url, ws_root: sim.wsUrl, login_url: sim.loginUrl },
      data: {
        ...base.data,
        database_path: join(dir, "trading.db"),
        cache_dir: join(dir, "cache"),
        access_token_file: join(dir, "access_token.json"),
        ...(o.archiveDir ? { archive_dir: o.archiveDir } : {}),
      },
    };
    this.config = config;
    const sessions = new SessionStore({ path: config.data.access_token_file, clock });
    this.sessions = sessions;
    const rest = this.newRest();
    this.rest = rest;
    await this.login(rest, sessions);
    this.timers = new HandTimers(clock);
    await this.startService();
    const start = at("09:15");
    const end = at("15:36");
    for (let t = start; t <= end; t += 30_000) {
      this.steps.push(t);
      if ((t - start) % 180_000 === 0) this.steps.push(t + 2_000);
    }
  }

  /** Live: Kite at the simulator; paper: the paper broker as `pivot start` builds it, on this store. */
  private brokerOf(rest: KiteRest, clock: Clock, store: Store): ServiceBroker {
    if (!this.options.paper) return { mode: "live", broker: new KiteBroker({ rest }) };
    this.paper = paperBrokerOf(this.config, clock, store);
    return { mode: "paper", broker: this.paper };
  }

  private newRest(): KiteRest {
    const { sim, sessions } = this;
    return new KiteRest({
      apiKey: sim.apiKey,
      apiRoot: sim.url,
      timeoutMs: 5000,
      limiter: new RateLimiter({ clock: systemClock, limits: UNTHROTTLED_LIMITS }),
      placeLookupDelaysMs: [50],
      retry: { baseDelayMs: 20, maxDelayMs: 50 },
      onSessionExpired: (token) => sessions.markExpired(token),
    });
  }

  /** A new service process in spirit: its own store, REST client, ticker and broker on the same files. */
  private async startService(): Promise<void> {
    const { sim, config, sessions, options: o } = this;
    const clock = sim.marketClock;
    const rest = this.newRest();
    this.rest = rest;
    sessions.load();
    rest.setAccessToken(null); // the service must find the session itself

    const store = Store.open(config.data.database_path, { clock });
    this.store = store;
    const ticker = new TickerClient({
      url: sim.wsUrl,
      apiKey: sim.apiKey,
      // As `pivot start`: the session held in memory.
      accessToken: () => sessions.current()?.accessToken ?? null,
      silenceMs: o.tickerSilenceMs ?? 10_000,
      backoff: { initialMs: 20, maxMs: 100 },
    });
    this.ticker = ticker;
    ticker.on("error", () => {});
    ticker.on("ticks", (ticks) => {
      this.received += ticks.length;
    });
    const notes = this.notes;
    this.service = new TradingService({
      config,
      clock,
      setTimer: this.timers.setTimer,
      store,
      kite: rest,
      history: new KiteHistory({ kite: rest, cacheDir: config.data.cache_dir, clock }),
      sessions,
      ticker,
      broker: this.brokerOf(rest, clock, store),
      calendar: new TradingCalendar(),
      loginUrl: () => `${sim.loginUrl}?api_key=${sim.apiKey}&v=3`,
      log: (line) => notes.push(line),
      notify: (level, message) => notes.push(`${level}: ${message}`),
      notifier: { notify: (n) => this.notifications.push(n) },
      execution: { entryOrder: "MARKET", entryTimeoutMs: 180_000, ...o.execution },
      ...(o.archiveDir
        ? {
            archiver: dayArchiver({
              kite: rest,
              config,
              notify: (level, message) => notes.push(`${level}: ${message}`),
              log: (line) => notes.push(line),
            }),
          }
        : {}),
    });

    const report = await this.service.start();
    assert.deepEqual(report.problems, []);
    await this.service.idle();
    await waitFor(() => ticker.stats.connected, "the ticker to connect");
    await waitFor(
      () => Object.keys(sim.state().subscriptions[0]?.modes ?? {}).length > 0,
      "the pre-market subscription",
    );
    const subscribed = Object.keys(sim.state().subscriptions[0]?.modes ?? {}).length;
    await waitFor(() => this.received >= 2 * subscribed, "the subscription snapshots");
    await sleep(50);
    this.received = 0;
    this.offset = this.received - sim.state().ticks.played;
  }

  /**
   * Stops the service (as a restart would: its timers and sockets go, its database stays),
   * moves the market to `downUntil` while nothing runs, and starts a new service on the same
   * files, which must pick the day up.
   */
  async restart(downUntil: string): Promise<void> {
    await this.service.stop();
    this.timers.cancelAll();
    this.sim.advanceTo(at(downUntil));
    while (this.next < this.steps.length && (this.steps[this.next] as number) <= at(downUntil)) this.next++;
    await this.startService();
    await this.pump(3);
  }

  /** A login through the simulator's login page, saved in `save` (the service's LoginFlow does this in-process). */
  async login(rest: KiteRest = this.rest, save: SessionStore = this.sessions): Promise<void> {
    const page = await fetch(`${this.sim.loginUrl}?api_key=${this.sim.apiKey}&v=3&auto=1`, {
      redirect: "manual",
    });
    const requestToken = new URL(page.headers.get("location") as string).searchParams.get("request_token");
    const session = await rest.generateSession(requestToken as string, this.sim.apiSecret);
    assert.ok(session.ok, JSON.stringify(session));
    save.save({ accessToken: session.value.access_token, userId: session.value.user_id });
  }

  /** Waits until the feed is connected again and counts ticks from here. */
  async resync(what: string, ms = 10_000): Promise<void> {
    await waitFor(
      () =>
        this.ticker.stats.connected &&
        Object.keys(this.sim.state().subscriptions[0]?.modes ?? {}).length > 0 &&
        this.sim.state().faults.silenced_for_ms === 0,
      what,
      ms,
    );
    await sleep(100); // the re-subscription's snapshot
    this.offset = this.received - this.sim.state().ticks.played;
  }

  /** Waits until every order at the simulator reads the same in the store, and the service is quiet. */
  async settle(strict = true): Promise<boolean> {
    for (let i = 0; i < (strict ? 500 : 20); i++) {
      await this.service.idle();
      const synced = this.sim.state().orders.every((o) => {
        const ours = this.store.orders.byTag(String(o.tag));
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
      if (synced && this.store.orders.live().every((o) => o.status !== "NEW")) return true;
      await sleep(5);
    }
    if (strict)
      assert.fail(
        `orders never settled: ${JSON.stringify(this.sim.state().orders.map((o) => [o.tag, o.status]))}`,
      );
    return false;
  }

  /**
   * Runs the steps up to `time` (inclusive). `strict`: the ticks played must all arrive and the
   * orders settle (false while the feed or the session is down on purpose).
   */
  async runTo(time: string, strict = true): Promise<void> {
    const until = time === "end" ? Number.POSITIVE_INFINITY : at(time);
    while (this.next < this.steps.length && (this.steps[this.next] as number) <= until) {
      const t = this.steps[this.next++] as number;
      this.sim.advanceTo(t);
      const played = this.sim.state().ticks.played;
      if (strict)
        await waitFor(
          () => this.received - this.offset >= played,
          `ticks up to ${new Date(t).toISOString()}`,
        );
      else await sleep(20);
      this.timers.fireDue();
      await this.settle(strict);
      this.timers.fireDue();
      await this.settle(strict);
    }
  }

  /** Fires the due timers and lets the service work (no market move). */
  async pump(rounds = 1): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      this.timers.fireDue();
      await this.settle(false);
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    try {
      await this.service.stop();
    } finally {
      await this.sim.close();
      process.off("uncaughtException", this.onThrow);
      process.off("unhandledRejection", this.onThrow);
    }
  }

  /** Orders at the simulator. */
  simOrders(): OrderPayload[] {
    return this.sim.state().orders;
  }

  /** The simulator's net position by symbol (non-zero only). */
  simNet(): Record<string, number> {
    const net: Record<string, number> = {};
    for (const o of this.simOrders()) {
      const s = String(o.tradingsymbol);
      net[s] = (net[s] ?? 0) + Number(o.filled_quantity) * (o.transaction_type === "BUY" ? 1 : -1);
    }
    return Object.fromEntries(Object.entries(net).filter(([, q]) => q !== 0));
  }

  /** Notes that show the service caught an exception of its own (it must never throw). */
  internalErrors(): string[] {
    return this.notes.filter((n) => /trading service:|poll failed|step failed|order manager:/.test(n));
  }

  /** The invariants of every fault test: unique tags, flat at the simulator, nothing thrown. */
  assertInvariants(): void {
    const tags = this.simOrders().map((o) => String(o.tag));
    assert.equal(new Set(tags).size, tags.length, `duplicate tags at the simulator: ${tags.join()}`);
    assert.deepEqual(this.simNet(), {}, "flat at the simulator");
    assert.deepEqual(this.thrown, [], "nothing thrown");
    assert.deepEqual(this.internalErrors(), [], "no exception caught by the service");
  }
}

/** The engine as /status and the dashboard see it, over the day's service. */
export function viewOf(day: ServiceDay): ServiceEngineView {
  return new ServiceEngineView({
    service: day.service,
    store: day.store,
    config: day.config,
    clock: day.sim.marketClock,
    calendar: new TradingCalendar(),
    sessions: day.sessions,
    ticker: day.ticker,
    mode: "SIM",
    version: "test",
    startedAtMs: day.sim.marketClock.now(),
    checks: () => [],
    every: () => () => {},
  });
}

/** The tag body of a trade id (`20250905_001` → `20250905001`). */
export const tagBody = (tradeId: string) => tradeId.replace(/[^A-Za-z0-9]/g, "");

export const strategyKey = (t: Trade) => ({
  trade_id: t.trade_id,
  symbol: t.symbol,
  scenario: t.scenario,
  entry_time: t.entry_time,
  entry_price: t.entry_price,
  exit_time: t.exit_time,
  exit_price: t.exit_price,
  exit_reason: t.exit_reason,
  quantity: t.quantity,
});
