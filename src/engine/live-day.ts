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
 */

import { EventEmitter } from "node:events";
import type { Tick, TickMode } from "../adapters/kite/ticker-protocol.js";
import type { Store } from "../adapters/sqlite/store.js";
import { summarize } from "../backtest/summary.js";
import type { SummaryFigures } from "../backtest/types.js";
import type { Candle } from "../domain/candle.js";
import type { InstrumentMaster, OptionContract } from "../domain/instruments.js";
import { type IsoDate, istEpochMs, istPartsOf } from "../domain/ist.js";
import { roundForDisplay } from "../domain/pivots.js";
import type { Clock } from "../ports/clock.js";
import { StrategyDay } from "../strategy/strategy-day.js";
import type {
  ContractSetup,
  OpenPosition,
  OutsideExitReason,
  SignalRecord,
  StrategyParams,
  Trade,
} from "../strategy/types.js";
import { CandleBuilder, tickTimeMs } from "./candle-builder.js";
import { crashPoint } from "./crash-points.js";
import type { DayHistory } from "./day-history.js";
import { otherContractUnder, otherContractWarning } from "./replay-match.js";
import { gapAdditions, type UniverseConfig, type UniversePlan } from "./universe-plan.js";

/** Default wait after a close time before the close is processed. */
export const DEFAULT_CLOSE_GRACE_MS = 2_000;

/** What LiveDay emits. */
export interface LiveDayEvents {
  /** The strategy entered (a BUY is due). */
  entry: [position: OpenPosition];
  /** The strategy exited (a SELL is due). */
  exit: [trade: Trade];
  /** A signal, taken or skipped. */
  signal: [signal: SignalRecord];
  /** A candle closed and was recorded. */
  candle: [symbol: string, candle: Candle];
  /** The gap rule added contracts at the open. */
  gap: [info: { openSpot: number; openAtm: number; added: string[]; missing: string[] }];
  /** Something worth telling the operator (a store write failed, no index open seen, ...). */
  warning: [message: string];
}

/** The part of TickerClient a day uses. */
export interface TickFeed {
  subscribe(tokens: readonly number[], mode?: TickMode): void;
  unsubscribe(tokens: readonly number[]): void;
  on(event: "ticks", listener: (ticks: Tick[]) => void): unknown;
  off(event: "ticks", listener: (ticks: Tick[]) => void): unknown;
}

/** Prepares setups for contracts the gap rule adds (pre-market.ts `prepareContracts`). */
export type PrepareAdditions = (contracts: readonly OptionContract[]) => Promise<ContractSetup[] | null>;

export interface LiveDayOptions {
  date: IsoDate;
  params: StrategyParams;
  /** Session end, minutes since midnight IST (15:30). */
  sessionEnd: number;
  clock: Clock;
  /** The pre-market universe and setups (same order). */
  plan: Pick<UniversePlan, "expiry" | "atm" | "contracts">;
  setups: readonly ContractSetup[];
  /** The index's instrument token (265): its first tick gives the open spot. */
  indexToken: number;
  store: Pick<Store, "candles" | "signals" | "trades" | "dailySummary" | "positions">;
  /** For the gap rule; without them it is not applied. */
  master?: InstrumentMaster;
  universeConfig?: UniverseConfig;
  prepareAdditions?: PrepareAdditions;
  graceMs?: number;
  /**
   * How long after a close time a tick must be stamped to close it without waiting for the
   * grace (default 1 s: exchange times are whole seconds).
   */
  exchangeLagMs?: number;
  /**
   * The day is resumed (a start after the open): closes wait until `resume(history)` has
   * replayed the day so far. See {@link LiveDay.resume}.
   */
  resuming?: boolean;
  /** A replayed entry no older than this at the resume is still placed (default 60 s). */
  missedEntryMaxAgeMs?: number;
}

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
  private readonly pending = new Map<number, Array<{ symbol: string; candle: Candle }>>();
  private strategy: StrategyDay | null = null;
  /** Why new entries are refused (null: allowed); applied to the strategy when it is built. */
  private entriesBlock: string | null = null;
  private gap: GapState;
  private feed: TickFeed | null = null;
  private readonly tickListener = (ticks: Tick[]) => this.onTicks(ticks, this.o.clock.now());
  private readonly dayTrades: Trade[] = [];
  private lastClosedMinute = -1;
  /** Closes wait for resume(); during resume the strategy's decisions are replayed, not acted on. */
  private resumeState: "NONE" | "WAITING" | "REPLAYING" = "NONE";
  /** What the replay found to act on once it is over. */
  private replayOutcome: { entry: { position: OpenPosition; closeMinute: number } | null; exits: Trade[] } = {
    entry: null,
    exits: [],
  };
  /** The interval in progress at the resume, so far, by symbol: merged into its live candle. */
  private readonly inProgress = new Map<string, Candle>();
  /** Replayed trade ids the store holds for another contract: never acted on (replay-match.ts). */
  private readonly refusedIds = new Set<string>();
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
    if (options.resuming) this.resumeState = "WAITING";
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
  onTicks(ticks: readonly Tick[], receivedAtMs: number): void {
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
      this.builder.onKiteTick(t, receivedAtMs);
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
   * day so far through a fresh strategy, so that its state (the first candle, trades and stop
   * losses so far, re-entry, the open position and how long it has been held) is the one it
   * would have had, then lets the waiting live closes through.
   *
   * A replay re-decides what was already decided: those decisions are checked against the
   * store, never acted on twice. An entry the store has was acted on (its orders are the order
   * manager's). An entry it lacks was decided while the service was down: placed now only when
   * its candle closed at most `missedEntryMaxAgeMs` ago, otherwise forgotten with a warning. An
   * exit of a trade still open in the store happened while the service was down: recorded and
   * emitted now, so that the position is sold. A position the strategy holds but the store says
   * is over (closed by hand, or its entry never filled) is closed or forgotten to match.
   */
  resume(history: DayHistory): void {
    if (this.resumeState !== "WAITING") throw new Error("resume() is for a day created with resuming: true");
    const byClose = new Map<number, Array<{ symbol: string; candle: Candle }>>();
    const interval = this.o.params.intervalMinutes;
    for (const [symbol, candles] of history.closed) {
      if (!this.setups.some((s) => s.symbol === symbol)) continue;
      for (const candle of candles) {
        const minute = candle.start + interval;
        const queued = this.pending.get(minute)?.find((x) => x.symbol === symbol);
        if (queued) {
          // Closed since the start: the live candle saw only the ticks after it; Kite's saw all.
          queued.candle = { ...this.mergedParts(candle, queued.candle), close: candle.close };
          continue;
        }
        const list = byClose.get(minute) ?? [];
        list.push({ symbol, candle });
        byClose.set(minute, list);
      }
    }
    for (const [symbol, candle] of history.inProgress) {
      const queued = this.pending.get(candle.start + interval)?.find((x) => x.symbol === symbol);
      if (queued) queued.candle = this.mergedParts(candle, queued.candle);
      else this.inProgress.set(symbol, candle);
    }
    const nowMs = this.o.clock.now();
    const past = [...byClose.keys(), ...this.pending.keys()].filter((m) => istEpochMs(this.date, m) <= nowMs);
    const lastReplayed = Math.max(-1, ...past);
    for (const [minute, list] of byClose) {
      const live = this.pending.get(minute);
      this.pending.set(minute, live ? [...list, ...live] : list);
    }
    // A replayed day has its universe settled already (the gap rule's additions are stored).
    if (lastReplayed >= 0) this.gapDecided(null);
    this.resumeState = "REPLAYING";
    try {
      if (lastReplayed >= 0) {
        this.processCloses(istEpochMs(this.date, lastReplayed));
        this.settleReplay(nowMs);
      }
    } finally {
      this.resumeState = "NONE";
    }
    const { entry, exits } = this.replayOutcome;
    this.replayOutcome = { entry: null, exits: [] };
    for (const t of exits) this.emit("exit", t);
    if (entry) this.emit("entry", entry.position);
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
    const candle = this.withEarlierPart(symbol, live);
    this.queueCandle(symbol, candle);
  }

  /** The live candle of the interval in progress at the resume, completed with its earlier part. */
  private withEarlierPart(symbol: string, live: Candle): Candle {
    const earlier = this.inProgress.get(symbol);
    if (!earlier || earlier.start !== live.start) return live;
    this.inProgress.delete(symbol);
    return this.mergedParts(earlier, live);
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
    this.flushEarlierParts(untilMs);
    if (this.gap === "WAITING_FOR_OPEN" && this.pending.size > 0) {
      const first = Math.min(...this.pending.keys());
      if (istEpochMs(this.date, first) <= untilMs) this.gapDecided("no index tick before the first close");
    }
    if (this.gap !== "DONE" || this.resumeState === "WAITING") return done; // closes wait
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
        if (this.resumeState !== "REPLAYING") this.emit("candle", symbol, candle);
        const i = (strategy as StrategyDay).indexOf(symbol);
        if (i >= 0) (strategy as StrategyDay).onCandle(i, candle);
      }
      (strategy as StrategyDay).onClose(minute);
      done.push(minute);
    }
    return done;
  }

  private replayedEntry(p: OpenPosition): void {
    if (this.refusedOtherContract(p.trade_id, p.symbol)) return;
    // Acted on before the restart when the order manager holds it (its position row is written
    // with the entry order, before the order is sent). A trade row alone means the process died
    // between the decision and the order: a missed entry like any other.
    if (this.o.store.positions.byTradeId(p.trade_id)) return;
    this.replayOutcome.entry = { position: p, closeMinute: this.lastClosedMinute };
  }

  private replayedExit(t: Trade): void {
    if (this.refusedOtherContract(t.trade_id, t.symbol)) return;
    const stored = this.o.store.trades.byId(t.trade_id);
    const missed = this.replayOutcome.entry;
    if (missed?.position.trade_id === t.trade_id) {
      this.replayOutcome.entry = null;
      if (stored?.status === "OPEN")
        this.write("discarded trade", () => this.o.store.trades.discardOpen(t.trade_id));
      this.emit(
        "warning",
        `${t.trade_id} ${t.symbol}: entered and exited while the service was down; not traded`,
      );
      return;
    }
    if (!stored) return;
    this.dayTrades.push(t);
    if (stored.status === "CLOSED") return;
    this.write("closed trade", () => this.o.store.trades.recordClosed(t, this.lotSizeOf(t.symbol)));
    this.replayOutcome.exits.push(t);
  }

  /** A replayed decision on an id the store holds for another contract: refused once, with a warning. */
  private refusedOtherContract(tradeId: string, symbol: string): boolean {
    const stored = otherContractUnder(this.o.store, tradeId, symbol);
    if (stored === null) return false;
    if (!this.refusedIds.has(tradeId)) this.emit("warning", otherContractWarning(tradeId, symbol, stored));
    this.refusedIds.add(tradeId);
    return true;
  }

  /** After the replay: the strategy's open position made to agree with the store (see resume()). */
  private settleReplay(nowMs: number): void {
    const strategy = this.ensureStrategy();
    const missed = this.replayOutcome.entry;
    const open = strategy.openPosition;
    if (open && this.refusedIds.has(open.trade_id)) {
      strategy.cancelEntry(open.trade_id); // the strategy forgets it; the store's trade is left alone
    } else if (missed && open?.trade_id === missed.position.trade_id) {
      const ageMs = nowMs - istEpochMs(this.date, missed.closeMinute);
      if (ageMs <= (this.o.missedEntryMaxAgeMs ?? 60_000)) {
        this.write("open trade", () =>
          this.o.store.trades.upsertOpen(this.date, missed.position, this.lotSizeOf(open.symbol)),
        );
      } else {
        this.cancelEntry(open.trade_id); // and its trade row, if the decision was written
        this.replayOutcome.entry = null;
        this.emit(
          "warning",
          `${open.trade_id} ${open.symbol}: signal of ${missed.position.entry_time} came while the service was down; not taken`,
        );
      }
    } else if (open) {
      const stored = this.o.store.trades.byId(open.trade_id);
      const position = this.o.store.positions.byTradeId(open.trade_id);
      if (stored?.status === "CLOSED") {
        const minute = Number(stored.exit_time.slice(11, 13)) * 60 + Number(stored.exit_time.slice(14, 16));
        strategy.forceExit("MANUAL", stored.exit_price, minute);
      } else if (position?.state === "CLOSED" && position.quantity === 0) {
        this.cancelEntry(open.trade_id); // its entry never filled
      } else if (position?.state === "CLOSED") {
        strategy.forceExit(
          "MANUAL",
          this.lastClose.get(open.symbol) ?? open.entry_price,
          this.lastClosedMinute,
        );
      }
    }
    const held = strategy.openPosition?.trade_id;
    for (const t of this.o.store.trades.open()) {
      if (t.status === "OPEN" && t.date === this.date && t.trade_id !== held) {
        this.emit(
          "warning",
          `${t.trade_id} ${t.symbol} is open in the database but not in the replayed strategy: ` +
            "its protective stop stays, and it is exited at the end of the day",
        );
      }
    }
  }

  private mergedParts(earlier: Candle, live: Candle): Candle {
    return {
      start: live.start,
      open: earlier.open,
      high: Math.max(earlier.high, live.high),
      low: Math.min(earlier.low, live.low),
      close: live.close,
      volume: earlier.volume + live.volume,
    };
  }

  /** Earlier parts whose interval closed without a live tick after the resume are the whole candle. */
  private flushEarlierParts(untilMs: number): void {
    if (this.inProgress.size === 0 || this.resumeState === "WAITING") return;
    for (const [symbol, candle] of this.inProgress) {
      if (istEpochMs(this.date, candle.start + this.o.params.intervalMinutes) > untilMs) continue;
      this.inProgress.delete(symbol);
      this.queueCandle(symbol, candle);
    }
  }

  private ensureStrategy(): StrategyDay {
    if (this.strategy) return this.strategy;
    this.strategy = new StrategyDay(this.o.params, this.date, this.setups, {
      signal: (s) => {
        this.write("signal", () => this.o.store.signals.insert(s)); // a replayed one is not written twice
        if (this.resumeState !== "REPLAYING") this.emit("signal", s);
      },
      entry: (p) => {
        if (this.resumeState === "REPLAYING") return this.replayedEntry(p);
        this.write("open trade", () =>
          this.o.store.trades.upsertOpen(this.date, p, this.lotSizeOf(p.symbol)),
        );
        crashPoint("entry-decided");
        this.emit("entry", p);
      },
      exit: (t) => {
        if (this.resumeState === "REPLAYING") return this.replayedExit(t);
        this.dayTrades.push(t);
        this.write("closed trade", () => this.o.store.trades.recordClosed(t, this.lotSizeOf(t.symbol)));
        this.emit("exit", t);
      },
    });
    if (this.entriesBlock !== null) this.strategy.setEntriesEnabled(false, this.entriesBlock);
    return this.strategy;
  }

  private indexTick(t: Tick, receivedAtMs: number): void {
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
