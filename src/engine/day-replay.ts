/*
 * The replay of a live day resumed after the open (a restart, or a first start mid-session).
 *
 * The day so far is replayed through a fresh strategy, so that its state (the first candle,
 * trades and stop losses so far, re-entry, the open position and how long it has been held) is
 * the one it would have had; then the waiting live closes are let through.
 *
 * A replay re-decides what was already decided: those decisions are checked against the store,
 * never acted on twice. An entry the store has was acted on (its orders are the order manager's).
 * An entry it lacks was decided while the service was down: placed now only when its candle
 * closed at most `missedEntryMaxAgeMs` ago, otherwise forgotten with a warning. An exit of a
 * trade still open in the store happened while the service was down: recorded and emitted now,
 * so that the position is sold. A position the strategy holds but the store says is over is
 * forgotten when its entry never filled, else closed with the reason of the exit that sold it
 * (kept on the position: EMERGENCY, PANIC, STOP_FILLED; MANUAL when by hand or unknown).
 *
 * The interval in progress at the resume is known in part from history: its live candle is
 * completed with that earlier part.
 */

import type { Candle } from "../domain/candle.js";
import { type IsoDate, istEpochMs } from "../domain/ist.js";
import type { Store } from "../ports/store.js";
import type { StrategyDay } from "../strategy/strategy-day.js";
import type { ContractSetup, OpenPosition, Trade } from "../strategy/types.js";
import type { DayHistory } from "./day-history.js";
import { outsideExitReason } from "./outside-exit.js";
import { otherContractUnder, otherContractWarning } from "./replay-match.js";

/** Closed candles waiting for their close to be processed, by close minute. */
export type PendingCloses = Map<number, Array<{ symbol: string; candle: Candle }>>;

/** The parts of the live day the replay works with (live-day.ts). */
export interface ReplayHost {
  readonly date: IsoDate;
  readonly intervalMinutes: number;
  readonly store: Pick<Store, "trades" | "positions">;
  /** A replayed entry no older than this at the resume is still placed. */
  readonly missedEntryMaxAgeMs: number;
  /** The day's queue of closes (shared: the replay fills it). */
  readonly pending: PendingCloses;
  readonly setups: readonly ContractSetup[];
  now(): number;
  /** Processes every queued close up to `untilMs` (the strategy's decisions come back here). */
  processCloses(untilMs: number): void;
  /** The replayed day has its universe settled: the gap rule is not applied. */
  gapSettled(): void;
  strategy(): StrategyDay;
  cancelEntry(tradeId: string): void;
  queueCandle(symbol: string, candle: Candle): void;
  lastClosedMinute(): number;
  lastClose(symbol: string): number | undefined;
  lotSizeOf(symbol: string): number | null;
  /** A trade closed today (the day's list). */
  dayTrade(t: Trade): void;
  write(what: string, fn: () => unknown): void;
  warn(message: string): void;
  exit(t: Trade): void;
  entry(p: OpenPosition): void;
}

/** A candle made of an earlier part (from history) and the live part after it. */
export function mergedParts(earlier: Candle, live: Candle): Candle {
  return {
    start: live.start,
    open: earlier.open,
    high: Math.max(earlier.high, live.high),
    low: Math.min(earlier.low, live.low),
    close: live.close,
    volume: earlier.volume + live.volume,
  };
}

/** See the file comment. */
export class DayReplay {
  /** Closes wait for resume(); during resume the strategy's decisions are replayed, not acted on. */
  private state: "NONE" | "WAITING" | "REPLAYING";
  /** What the replay found to act on once it is over. */
  private outcome: { entry: { position: OpenPosition; closeMinute: number } | null; exits: Trade[] } = {
    entry: null,
    exits: [],
  };
  /** The interval in progress at the resume, so far, by symbol: merged into its live candle. */
  private readonly inProgress = new Map<string, Candle>();
  /** Replayed trade ids the store holds for another contract: never acted on (replay-match.ts). */
  private readonly refusedIds = new Set<string>();

  constructor(
    private readonly h: ReplayHost,
    resuming: boolean,
  ) {
    this.state = resuming ? "WAITING" : "NONE";
  }

  /** True while closes wait for resume(). */
  get waiting(): boolean {
    return this.state === "WAITING";
  }

  /** True while the strategy's decisions are replayed (recorded, not acted on). */
  get replaying(): boolean {
    return this.state === "REPLAYING";
  }

  /** Replays the day so far from `history`; see the file comment. */
  resume(history: DayHistory): void {
    if (this.state !== "WAITING") throw new Error("resume() is for a day created with resuming: true");
    const h = this.h;
    const byClose: PendingCloses = new Map();
    const interval = h.intervalMinutes;
    for (const [symbol, candles] of history.closed) {
      if (!h.setups.some((s) => s.symbol === symbol)) continue;
      for (const candle of candles) {
        const minute = candle.start + interval;
        const queued = h.pending.get(minute)?.find((x) => x.symbol === symbol);
        if (queued) {
          // Closed since the start: the live candle saw only the ticks after it; Kite's saw all.
          queued.candle = { ...mergedParts(candle, queued.candle), close: candle.close };
          continue;
        }
        const list = byClose.get(minute) ?? [];
        list.push({ symbol, candle });
        byClose.set(minute, list);
      }
    }
    for (const [symbol, candle] of history.inProgress) {
      const queued = h.pending.get(candle.start + interval)?.find((x) => x.symbol === symbol);
      if (queued) queued.candle = mergedParts(candle, queued.candle);
      else this.inProgress.set(symbol, candle);
    }
    const nowMs = h.now();
    const past = [...byClose.keys(), ...h.pending.keys()].filter((m) => istEpochMs(h.date, m) <= nowMs);
    const lastReplayed = Math.max(-1, ...past);
    for (const [minute, list] of byClose) {
      const live = h.pending.get(minute);
      h.pending.set(minute, live ? [...list, ...live] : list);
    }
    // A replayed day has its universe settled already (the gap rule's additions are stored).
    if (lastReplayed >= 0) h.gapSettled();
    this.state = "REPLAYING";
    try {
      if (lastReplayed >= 0) {
        h.processCloses(istEpochMs(h.date, lastReplayed));
        this.settle(nowMs);
      }
    } finally {
      this.state = "NONE";
    }
    const { entry, exits } = this.outcome;
    this.outcome = { entry: null, exits: [] };
    for (const t of exits) h.exit(t);
    if (entry) h.entry(entry.position);
  }

  /** The live candle of the interval in progress at the resume, completed with its earlier part. */
  withEarlierPart(symbol: string, live: Candle): Candle {
    const earlier = this.inProgress.get(symbol);
    if (!earlier || earlier.start !== live.start) return live;
    this.inProgress.delete(symbol);
    return mergedParts(earlier, live);
  }

  /** Earlier parts whose interval closed without a live tick after the resume are the whole candle. */
  flushEarlierParts(untilMs: number): void {
    if (this.inProgress.size === 0 || this.state === "WAITING") return;
    for (const [symbol, candle] of this.inProgress) {
      if (istEpochMs(this.h.date, candle.start + this.h.intervalMinutes) > untilMs) continue;
      this.inProgress.delete(symbol);
      this.h.queueCandle(symbol, candle);
    }
  }

  /** A replayed entry decision (the strategy's entry while replaying). */
  replayedEntry(p: OpenPosition): void {
    if (this.refusedOtherContract(p.trade_id, p.symbol)) return;
    // Acted on before the restart when the order manager holds it (its position row is written
    // with the entry order, before the order is sent). A trade row alone means the process died
    // between the decision and the order: a missed entry like any other.
    if (this.h.store.positions.byTradeId(p.trade_id)) return;
    this.outcome.entry = { position: p, closeMinute: this.h.lastClosedMinute() };
  }

  /** A replayed exit decision (the strategy's exit while replaying). */
  replayedExit(t: Trade): void {
    const h = this.h;
    if (this.refusedOtherContract(t.trade_id, t.symbol)) return;
    const stored = h.store.trades.byId(t.trade_id);
    const missed = this.outcome.entry;
    if (missed?.position.trade_id === t.trade_id) {
      this.outcome.entry = null;
      if (stored?.status === "OPEN") h.write("discarded trade", () => h.store.trades.discardOpen(t.trade_id));
      h.warn(`${t.trade_id} ${t.symbol}: entered and exited while the service was down; not traded`);
      return;
    }
    if (!stored) return;
    h.dayTrade(t);
    if (stored.status === "CLOSED") return;
    h.write("closed trade", () => h.store.trades.recordClosed(t, h.lotSizeOf(t.symbol)));
    this.outcome.exits.push(t);
  }

  /** A replayed decision on an id the store holds for another contract: refused once, with a warning. */
  private refusedOtherContract(tradeId: string, symbol: string): boolean {
    const stored = otherContractUnder(this.h.store, tradeId, symbol);
    if (stored === null) return false;
    if (!this.refusedIds.has(tradeId)) this.h.warn(otherContractWarning(tradeId, symbol, stored));
    this.refusedIds.add(tradeId);
    return true;
  }

  /** After the replay: the strategy's open position made to agree with the store (see the file comment). */
  private settle(nowMs: number): void {
    const h = this.h;
    const strategy = h.strategy();
    const missed = this.outcome.entry;
    const open = strategy.openPosition;
    if (open && this.refusedIds.has(open.trade_id)) {
      strategy.cancelEntry(open.trade_id); // the strategy forgets it; the store's trade is left alone
    } else if (missed && open?.trade_id === missed.position.trade_id) {
      const ageMs = nowMs - istEpochMs(h.date, missed.closeMinute);
      if (ageMs <= h.missedEntryMaxAgeMs) {
        h.write("open trade", () =>
          h.store.trades.upsertOpen(h.date, missed.position, h.lotSizeOf(open.symbol)),
        );
      } else {
        h.cancelEntry(open.trade_id); // and its trade row, if the decision was written
        this.outcome.entry = null;
        h.warn(
          `${open.trade_id} ${open.symbol}: signal of ${missed.position.entry_time} came while the service was down; not taken`,
        );
      }
    } else if (open) {
      const stored = h.store.trades.byId(open.trade_id);
      const position = h.store.positions.byTradeId(open.trade_id);
      if (stored?.status === "CLOSED") {
        const minute = Number(stored.exit_time.slice(11, 13)) * 60 + Number(stored.exit_time.slice(14, 16));
        strategy.forceExit("MANUAL", stored.exit_price, minute);
      } else if (position?.state === "CLOSED" && !stored?.filled_quantity) {
        h.cancelEntry(open.trade_id); // its entry never filled
      } else if (position?.state === "CLOSED") {
        // Bought, then sold while no day listened (the exit filled while the service was down,
        // or at the start-up's reconciliation): closed with the exit's stored reason, at its fill.
        strategy.forceExit(
          outsideExitReason(position.exitReason ?? "") ?? "MANUAL",
          stored?.exit_fill_price ?? h.lastClose(open.symbol) ?? open.entry_price,
          h.lastClosedMinute(),
        );
      }
    }
    const held = strategy.openPosition?.trade_id;
    for (const t of h.store.trades.open()) {
      if (t.status === "OPEN" && t.date === h.date && t.trade_id !== held) {
        h.warn(
          `${t.trade_id} ${t.symbol} is open in the database but not in the replayed strategy: ` +
            "its protective stop stays, and it is exited at the end of the day",
        );
      }
    }
  }
}
