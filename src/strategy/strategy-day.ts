import { type Candle, candleSize } from "../domain/candle.js";
import { type IsoDate, isoIst } from "../domain/ist.js";
import { percentileInPlace } from "../domain/percentile.js";
import { type OpeningZone, openingZoneOf, type PivotLevels, roundForDisplay } from "../domain/pivots.js";
import { bySymbol, type Candidate, type CloseDecision, rankCandidates, signalRecord } from "./candidates.js";
import { entryGate, type GateState } from "./entry-gate.js";
import { matchScenario } from "./scenario-match.js";
import { closedTrade, roundLevels } from "./trade-record.js";
import type {
  ContractSetup,
  ExitReason,
  OpenPosition,
  OutsideExitReason,
  StrategyListener,
  StrategyParams,
} from "./types.js";

/** Per-contract state for one day. */
interface ContractState {
  readonly setup: ContractSetup;
  readonly pivots: PivotLevels | null;
  readonly bullish: boolean;
  zone: OpeningZone;
  /** Whether today's first candle time has passed for this contract (its zone is then final). */
  zoneKnown: boolean;
  /** Ring buffer of the most recent candle sizes (the significance window). */
  readonly window: Float64Array;
  windowCount: number;
  windowHead: number;
  /** Close price and close time of the contract's last candle today (NaN/-1 before the first). */
  lastClose: number;
  lastCloseMinute: number;
}

/**
 * The pivot breakout rules of STRATEGY.md for one trading day: pure and deterministic, fed
 * with closed candles and the clock's candle-close times, emitting signals, entries and
 * exits to a listener. The backtester, paper mode and live mode all drive this one class.
 *
 * Protocol: for each close time, call `onCandle` for every universe contract whose candle
 * closed then (any order; one whose `needsCandles` is false may be left out), then
 * `onClose(closeMinute)` once. Call `finish()` when the data or the feed ends for the day.
 */
export class StrategyDay {
  private readonly contracts: ContractState[];
  private readonly bySymbol = new Map<string, number>();
  private readonly scratch: Float64Array;
  private readonly candidates: Candidate[] = [];
  /** The open position; `entryFill` is the broker's average buy price once known (live only). */
  private position: { state: ContractState; open: OpenPosition; entryFill?: number } | null = null;
  private exitedAtClose = -1;
  private tradeSeq = 0;
  private tradesToday = 0;
  private stopLossesToday = 0;
  private realisedPnl = 0;
  /** Live only: what each closed trade added to `realisedPnl`, so its fills can replace it. */
  private readonly realisedByTrade = new Map<string, number>();
  private entriesDisabledReason: string | null = null;
  private readonly dayPrefix: string;

  constructor(
    private readonly params: StrategyParams,
    readonly date: IsoDate,
    setups: readonly ContractSetup[],
    private readonly listener: StrategyListener,
  ) {
    this.dayPrefix = date.replaceAll("-", "");
    this.scratch = new Float64Array(params.windowSize);
    this.contracts = setups.map((setup, i) => {
      this.bySymbol.set(setup.symbol, i);
      const bullish = setup.pivots !== null && setup.structure === "BULLISH";
      const state: ContractState = {
        setup,
        pivots: setup.pivots,
        bullish,
        zone: "NONE",
        zoneKnown: false,
        // Only a bullish contract's candles are looked at (see onCandle): the others need no window.
        window: bullish ? new Float64Array(params.windowSize) : NO_WINDOW,
        windowCount: 0,
        windowHead: 0,
        lastClose: Number.NaN,
        lastCloseMinute: -1,
      };
      const prior = setup.priorSizes;
      for (let k = Math.max(0, prior.length - params.windowSize); bullish && k < prior.length; k++) {
        pushSize(state, prior[k] as number);
      }
      return state;
    });
  }

  /** Index of a contract of the universe, for `onCandle`; -1 when it is not in it. */
  indexOf(symbol: string): number {
    return this.bySymbol.get(symbol) ?? -1;
  }

  /**
   * False when contract `index`'s candles change nothing today (it is not bullish: it can
   * neither signal nor hold a position), so a replay need not read them for `onCandle`.
   */
  needsCandles(index: number): boolean {
    return this.contracts[index]?.bullish ?? false;
  }

  /**
   * Feeds a closed candle of contract `index` (its close time is `start + interval`). The
   * candle is only read during the call, so a caller may reuse one object for every candle.
   */
  onCandle(index: number, candle: Candle): void {
    const c = this.contracts[index];
    if (!c) throw new RangeError(`no contract at index ${index}`);
    // Only a bullish contract (which has pivots) can signal, so only it can hold a position:
    // the candles of the others change nothing, and most contracts of a day are such. (Kept
    // small, this method is inlined into the replay loop.)
    if (c.bullish) this.onBullishCandle(c, index, candle);
  }

  private onBullishCandle(c: ContractState, index: number, candle: Candle): void {
    const first = candle.start === this.params.sessionStart;
    if (!c.zoneKnown) {
      // A contract without a 09:15 candle has zone NONE for the whole day.
      c.zone = first ? openingZoneOf(c.pivots as PivotLevels, candle.open) : "NONE";
      c.zoneKnown = true;
    }
    const size = candleSize(candle);
    const closeMinute = candle.start + this.params.intervalMinutes;
    if (this.position?.state === c) this.checkExit(candle, closeMinute);
    if (candle.close > candle.open) this.considerSignal(c, index, candle, first, size);
    pushSize(c, size);
    c.lastClose = candle.close;
    c.lastCloseMinute = closeMinute;
  }

  /** Ends the close at `closeMinute`: gates, ranks and records this close's signals; may enter. */
  onClose(closeMinute: number): void {
    if (this.candidates.length === 0) return;
    const cands = this.candidates;
    const time = isoIst(this.date, closeMinute);
    const gate = entryGate(this.params, this.gateState(), closeMinute);
    const live = cands.filter((x) => !x.targetNotAbove);
    live.sort(rankCandidates);
    const chosen = gate === null ? live[0] : undefined;
    const tradeId = chosen ? this.enter(chosen, time) : null;
    const decision: CloseDecision = { date: this.date, time, chosen, tradeId, gate };
    for (const x of live) this.listener.signal(signalRecord(x, decision));
    for (const x of cands.filter((x) => x.targetNotAbove).sort(bySymbol)) {
      this.listener.signal(signalRecord(x, decision));
    }
    cands.length = 0;
  }

  /** Closes any open position at its contract's last close with reason EOD (data or feed ended). */
  finish(): void {
    const p = this.position;
    if (!p) return;
    this.exit(p.state.lastClose, p.state.lastCloseMinute, "EOD");
  }

  /**
   * Live only: the position ended at the broker outside the strategy's own exit (its protective
   * stop filled, panic, a close by hand), at `price` (the fill's, or the last close when the fill
   * is not known). The trade is closed at once with that reason, so the strategy never manages a
   * position that no longer exists; a filled stop counts as a stop loss for the day's limits.
   * No-op without a position.
   */
  forceExit(reason: OutsideExitReason, price: number, closeMinute: number): void {
    if (this.position) this.exit(price, closeMinute, reason);
  }

  /**
   * Live only: the broker's gross P&L of a closed trade of today replaces the model's in the
   * day's realised P&L, so the daily loss limit follows the real figures. Returns false for a
   * trade the strategy did not close today.
   */
  setRealisedPnl(tradeId: string, grossRupees: number): boolean {
    const model = this.realisedByTrade.get(tradeId);
    if (model === undefined || !Number.isFinite(grossRupees)) return false;
    this.realisedPnl += grossRupees - model;
    this.realisedByTrade.set(tradeId, grossRupees);
    return true;
  }

  /**
   * Live only: the entry of `tradeId` was never filled at the broker (rejected, timed out), so
   * the position is forgotten as if it had not been opened. The attempt still counts towards
   * the day's trade limit: a market that keeps refusing entries should not be tried without end.
   * Returns false when `tradeId` is not the open position.
   */
  cancelEntry(tradeId: string): boolean {
    if (this.position?.open.trade_id !== tradeId) return false;
    this.position = null;
    return true;
  }

  /**
   * Live only: the broker filled `quantity` of the entry of `tradeId` (a partial fill kept after
   * the entry timeout), so the position, its P&L and the daily loss limit use that quantity.
   * Returns false when `tradeId` is not the open position.
   */
  setFilledQuantity(tradeId: string, quantity: number, averagePrice?: number): boolean {
    const position = this.position;
    if (position?.open.trade_id !== tradeId || !(quantity > 0)) return false;
    position.open.quantity = quantity;
    // The model entry price stays (parity with the backtest); the loss limit reckons from the fill.
    if (averagePrice !== undefined && averagePrice > 0) position.entryFill = averagePrice;
    return true;
  }

  /** Enables or disables new entries (the operator's switch, panic, broker session). */
  setEntriesEnabled(enabled: boolean, reason = "entries are disabled"): void {
    this.entriesDisabledReason = enabled ? null : reason;
  }

  /** The open position, if any. */
  get openPosition(): Readonly<OpenPosition> | null {
    return this.position?.open ?? null;
  }

  /** The day's risk counters. */
  get risk(): { tradesToday: number; stopLossesToday: number; realisedPnl: number; entriesEnabled: boolean } {
    return {
      tradesToday: this.tradesToday,
      stopLossesToday: this.stopLossesToday,
      realisedPnl: this.realisedPnl,
      entriesEnabled: this.entriesDisabledReason === null,
    };
  }

  private considerSignal(
    c: ContractState,
    index: number,
    candle: Candle,
    first: boolean,
    size: number,
  ): void {
    const match = matchScenario(c.pivots as PivotLevels, c.zone, first, candle.open, candle.close);
    if (match === null) return;

    // Significance last: it is the only costly test, and most candles fail a cheaper one.
    if (c.windowCount === 0) return;
    const n = c.windowCount;
    for (let i = 0; i < n; i++) this.scratch[i] = c.window[i] as number;
    const threshold = percentileInPlace(this.scratch, n, this.params.candleSizePercentile);
    if (!(size >= threshold)) return;

    this.candidates.push({
      contract: index,
      setup: c.setup,
      candle: { ...candle }, // a copy: the caller may reuse its object
      scenario: match.scenario,
      firstCandle: first,
      size,
      threshold,
      target: match.target,
      targetNotAbove: match.targetNotAbove,
    });
  }

  private gateState(): GateState {
    return {
      openSymbol: this.position?.open.symbol ?? null,
      exitedAtClose: this.exitedAtClose,
      entriesDisabledReason: this.entriesDisabledReason,
      tradesToday: this.tradesToday,
      stopLossesToday: this.stopLossesToday,
      realisedPnl: this.realisedPnl,
    };
  }

  private enter(x: Candidate, time: string): string {
    const state = this.contracts[x.contract] as ContractState;
    const s = state.setup;
    const pivots = state.pivots as PivotLevels;
    this.tradeSeq++;
    this.tradesToday++;
    const tradeId = `${this.dayPrefix}_${String(this.tradeSeq).padStart(3, "0")}`;
    const open: OpenPosition = {
      trade_id: tradeId,
      symbol: s.symbol,
      strike: s.strike,
      option_type: s.optionType,
      scenario: x.scenario,
      first_candle_entry: x.firstCandle,
      structure: "BULLISH",
      re_entry: this.stopLossesToday > 0,
      entry_time: time,
      entry_price: x.candle.close,
      stop_loss: x.candle.low,
      target: x.target,
      quantity: s.quantity,
      candles_held: 0,
      pivots: roundLevels(pivots),
    };
    this.position = { state, open };
    this.listener.entry({ ...open, target: roundForDisplay(open.target) });
    return tradeId;
  }

  private checkExit(candle: Candle, closeMinute: number): void {
    const open = (this.position as { open: OpenPosition }).open;
    open.candles_held++;
    const p = this.params;
    const close = candle.close;
    let reason: ExitReason | null = null;
    if (close <= open.stop_loss) reason = "STOP_LOSS";
    else if (close >= open.target) reason = "TARGET";
    else if (open.first_candle_entry && open.candles_held >= p.maxCandlesTimeout) reason = "TIMEOUT";
    else if (closeMinute >= p.eodExit) reason = "EOD";
    else if (this.realisedPnl + (close - this.entryCost()) * open.quantity <= -p.maxDailyLoss)
      reason = "MAX_DAILY_LOSS";
    if (reason) this.exit(close, closeMinute, reason);
  }

  /** What the open position cost a unit: the broker's fill when known (live), else the model's entry. */
  private entryCost(): number {
    const position = this.position as { open: OpenPosition; entryFill?: number };
    return position.entryFill ?? position.open.entry_price;
  }

  private exit(price: number, closeMinute: number, reason: ExitReason): void {
    const open = (this.position as { open: OpenPosition }).open;
    const trade = closedTrade(open, this.date, price, closeMinute, reason, this.params.charges);
    this.realisedPnl += trade.pnl_rupees;
    this.realisedByTrade.set(trade.trade_id, trade.pnl_rupees);
    if (reason === "STOP_LOSS" || reason === "STOP_FILLED") this.stopLossesToday++;
    this.position = null;
    this.exitedAtClose = closeMinute;
    this.listener.exit(trade);
  }
}

const NO_WINDOW = new Float64Array(0);

function pushSize(c: ContractState, size: number): void {
  const cap = c.window.length;
  c.window[c.windowHead] = size;
  c.windowHead = (c.windowHead + 1) % cap;
  if (c.windowCount < cap) c.windowCount++;
}
