/*
 * The simulator's market time, followed from another process: a rehearsal (or a crash test)
 * runs `pivot start` against `pivot sim`, whose replay of a past day runs at `speed` times
 * real time. The service must live in that day, not in today: its clock reads the simulator's
 * `/__sim/clock` now and then and extrapolates in between, and its timers wait for market
 * time (so a jump of the replay, or its speed, is followed). Only ever used with
 * `kite.simulator_clock: true`, which the configuration refuses for Zerodha's own API.
 */

import type { Clock } from "../../ports/clock.js";
import type { SetTimer } from "../../ports/timer.js";

interface SimClockReading {
  marketTimeMs: number;
  running: boolean;
  speed: number;
}

/** How often the simulator's clock is read again (real ms). */
const RESYNC_MS = 200;
/** How often market-time timers look at the clock (real ms). */
const TIMER_TICK_MS = 5;

/**
 * Timers in market time for any clock that may run faster than real time (or jump): each
 * waits for `clock.now()` to reach its due time, looked at every few real milliseconds. The
 * in-process demo and rehearsal use it with the simulator's own `marketClock`; SimulatorClock
 * (another process's simulator) with its extrapolated reading.
 */
export class MarketTimers {
  private readonly timers = new Set<{ at: number; fn: () => void }>();
  private loop: NodeJS.Timeout | null = null;

  constructor(private readonly clock: Clock) {}

  /** `ms` market milliseconds from now. */
  readonly setTimer: SetTimer = (ms, fn) => {
    const timer = { at: this.clock.now() + ms, fn };
    this.timers.add(timer);
    if (!this.loop) this.loop = setInterval(() => this.fireDue(), TIMER_TICK_MS);
    return () => {
      this.timers.delete(timer);
    };
  };

  /** Drops every timer (nothing fires after this). */
  stop(): void {
    if (this.loop) clearInterval(this.loop);
    this.loop = null;
    this.timers.clear();
  }

  private fireDue(): void {
    const now = this.clock.now();
    for (const t of [...this.timers]) {
      if (t.at > now) continue;
      this.timers.delete(t);
      t.fn();
    }
    if (this.timers.size === 0 && this.loop) {
      clearInterval(this.loop);
      this.loop = null;
    }
  }
}

export class SimulatorClock implements Clock {
  private anchorMarket = 0;
  private anchorReal = 0;
  private speed = 1;
  private running = false;
  private last = 0;
  private resync: NodeJS.Timeout | null = null;
  private readonly timers = new MarketTimers(this);

  constructor(
    private readonly apiRoot: string,
    private readonly realNow: () => number = () => performance.timeOrigin + performance.now(),
  ) {}

  /** Reads the simulator's clock once (fails when it cannot be reached), then keeps following it. */
  async start(): Promise<void> {
    await this.read();
    this.resync = setInterval(() => {
      this.read().catch(() => {}); // extrapolation goes on while the simulator is briefly away
    }, RESYNC_MS);
    this.resync.unref();
  }

  stop(): void {
    if (this.resync) clearInterval(this.resync);
    this.resync = null;
    this.timers.stop();
  }

  now(): number {
    const elapsed = this.running ? (this.realNow() - this.anchorReal) * this.speed : 0;
    // Never backwards: a re-read slightly behind the extrapolation holds time still instead.
    // Whole milliseconds, as Date.now() gives: times are stored as integers.
    this.last = Math.max(this.last, Math.floor(this.anchorMarket + elapsed));
    return this.last;
  }

  /** Timers in market time: `ms` market milliseconds from now. */
  readonly setTimer: SetTimer = (ms, fn) => this.timers.setTimer(ms, fn);

  private async read(): Promise<void> {
    const res = await fetch(new URL("/__sim/clock", this.apiRoot), { signal: AbortSignal.timeout(2000) });
    if (!res.ok) throw new Error(`the simulator's clock answered HTTP ${res.status}`);
    const r = (await res.json()) as SimClockReading;
    if (!(Number.isFinite(r.marketTimeMs) && r.speed > 0))
      throw new Error("the simulator's clock is unreadable");
    this.anchorMarket = r.marketTimeMs;
    this.anchorReal = this.realNow();
    this.speed = r.speed;
    this.running = r.running;
  }
}
