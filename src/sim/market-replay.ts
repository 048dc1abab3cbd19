/**
 * The market replay: the replay day's ticks of every instrument, played in time order at
 * `speed` times real time. Its market time is the simulator's clock for everything a client
 * sees: quotes, the historical cut-off, order matching and order timestamps.
 */
import type { IsoDate } from "../domain/ist.js";
import { istEpochMs } from "../domain/ist.js";
import type { Clock } from "../ports/clock.js";
import type { SimInstrument, SimInstruments } from "./instruments.js";
import { SeededRandom } from "./rng.js";
import type { TickSource } from "./tick-source.js";

/** Session start and end, minutes after midnight IST. */
export const SESSION_START_MINUTE = 9 * 60 + 15;
export const SESSION_END_MINUTE = 15 * 60 + 30;
const PUMP_INTERVAL_MS = 20;
const DAY_MS = 86_400_000;

/** One trade of the replay. */
export interface ReplayTick {
  /** Position in the day's tick sequence. */
  seq: number;
  time: number;
  token: number;
  price: number;
  quantity: number;
}

/** The market state of one instrument, as quotes and ticker packets report it. */
export interface LiveQuote {
  instrument: SimInstrument;
  /** The previous day's close (Kite's `ohlc.close` in quotes and ticks). */
  close: number;
  lastPrice: number;
  /** Day open, high and low; 0 until the first trade. */
  open: number;
  high: number;
  low: number;
  volume: number;
  averagePrice: number;
  lastQuantity: number;
  /** Epoch ms of the last trade, null before the first. */
  lastTradeTime: number | null;
  buyQuantity: number;
  sellQuantity: number;
}

/** A tick and the instrument's state right after it (what a ticker packet carries). */
export interface TickEvent {
  tick: ReplayTick;
  quote: LiveQuote;
}

export interface MarketReplayOptions {
  date: IsoDate;
  instruments: SimInstruments;
  ticks: TickSource;
  /** Paces the replay: market time moves by `speed` × the clock's elapsed time. */
  clock: Clock;
  speed: number;
  /** Market time before the replay starts (default 09:15:00 of the day). */
  startMs?: number;
  seed: number;
}

/** The replay of one day. */
export class MarketReplay {
  readonly date: IsoDate;
  readonly sessionStartMs: number;
  readonly sessionEndMs: number;
  private readonly ticks: ReplayTick[] = [];
  private readonly quotes = new Map<number, LiveQuote>();
  private readonly turnover = new Map<number, number>();
  private readonly rng: SeededRandom;
  private next = 0;
  private anchorMarket: number;
  private anchorClock = 0;
  private running = false;
  private ended = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly tickListeners: Array<(tick: ReplayTick, quote: LiveQuote) => void> = [];
  private readonly batchListeners: Array<(events: TickEvent[]) => void> = [];
  private readonly endListeners: Array<() => void> = [];

  constructor(private readonly o: MarketReplayOptions) {
    this.date = o.date;
    this.sessionStartMs = istEpochMs(o.date, SESSION_START_MINUTE);
    this.sessionEndMs = istEpochMs(o.date, SESSION_END_MINUTE);
    this.anchorMarket = o.startMs ?? this.sessionStartMs;
    this.rng = new SeededRandom(o.seed ^ 0x5eed);
    for (const instrument of o.instruments.list) {
      const close = o.ticks.previousClose(instrument, o.date);
      this.quotes.set(instrument.instrumentToken, {
        instrument,
        close,
        lastPrice: close,
        open: 0,
        high: 0,
        low: 0,
        volume: 0,
        averagePrice: 0,
        lastQuantity: 0,
        lastTradeTime: null,
        buyQuantity: 0,
        sellQuantity: 0,
      });
      this.turnover.set(instrument.instrumentToken, 0);
      for (const t of o.ticks.ticks(instrument, o.date)) {
        if (t.time < this.sessionStartMs || t.time >= this.sessionEndMs) continue;
        this.ticks.push({
          seq: 0,
          time: t.time,
          token: instrument.instrumentToken,
          price: t.price,
          quantity: t.quantity,
        });
      }
    }
    // Stable order: time, then the instruments' order (index first).
    this.ticks.sort((a, b) => a.time - b.time);
    this.ticks.forEach((t, i) => {
      t.seq = i;
    });
  }

  /** Market time, epoch ms. */
  now(): number {
    if (!this.running) return this.anchorMarket;
    const elapsed = Math.max(0, this.o.clock.now() - this.anchorClock);
    return Math.min(this.dayEndMs(), this.anchorMarket + elapsed * this.o.speed);
  }

  /** True while the replay moves by itself. */
  isRunning(): boolean {
    return this.running;
  }

  /** True between 09:15 and 15:30 market time. */
  isSessionOpen(at = this.now()): boolean {
    return at >= this.sessionStartMs && at < this.sessionEndMs;
  }

  /** Ticks played so far and in all. */
  progress(): { played: number; total: number } {
    return { played: this.next, total: this.ticks.length };
  }

  /** Starts or resumes the replay. */
  start(): void {
    if (this.running) return;
    this.anchorClock = this.o.clock.now();
    this.running = true;
    this.timer = setInterval(() => this.playUntil(this.now()), PUMP_INTERVAL_MS);
    this.timer.unref();
  }

  /** Stops the replay where it is. */
  pause(): void {
    if (!this.running) return;
    this.anchorMarket = this.now();
    this.running = false;
    clearInterval(this.timer);
    this.playUntil(this.anchorMarket);
  }

  /** Jumps market time forward to `epochMs`, playing every tick on the way, at once. */
  advanceTo(epochMs: number): void {
    const target = Math.min(epochMs, this.dayEndMs());
    if (target < this.now()) return;
    this.anchorMarket = target;
    this.anchorClock = this.o.clock.now();
    this.playUntil(target);
  }

  /** The instrument's current state. */
  quote(token: number): LiveQuote | undefined {
    return this.quotes.get(token);
  }

  /** Called for every tick in order, before the batch goes out (order matching). */
  onTick(listener: (tick: ReplayTick, quote: LiveQuote) => void): void {
    this.tickListeners.push(listener);
  }

  /** Called with each batch of ticks played together (the ticker). */
  onBatch(listener: (events: TickEvent[]) => void): void {
    this.batchListeners.push(listener);
  }

  /** Called once when market time reaches the session end. */
  onSessionEnd(listener: () => void): void {
    this.endListeners.push(listener);
  }

  /** Stops the timer for good. */
  close(): void {
    this.running = false;
    clearInterval(this.timer);
  }

  private dayEndMs(): number {
    return istEpochMs(this.date, 0) + DAY_MS - 1;
  }

  private playUntil(target: number): void {
    const events: TickEvent[] = [];
    while (this.next < this.ticks.length && (this.ticks[this.next] as ReplayTick).time <= target) {
      const tick = this.ticks[this.next++] as ReplayTick;
      const quote = this.apply(tick);
      for (const l of this.tickListeners) l(tick, quote);
      events.push({ tick, quote: { ...quote } });
    }
    if (events.length > 0) for (const l of this.batchListeners) l(events);
    if (!this.ended && target >= this.sessionEndMs) {
      this.ended = true;
      for (const l of this.endListeners) l();
    }
  }

  private apply(tick: ReplayTick): LiveQuote {
    const q = this.quotes.get(tick.token) as LiveQuote;
    if (q.lastTradeTime === null) {
      q.open = tick.price;
      q.high = tick.price;
      q.low = tick.price;
    }
    q.high = Math.max(q.high, tick.price);
    q.low = Math.min(q.low, tick.price);
    q.lastPrice = tick.price;
    q.lastTradeTime = tick.time;
    if (!q.instrument.isIndex) {
      const turnover = (this.turnover.get(tick.token) ?? 0) + tick.price * tick.quantity;
      this.turnover.set(tick.token, turnover);
      q.volume += tick.quantity;
      q.lastQuantity = tick.quantity;
      q.averagePrice = q.volume > 0 ? Math.round((turnover / q.volume) * 100) / 100 : tick.price;
      const lot = q.instrument.lotSize || 1;
      q.buyQuantity = lot * this.rng.int(20, 400);
      q.sellQuantity = lot * this.rng.int(20, 400);
    }
    return q;
  }
}
