/*
 * One live trading day: ticks → candles (CandleBuilder) → the strategy (StrategyDay), each
 * closed candle recorded, each decision recorded and re-emitted for the order manager and
 * notifications.
 *
 * Close protocol. A candle is emitted by the builder either when a later tick of its
 * instrument arrives or by closeDue; either way it waits here until `poll(now)` finds its
 * close time at least `graceMs` in the past (exchange times are whole seconds, so a tick
 * stamped just before a close may arrive just after it). poll then feeds every candle of
 * that close time to the strategy (by symbol, for determinism), then `onClose(closeMinute)`,
 * close times in ascending order: the StrategyDay protocol, the same as the backtest's.
 *
 * Gap rule (STRATEGY.md section 1). StrategyDay takes its contracts at construction, so it is
 * constructed at the first close that is processed, once the gap decision is made: the first
 * index tick of the session gives the open spot; when it is too far from the pre-market ATM,
 * the missing contracts are subscribed at once and prepared (pivots, window) through
 * `prepareAdditions`; closes wait in the queue until that is done. If no index tick has come
 * by the first close, the day goes on with the pre-market universe (with a warning).
 *
 * A day started after the open waits for `resume(history)`, which replays the day so far
 * (day-replay.ts). Its options and events: live-day-types.ts.
 */

import { EventEmitter } from "node:events";
import type { Candle } from "../domain/candle.js";
import type { OptionContract } from "../domain/instruments.js";
import { type IsoDate, istEpochMs, istPartsOf } from "../domain/ist.js";
import { roundForDisplay } from "../domain/pivots.js";
import { type SummaryFigures, summarize } from "../domain/summary.js";
import type { MarketTick, TickFeed } from "../ports/market-data.js";
import { StrategyDay } from "../strategy/strategy-day.js";
import type { ContractSetup, OutsideExitReason, Trade } from "../strategy/types.js";
import { CandleBuilder, tickTimeMs } from "./candle-builder.js";
import { crashPoint } from "./crash-points.js";
import type { DayHistory } from "./day-history.js";
import { DayReplay, type PendingCloses } from "./day-replay.js";
import { DEFAULT_CLOSE_GRACE_MS, type LiveDayEvents, type LiveDayOptions } from "./live-day-types.js";
import { gapAdditions } from "./universe-plan.js";

type GapState = "WAITING_FOR_OPEN" | "PREPARING" | "DONE";

/** One trading day of the live pipeline. See the file comment for the protocol. */
export class LiveDay extends EventEmitter<LiveDayEvents> {
  readonly date: IsoDate;
  private readonly o: LiveDayOptions;
  private readonly grace: number;
  private readonly exchangeLag: number;
  private readonly builder: CandleBuilder;
  private readonly contracts: OptionContract[];
  private readonly setups: ContractSetup[];
  private readonly symbolOf = new Map<number, string>();
  /** Closed candles waiting for their close to be processed, by close minute. */
  private readonly pending: PendingCloses = new Map();
  private strategy: StrategyDay | null = null;
  /** Why new entries are refused (null: allowed); applied to the strategy when it is built. */
  private entriesBlock: string | null = null;
  private gap: GapState;
  private feed: TickFeed | null = null;
  private readonly tickListener = (ticks: MarketTick[]) => this.onTicks(ticks, this.o.clock.now());
  private readonly dayTrades: Trade[] = [];
  private lastClosedMinute = -1;
  /** The replay of a day resumed after the open (day-replay.ts). */
  private readonly replay: DayReplay;
  /** Each contract's last processed close price. */
  private readonly lastClose = new Map<string, number>();
  /** Option ticks that were not trades (no trade time): not put in candles. */
  ignoredTicks = 0;
  private finished = false;

  constructor(options: LiveDayOptions) {
    super();
    this.o = options;
    this.date = options.date;
    this.grace = options.graceMs ?? DEFAULT_CLOSE_GRACE_MS;
    this.exchangeLag = options.exchangeLagMs ?? 1_000;
    this.contracts = [...options.plan.contracts];
    this.setups = [...options.setups];
    if (this.contracts.length !== this.setups.length)
      throw new Error("plan.contracts and setups differ in length");
    for (const c of this.contracts) this.symbolOf.set(c.instrumentToken, c.tradingsymbol);
    this.gap =
      options.master && options.universeConfig && options.prepareAdditions ? "WAITING_FOR_OPEN" : "DONE";
    this.builder = new CandleBuilder({
      intervalMinutes: options.params.intervalMinutes,
      session: {
        start: options.params.sessionStart,
        end: options.sessionEnd,
        eodExit: options.params.eodExit,
      },
      onCandle: (token, date, candle) => this.candleClosed(token, date, candle),
    });
    this.replay = new DayReplay(
      {
        date: this.date,
        intervalMinutes: options.params.intervalMinutes,
        store: options.store,
        missedEntryMaxAgeMs: options.missedEntryMaxAgeMs ?? 60_000,
        pending: this.pending,
        setups: this.setups,
        now: () => options.clock.now(),
        processCloses: (untilMs) => this.processCloses(untilMs),
        gapSettled: () => this.gapDecided(null),
        strategy: () => this.ensureStrategy(),
        cancelEntry: (tradeId) => this.cancelEntry(tradeId),
        queueCandle: (symbol, candle) => this.queueCandle(symbol, candle),
        lastClosedMinute: () => this.lastClosedMinute,
        lastClose: (symbol) => this.lastClose.get(symbol),
        lotSizeOf: (symbol) => this.lotSizeOf(symbol),
        dayTrade: (t) => this.dayTrades.push(t),
        write: (what, fn) => this.write(what, fn),
        warn: (message) => this.emit("warning", message),
        exit: (t) => this.emit("exit", t),
        entry: (p) => this.emit("entry", p),
      },
      options.resuming === true,
    );
  }

  /** Subscribes the universe and the index (full mode) and listens to the feed's ticks. */
  start(feed: TickFeed): void {
    this.feed = feed;
    feed.on("ticks", this.tickListener);
    feed.subscribe([this.o.indexToken, ...this.contracts.map((c) => c.instrumentToken)], "full");
  }

  /** Instrument tokens the day follows (universe, gap additions included). */
  tokens(): number[] {
    return this.contracts.map((c) => c.instrumentToken);
  }

  /** Ticks of one frame, received at `receivedAtMs`: universe ticks into the candle builder. */
  onTicks(ticks: readonly MarketTick[], receivedAtMs: number): void {
    if (this.finished) return;
    let newestExchangeMs = 0;
    for (const t of ticks) {
      if (t.instrument_token === this.o.indexToken) {
        if (this.gap === "WAITING_FOR_OPEN") this.indexTick(t, receivedAtMs);
        const stamped = (t.timestamp ?? 0) * 1000;
        if (stamped > newestExchangeMs) newestExchangeMs = stamped;
        continue;
      }
      if (!this.symbolOf.has(t.instrument_token)) continue;
      // Only trades make candles: the snapshot Kite sends on subscribe (or a quote/LTP packet)
      // carries no trade time, and before the day's first trade its price is yesterday's close.
      if (!(t.last_trade_time !== undefined && t.last_trade_time > 0) || t.volume === 0) {
        this.ignoredTicks++;
        continue;
      }
      this.builder.onMarketTick(t, receivedAtMs);
      const stamped = (t.timestamp ?? (t.last_trade_time as number)) * 1000;
      if (stamped > newestExchangeMs) newestExchangeMs = stamped;
    }
    this.closeByExchangeTime(newestExchangeMs, receivedAtMs);
  }

  /**
   * Processes the closes that the feed has moved past: once a tick stamped `exchangeLagMs`
   * after a close time has arrived, every trade before that close has too (the exchange stamps
   * and sends in time order), so the close need not wait for the wall-clock grace. This is what
   * makes the entry order leave within milliseconds of the tick that closes the candle. A
   * timestamp ahead of the local clock counts as the local clock (a corrupt packet or a skewed
   * clock must not close candles early); poll() stays the fallback when ticks stop.
   */
  private closeByExchangeTime(newestExchangeMs: number, receivedAtMs: number): void {
    if (newestExchangeMs <= 0) return;
    const until = Math.min(newestExchangeMs, receivedAtMs) - this.exchangeLag;
    if (until < this.nextCloseMs()) return;
    this.builder.closeDue(until);
    this.processCloses(until);
  }

  /** Epoch ms of the next close time to process (a candle boundary after the last processed close). */
  private nextCloseMs(): number {
    const { intervalMinutes, sessionStart } = this.o.params;
    const next = (this.lastClosedMinute < 0 ? sessionStart : this.lastClosedMinute) + intervalMinutes;
    return istEpochMs(this.date, Math.min(next, this.o.sessionEnd));
  }

  /**
   * Call on a timer (every second or so): closes candles due `graceMs` ago and processes every
   * close time at least `graceMs` old, in order. Returns the close minutes processed.
   */
  poll(nowMs: number): number[] {
    if (this.finished) return [];
    this.builder.closeDue(nowMs - this.grace);
    return this.processCloses(nowMs - this.grace);
  }

  /** Ends the day: closes every open candle, processes every close, closes any position (EOD). */
  finish(): void {
    if (this.finished) return;
    this.builder.closeDue(Number.POSITIVE_INFINITY);
    if (this.gap !== "DONE") this.gapDecided("the day ended before the gap rule was applied");
    this.processCloses(Number.POSITIVE_INFINITY);
    this.ensureStrategy().finish();
    this.finished = true;
    if (this.feed) {
      this.feed.off("ticks", this.tickListener);
      this.feed.unsubscribe([this.o.indexToken, ...this.tokens()]);
    }
  }

  /** The day's figures from its closed trades, stored as the daily summary. */
  summary(): SummaryFigures {
    const figures = summarize(this.dayTrades);
    this.write("daily summary", () => this.o.store.dailySummary.upsert(this.date, figures));
    return figures;
  }

  /**
   * Resumes a day started after the open (a restart, or a first start mid-session): replays the
   * day so far through a fresh strategy, checked against the store, then lets the waiting live
   * closes through. See day-replay.ts.
   */
  resume(history: DayHistory): void {
    this.replay.resume(history);
  }

  /**
   * Enables or disables new entries. Kept here and applied when the strategy is built, so the
   * gate holds from the first close even though the strategy does not exist before it.
   */
  setEntriesEnabled(enabled: boolean, reason = "entries are disabled"): void {
    this.entriesBlock = enabled ? null : reason;
    this.strategy?.setEntriesEnabled(enabled, reason);
  }

  /** An entry that never filled at the broker: the strategy forgets the position, the store its row. */
  cancelEntry(tradeId: string): boolean {
    const cancelled = this.strategy?.cancelEntry(tradeId) ?? false;
    if (cancelled) this.write("discarded trade", () => this.o.store.trades.discardOpen(tradeId));
    return cancelled;
  }

  /**
   * The position of `tradeId` was closed at the broker by hand (reconciliation found it flat):
   * the strategy closes it too, reason MANUAL, at the last close, and the trade is recorded.
   */
  closedAtBroker(tradeId: string): boolean {
    return this.closeFromOutside(tradeId, "MANUAL", null);
  }

  /**
   * The position of `tradeId` ended at the broker outside the strategy's own exit (its stop
   * filled, panic, a close by hand): the strategy closes it at once with `reason`, at `price`
   * (the fill's; null: not known, the last close), timed now; the trade is recorded and emitted
   * as any exit. False when the strategy does not hold that position.
   */
  closeFromOutside(tradeId: string, reason: OutsideExitReason, price: number | null): boolean {
    const strategy = this.strategy;
    const open = strategy?.openPosition;
    if (!strategy || open?.trade_id !== tradeId) return false;
    const minute = Math.max(this.lastClosedMinute, istPartsOf(this.o.clock.now()).minute);
    strategy.forceExit(reason, price ?? this.lastClose.get(open.symbol) ?? open.entry_price, minute);
    return true;
  }

  /** The broker's gross P&L of a trade closed today replaces the model's in the day's loss limit. */
  setRealisedPnl(tradeId: string, grossRupees: number): boolean {
    return this.strategy?.setRealisedPnl(tradeId, grossRupees) ?? false;
  }

  /** The entry of `tradeId` filled `quantity` at the broker: the strategy and the open trade row follow. */
  setFilledQuantity(tradeId: string, quantity: number, averagePrice?: number): boolean {
    const strategy = this.strategy;
    if (!strategy?.setFilledQuantity(tradeId, quantity, averagePrice)) return false;
    const open = strategy.openPosition;
    if (open) {
      this.write("open trade", () =>
        this.o.store.trades.upsertOpen(
          this.date,
          { ...open, target: roundForDisplay(open.target) },
          this.lotSizeOf(open.symbol),
        ),
      );
    }
    return true;
  }

  /** The strategy (null until the first close is processed). */
  get strategyDay(): StrategyDay | null {
    return this.strategy;
  }

  /** Trades closed today, in order. */
  get trades(): readonly Trade[] {
    return this.dayTrades;
  }

  /** The universe's setups (gap additions included once prepared). */
  get contractSetups(): readonly ContractSetup[] {
    return this.setups;
  }

  private candleClosed(token: number, date: IsoDate, live: Candle): void {
    const symbol = this.symbolOf.get(token);
    if (!symbol || date !== this.date) return;
    this.queueCandle(symbol, this.replay.withEarlierPart(symbol, live));
  }

  private queueCandle(symbol: string, candle: Candle): void {
    const closeMinute = candle.start + this.o.params.intervalMinutes;
    if (closeMinute <= this.lastClosedMinute) {
      this.emit("warning", `${symbol} ${candle.start}: candle closed after its close was processed; dropped`);
      return;
    }
    let list = this.pending.get(closeMinute);
    if (!list) {
      list = [];
      this.pending.set(closeMinute, list);
    }
    list.push({ symbol, candle });
  }

  private processCloses(untilMs: number): number[] {
    const done: number[] = [];
    this.replay.flushEarlierParts(untilMs);
    if (this.gap === "WAITING_FOR_OPEN" && this.pending.size > 0) {
      const first = Math.min(...this.pending.keys());
      if (istEpochMs(this.date, first) <= untilMs) this.gapDecided("no index tick before the first close");
    }
    if (this.gap !== "DONE" || this.replay.waiting) return done; // closes wait
    const due = [...this.pending.keys()]
      .filter((m) => istEpochMs(this.date, m) <= untilMs)
      .sort((a, b) => a - b);
    const strategy = due.length > 0 ? this.ensureStrategy() : null;
    for (const minute of due) {
      const list = (this.pending.get(minute) ?? []).sort((a, b) =>
        a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0,
      );
      this.pending.delete(minute);
      this.lastClosedMinute = minute;
      for (const { symbol, candle } of list) {
        this.write(`candle ${symbol}`, () => this.o.store.candles.append(this.date, symbol, candle));
        this.lastClose.set(symbol, candle.close);
        if (!this.replay.replaying) this.emit("candle", symbol, candle);
        const i = (strategy as StrategyDay).indexOf(symbol);
        if (i >= 0) (strategy as StrategyDay).onCandle(i, candle);
      }
      (strategy as StrategyDay).onClose(minute);
      done.push(minute);
    }
    return done;
  }

  private ensureStrategy(): StrategyDay {
    if (this.strategy) return this.strategy;
    this.strategy = new StrategyDay(this.o.params, this.date, this.setups, {
      signal: (s) => {
        this.write("signal", () => this.o.store.signals.insert(s)); // a replayed one is not written twice
        if (!this.replay.replaying) this.emit("signal", s);
      },
      entry: (p) => {
        if (this.replay.replaying) return this.replay.replayedEntry(p);
        this.write("open trade", () =>
          this.o.store.trades.upsertOpen(this.date, p, this.lotSizeOf(p.symbol)),
        );
        crashPoint("entry-decided");
        this.emit("entry", p);
      },
      exit: (t) => {
        if (this.replay.replaying) return this.replay.replayedExit(t);
        this.dayTrades.push(t);
        this.write("closed trade", () => this.o.store.trades.recordClosed(t, this.lotSizeOf(t.symbol)));
        this.emit("exit", t);
      },
    });
    if (this.entriesBlock !== null) this.strategy.setEntriesEnabled(false, this.entriesBlock);
    return this.strategy;
  }

  private indexTick(t: MarketTick, receivedAtMs: number): void {
    if (tickTimeMs(t, receivedAtMs) < istEpochMs(this.date, this.o.params.sessionStart)) return; // pre-open
    // The day's open: the tick's OHLC open once the index has traded today, else its price.
    const open = t.ohlc && t.ohlc.open > 0 ? t.ohlc.open : t.last_price;
    if (!(open > 0)) return;
    const { master, universeConfig, prepareAdditions } = this.o;
    if (!master || !universeConfig || !prepareAdditions) {
      this.gapDecided(null);
      return;
    }
    const g = gapAdditions(master, { ...this.o.plan, contracts: this.contracts }, open, universeConfig);
    if (!g.gapped || g.added.length === 0) {
      this.gapDecided(null);
      return;
    }
    this.gap = "PREPARING";
    for (const c of g.added) this.symbolOf.set(c.instrumentToken, c.tradingsymbol);
    this.feed?.subscribe(
      g.added.map((c) => c.instrumentToken),
      "full",
    );
    this.emit("gap", {
      openSpot: open,
      openAtm: g.openAtm,
      added: g.added.map((c) => c.tradingsymbol),
      missing: g.missing,
    });
    prepareAdditions(g.added).then(
      (setups) => {
        if (setups && setups.length === g.added.length) {
          this.contracts.push(...g.added);
          this.setups.push(...setups);
        } else this.emit("warning", "the gap additions could not be prepared: not traded today");
        this.gapDecided(null);
      },
      (e: unknown) => {
        this.emit("warning", `the gap additions failed: ${(e as Error).message}`);
        this.gapDecided(null);
      },
    );
  }

  private gapDecided(warning: string | null): void {
    if (this.gap === "DONE") return;
    if (warning) this.emit("warning", `gap rule: ${warning}; the pre-market universe is kept`);
    this.gap = "DONE";
  }

  private lotSizeOf(symbol: string): number | null {
    return this.contracts.find((c) => c.tradingsymbol === symbol)?.lotSize ?? null;
  }

  /** Store writes never stop the day: a failure is reported and the strategy goes on. */
  private write(what: string, fn: () => unknown): void {
    try {
      fn();
    } catch (e) {
      this.emit("warning", `recording the ${what} failed: ${(e as Error).message}`);
    }
  }
}
