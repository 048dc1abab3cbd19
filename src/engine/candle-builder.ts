/*
 * Live candles from ticks (STRATEGY.md section 2): per instrument, candles of
 * `intervalMinutes` aligned to the session start, named by their start; open = the first LTP
 * in the interval, high, low, close = the last LTP before the close time. An interval without
 * a tick has no candle.
 *
 * A candle is emitted exactly once, by whichever comes first: a tick of a later interval of
 * the same instrument, or closeDue(now) at or after its close time (the engine calls it on a
 * timer so that a candle closes on time when the next tick is late or never comes). After
 * that its interval is history: a late tick for it is counted and dropped.
 *
 * Hot path: onTick does one Map lookup (token → dense index) and arithmetic on typed arrays;
 * it allocates nothing. Allocation happens once per emitted candle (the Candle handed out).
 */

import { candleStartOf, type SessionTimes } from "../domain/calendar.js";
import type { Candle } from "../domain/candle.js";
import { dateOfDayNumber, IST_OFFSET_MINUTES, type IsoDate } from "../domain/ist.js";
import type { MarketTick } from "../ports/market-data.js";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const MINUTES_A_DAY = 1_440;
const IST_OFFSET_MS = IST_OFFSET_MINUTES * MINUTE_MS;
const NONE = -1;

export interface CandleBuilderOptions {
  intervalMinutes: number;
  session: SessionTimes;
  /** Called once per closed candle. `candle.volume` is 0: LTP updates carry no per-interval volume. */
  onCandle: (instrumentToken: number, date: IsoDate, candle: Candle) => void;
}

export interface CandleBuilderStats {
  /** Every onTick call. */
  ticks: number;
  /** Ticks for an interval already closed (or older than the open one): dropped. */
  late: number;
  /** Ticks before the session start or at/after the session end. */
  ignoredOutsideSession: number;
  /** Ticks with a price that is not a positive finite number (Kite sends 0 before a first trade), or no valid time. */
  invalid: number;
  /** Candles emitted. */
  candles: number;
}

/**
 * The instant a market tick is put in a candle. A candle is made of trades (STRATEGY.md section
 * 2: an interval with no trade has no candle), so a full-mode option tick counts at its last
 * trade time: a tick that only updates the order book repeats an old trade's time and is
 * dropped as late rather than building a candle from a stale price. Ticks without a trade
 * time (the index) count at the exchange timestamp; quote and LTP packets, which carry
 * neither, at the time they were received. Exchange times are whole seconds and the same for
 * every client, so a tick delayed across a boundary stays in the interval it happened in.
 */
export function tickTimeMs(tick: MarketTick, receivedAtMs: number): number {
  const traded = tick.last_trade_time;
  if (traded !== undefined && traded > 0) return traded * 1000;
  const ts = tick.timestamp;
  return ts !== undefined && ts > 0 ? ts * 1000 : receivedAtMs;
}

/** Builds candles of every instrument from ticks and emits each one when it closes. */
export class CandleBuilder {
  readonly stats: CandleBuilderStats = {
    ticks: 0,
    late: 0,
    ignoredOutsideSession: 0,
    invalid: 0,
    candles: 0,
  };

  private readonly interval: number;
  private readonly sessionStart: number;
  private readonly sessionEnd: number;
  private readonly onCandle: CandleBuilderOptions["onCandle"];

  /** Instrument token → dense index into the arrays below. */
  private readonly index = new Map<number, number>();
  private tokens: number[] = [];
  private size = 0;
  /** Key (day number * 1440 + start minute) of the open candle, NONE when there is none. */
  private openKey = new Float64Array(0);
  /** Key of the last candle emitted, NONE before the first: ticks at or before it are late. */
  private closedKey = new Float64Array(0);
  /** Epoch ms at which the open candle closes; +Infinity when none is open. */
  private closeAtMs = new Float64Array(0);
  private open = new Float64Array(0);
  private high = new Float64Array(0);
  private low = new Float64Array(0);
  private close = new Float64Array(0);
  /** How many instruments have an open candle (closeDue skips its scan when none). */
  private openCount = 0;
  private cachedDay = Number.NaN;
  private cachedDate: IsoDate = "";

  constructor(opts: CandleBuilderOptions) {
    if (!Number.isInteger(opts.intervalMinutes) || opts.intervalMinutes < 1) {
      throw new Error(`intervalMinutes must be a positive integer, got ${opts.intervalMinutes}`);
    }
    if (!(opts.session.start < opts.session.end)) throw new Error("the session must end after it starts");
    this.interval = opts.intervalMinutes;
    this.sessionStart = opts.session.start;
    this.sessionEnd = opts.session.end;
    this.onCandle = opts.onCandle;
    this.grow(32);
  }

  /** Adds one trade price of an instrument at an instant (see {@link tickTimeMs} for which instant). */
  onTick(instrumentToken: number, lastPrice: number, epochMs: number): void {
    this.stats.ticks++;
    if (!(lastPrice > 0 && lastPrice < Number.POSITIVE_INFINITY && Number.isFinite(epochMs))) {
      this.stats.invalid++;
      return;
    }
    const shifted = epochMs + IST_OFFSET_MS;
    const day = Math.floor(shifted / DAY_MS);
    const minute = Math.floor((shifted - day * DAY_MS) / MINUTE_MS);
    if (minute < this.sessionStart || minute >= this.sessionEnd) {
      this.stats.ignoredOutsideSession++;
      return;
    }
    const start = candleStartOf(minute, this.interval, this.sessionStart);
    const key = day * MINUTES_A_DAY + start;
    let i = this.index.get(instrumentToken);
    if (i === undefined) i = this.register(instrumentToken);

    const current = this.openKey[i] as number;
    if (key === current) {
      if (lastPrice > (this.high[i] as number)) this.high[i] = lastPrice;
      if (lastPrice < (this.low[i] as number)) this.low[i] = lastPrice;
      this.close[i] = lastPrice;
      return;
    }
    if (key < current || key <= (this.closedKey[i] as number)) {
      this.stats.late++;
      return;
    }
    // A later interval: the open candle (if any) is complete. State first, then the callback,
    // so that a callback that feeds ticks back in sees a consistent builder.
    this.openKey[i] = key;
    this.closeAtMs[i] = closeTimeMs(day, Math.min(start + this.interval, this.sessionEnd));
    const o = this.open[i] as number;
    const h = this.high[i] as number;
    const l = this.low[i] as number;
    const c = this.close[i] as number;
    this.open[i] = lastPrice;
    this.high[i] = lastPrice;
    this.low[i] = lastPrice;
    this.close[i] = lastPrice;
    if (current === NONE) {
      this.openCount++;
      return;
    }
    this.closedKey[i] = current;
    this.emit(instrumentToken, current, o, h, l, c);
  }

  /** onTick for a market tick (ports/market-data.ts): its LTP at {@link tickTimeMs}. */
  onMarketTick(tick: MarketTick, receivedAtMs: number): void {
    this.onTick(tick.instrument_token, tick.last_price, tickTimeMs(tick, receivedAtMs));
  }

  /**
   * Emits every open candle whose close time is at or before `nowEpochMs`; returns how many.
   * The last candle of a session whose length is not a multiple of the interval closes at the
   * session end. With exchange timestamps, a tick stamped just before a close can arrive just
   * after it: call this a little after the close time (a grace of a second or two) so that it
   * still counts, as anything arriving later is dropped as late.
   */
  closeDue(nowEpochMs: number): number {
    if (this.openCount === 0) return 0;
    let emitted = 0;
    for (let i = 0; i < this.size; i++) {
      if ((this.closeAtMs[i] as number) > nowEpochMs) continue;
      const key = this.openKey[i] as number;
      this.openKey[i] = NONE;
      this.closedKey[i] = key;
      this.closeAtMs[i] = Number.POSITIVE_INFINITY;
      this.openCount--;
      emitted++;
      this.emit(
        this.tokens[i] as number,
        key,
        this.open[i] as number,
        this.high[i] as number,
        this.low[i] as number,
        this.close[i] as number,
      );
    }
    return emitted;
  }

  /** The candle being formed for an instrument (a copy), or null. */
  forming(instrumentToken: number): { date: IsoDate; candle: Candle } | null {
    const i = this.index.get(instrumentToken);
    if (i === undefined || this.openKey[i] === NONE) return null;
    const key = this.openKey[i] as number;
    const day = Math.floor(key / MINUTES_A_DAY);
    return {
      date: this.dateOf(day),
      candle: {
        start: key - day * MINUTES_A_DAY,
        open: this.open[i] as number,
        high: this.high[i] as number,
        low: this.low[i] as number,
        close: this.close[i] as number,
        volume: 0,
      },
    };
  }

  /** Clock time at which the next open candle closes (+Infinity when none is open): when to call closeDue. */
  nextCloseAtMs(): number {
    let next = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.size; i++)
      if ((this.closeAtMs[i] as number) < next) next = this.closeAtMs[i] as number;
    return next;
  }

  private emit(token: number, key: number, open: number, high: number, low: number, close: number): void {
    const day = Math.floor(key / MINUTES_A_DAY);
    this.stats.candles++;
    this.onCandle(token, this.dateOf(day), {
      start: key - day * MINUTES_A_DAY,
      open,
      high,
      low,
      close,
      volume: 0,
    });
  }

  private dateOf(day: number): IsoDate {
    if (day !== this.cachedDay) {
      this.cachedDay = day;
      this.cachedDate = dateOfDayNumber(day);
    }
    return this.cachedDate;
  }

  private register(token: number): number {
    const i = this.size;
    if (i === this.openKey.length) this.grow(i * 2);
    this.index.set(token, i);
    this.tokens.push(token);
    this.size++;
    return i;
  }

  private grow(capacity: number): void {
    const keep = this.size;
    const resize = (a: Float64Array, fill: number) => {
      const b = new Float64Array(capacity).fill(fill);
      b.set(a.subarray(0, keep));
      return b;
    };
    this.openKey = resize(this.openKey, NONE);
    this.closedKey = resize(this.closedKey, NONE);
    this.closeAtMs = resize(this.closeAtMs, Number.POSITIVE_INFINITY);
    this.open = resize(this.open, 0);
    this.high = resize(this.high, 0);
    this.low = resize(this.low, 0);
    this.close = resize(this.close, 0);
  }
}

/** Epoch ms of a minute of the IST day `day` (days since 1970-01-01). */
function closeTimeMs(day: number, minute: number): number {
  return day * DAY_MS + minute * MINUTE_MS - IST_OFFSET_MS;
}
