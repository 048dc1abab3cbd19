/**
 * One life of the trading service in this process (LIVE mode against the simulator: KiteRest,
 * KiteBroker, TickerClient, its own Store on the case's database), its timers fired by hand at
 * the market time they are due. A crash abandons it without its clean-up (its timers and its
 * socket die with it); the next life opens the same files, as `pivot start` after a SIGKILL.
 */

import { KiteBroker, mapKiteStatus } from "../../src/adapters/kite/kite-broker.js";
import { KiteHistory } from "../../src/adapters/kite/kite-history.js";
import { KiteRest } from "../../src/adapters/kite/kite-rest.js";
import { RateLimiter } from "../../src/adapters/kite/rate-limiter.js";
import { SessionStore } from "../../src/adapters/kite/session-store.js";
import { TickerClient } from "../../src/adapters/kite/ticker-client.js";
import { Store } from "../../src/adapters/sqlite/store.js";
import type { Config } from "../../src/config/schema.js";
import { TradingCalendar } from "../../src/domain/calendar.js";
import { TradingService } from "../../src/engine/trading-service.js";
import { systemClock } from "../../src/ports/clock.js";
import type { RunningSimulator } from "../../src/sim/simulator.js";
import { HandTimers, UNTHROTTLED_LIMITS } from "../support/hand-timers.js";

/** Real ms a step waits for its ticks; and once they did not all come. */
const TICK_WAIT_MS = 150;
const LOST_TICK_WAIT_MS = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `promise`, or `fallback` after `ms` real milliseconds. */
export async function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<T>((r) => (timer = setTimeout(() => r(fallback), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export class SteppedService {
  readonly timers: HandTimers;
  readonly store: Store;
  readonly service: TradingService;
  readonly ticker: TickerClient;
  /** Ticks received by this life's ticker. */
  received = 0;
  private offset = 0;
  private tickWaitMs = TICK_WAIT_MS;

  constructor(
    private readonly sim: RunningSimulator,
    config: Config,
    notes: string[],
  ) {
    const clock = sim.marketClock;
    this.timers = new HandTimers(clock);
    const sessions = new SessionStore({ path: config.data.access_token_file, clock });
    sessions.load();
    const rest = new KiteRest({
      apiKey: sim.apiKey,
      apiRoot: sim.url,
      // Short: latency faults of up to 1.5 s then also time requests out (the lookup-by-tag path).
      timeoutMs: 1000,
      limiter: new RateLimiter({ clock: systemClock, limits: UNTHROTTLED_LIMITS }),
      placeLookupDelaysMs: [50, 200],
      retry: { baseDelayMs: 20, maxDelayMs: 100 },
      onSessionExpired: (token) => sessions.markExpired(token),
    });
    this.store = Store.open(config.data.database_path, { clock });
    this.ticker = new TickerClient({
      url: sim.wsUrl,
      apiKey: sim.apiKey,
      accessToken: () => sessions.current()?.accessToken ?? null,
      // Above the simulator's heartbeat (1 s of real time, checked every 250 ms): a step that
      // waits on REST back-offs (a 429 burst: 1 s each) is not a silent socket. At 1 s the
      // watchdog fired there now and then, and the order updates sent while it reconnected were
      // lost: the same case passed or failed by the machine's timing.
      silenceMs: 3_000,
      backoff: { initialMs: 20, maxMs: 100 },
    });
    this.ticker.on("error", () => {});
    this.ticker.on("ticks", (ticks) => {
      this.received += ticks.length;
    });
    this.service = new TradingService({
      config,
      clock,
      setTimer: this.timers.setTimer,
      store: this.store,
      kite: rest,
      history: new KiteHistory({ kite: rest, cacheDir: config.data.cache_dir, clock }),
      sessions,
      ticker: this.ticker,
      broker: { mode: "live", broker: new KiteBroker({ rest }) },
      calendar: new TradingCalendar(),
      loginUrl: () => `${sim.loginUrl}?api_key=${sim.apiKey}&v=3`,
      log: (line) => notes.push(line),
      notify: (level, message) => notes.push(`${level}: ${message}`),
    });
  }

  /** Starts this life: reconciles with the broker, connects and subscribes. */
  async start(): Promise<void> {
    await this.service.start();
    await within(this.service.idle(), 10_000, undefined);
    const subscribed = () => Object.keys(this.sim.state().subscriptions[0]?.modes ?? {}).length;
    // A day whose preparation met REST faults subscribes later, on a retry: no long wait here.
    if (await this.until(() => this.ticker.stats.connected && subscribed() > 0, 300))
      await this.until(() => this.received >= 2 * subscribed(), 300);
    this.resync();
  }

  /** Counts ticks from here (after a silence or a reconnection the counts part). */
  resync(): void {
    this.offset = this.received - this.sim.state().ticks.played;
  }

  /**
   * After the market moved: waits for its ticks (a silenced or dropped feed loses them: then
   * counts from here), fires the due timers and lets the service catch up with the broker.
   */
  async catchUp(): Promise<void> {
    const played = this.sim.state().ticks.played;
    const arrived = await this.until(() => this.received - this.offset >= played, this.tickWaitMs);
    if (!arrived) this.resync();
    // While the feed is down, silenced or subscribed to part of the market, ticks do not add
    // up: wait briefly until a step's ticks arrive in full again.
    this.tickWaitMs = arrived ? TICK_WAIT_MS : LOST_TICK_WAIT_MS;
    for (let round = 0; round < 2; round++) {
      this.timers.fireDue();
      await this.settle();
    }
  }

  /** Waits (briefly) until every order at the simulator reads the same in the database. */
  private async settle(): Promise<void> {
    for (let i = 0; i < 40; i++) {
      await within(this.service.idle(), 5_000, undefined);
      if (this.synced()) return;
      await sleep(1);
    }
  }

  private synced(): boolean {
    const synced = this.sim.state().orders.every((o) => {
      const ours = this.store.orders.byTag(String(o.tag));
      const filled = Number(o.filled_quantity);
      const status = mapKiteStatus(o.status, String(o.order_type), filled);
      const final = status === "COMPLETE" || status === "CANCELLED" || status === "REJECTED";
      return ours !== null && (!final || ours.status === status) && ours.filledQuantity === filled;
    });
    return synced && this.store.orders.live().every((o) => o.status !== "NEW");
  }

  /**
   * Dies as a killed process does, at a quiet moment (its work in flight done, so that nothing
   * of it writes after its death): timers gone, socket cut, nothing cleaned up.
   */
  async abandon(): Promise<void> {
    await within(this.service.idle(), 5_000, undefined);
    this.timers.cancelAll();
    this.service.events.removeAllListeners();
    await this.ticker.close();
    // Its database connection stays open (closed at the case's end): a write of the dead life
    // would otherwise throw inside it, which a killed process cannot do either.
  }

  /** Stops this life cleanly (the end of a case). */
  async stop(): Promise<void> {
    await within(this.service.stop(), 10_000, undefined).catch(() => {});
  }

  private async until(check: () => boolean, ms: number): Promise<boolean> {
    const end = performance.now() + ms;
    while (!check()) {
      if (performance.now() > end) return false;
      await sleep(1);
    }
    return true;
  }
}
