import { type Candle, candleSize } from "../domain/candle.js";
import { paise, roundTripCharges } from "../domain/charges.js";
import { formatHhmm, type IsoDate, isoIst } from "../domain/ist.js";
import { percentileInPlace } from "../domain/percentile.js";
import { type OpeningZone, openingZoneOf, type PivotLevels, roundForDisplay } from "../domain/pivots.js";
import type {
  ContractSetup,
  ExitReason,
  OpenPosition,
  OutsideExitReason,
  Scenario,
  SkipReason,
  StrategyListener,
  StrategyParams,
  Trade,
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

/** A candle that matched a scenario at the current close, waiting for the gate and ranking. */
interface Candidate {
  contract: ContractState;
  candle: Candle;
  scenario: Scenario;
  firstCandle: boolean;
  size: number;
  threshold: number;
  target: number;
  /** Set when the scenario matched but its target is not above the close. */
  targetNotAbove: boolean;
}

/**
 * The pivot breakout rules of STRATEGY.md for one trading day: pure and deterministic, fed
 * with closed candles and the clock's candle-close times, emitting signals, entries and
 * exits to a listener. The backtester, paper mode and live mode all drive this one class.
 *
 * Protocol: for each close time, call `onCandle` for every universe contract whose candle
 * closed then (any order), then `onClose(closeMinute)` once. Call `finish()` when the data or
 * the feed ends for the day.
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
      const state: ContractState = {
        setup,
        pivots: setup.pivots,
        bullish: setup.pivots !== null && setup.structure === "BULLISH",
        zone: "NONE",
        zoneKnown: false,
        window: new Float64Array(params.windowSize),
        windowCount: 0,
        windowHead: 0,
        lastClose: Number.NaN,
        lastCloseMinute: -1,
      };
      const prior = setup.priorSizes;
      for (let k = Math.max(0, prior.length - params.windowSize); k < prior.length; k++) {
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
   * Feeds a closed candle of contract `index` (its close time is `start + interval`). The
   * candle is only read during the call, so a caller may reuse one object for every candle.
   */
  onCandle(index: number, candle: Candle): void {
    const c = this.contracts[index];
    if (!c) throw new RangeError(`no contract at index ${index}`);
    const first = candle.start === this.params.sessionStart;
    if (!c.zoneKnown) {
      // A contract without a 09:15 candle has zone NONE for the whole day.
      c.zone = first && c.pivots ? openingZoneOf(c.pivots, candle.open) : "NONE";
      c.zoneKnown = true;
    }
    const size = candleSize(candle);
    const closeMinute = candle.start + this.params.intervalMinutes;
    if (this.position?.state === c) this.checkExit(candle, closeMinute);
    if (c.bullish && candle.close > candle.open) this.considerSignal(c, candle, first, size);
    pushSize(c, size);
    c.lastClose = candle.close;
    c.lastCloseMinute = closeMinute;
  }

  /** Ends the close at `closeMinute`: gates, ranks and records this close's signals; may enter. */
  onClose(closeMinute: number): void {
    if (this.candidates.length === 0) return;
    const cands = this.candidates;
    const time = isoIst(this.date, closeMinute);
    const gate = this.entryGate(closeMinute);
    const live = cands.filter((x) => !x.targetNotAbove);
    live.sort(rankCandidates);
    const chosen = gate === null ? live[0] : undefined;
    let tradeId: string | null = null;
    if (chosen) tradeId = this.enter(chosen, time);

    const ordered = [...live, ...cands.filter((x) => x.targetNotAbove).sort(bySymbol)];
    for (const x of ordered) {
      const taken = x === chosen;
      let reason: SkipReason | null = null;
      let detail: string;
      if (taken) detail = `entered as trade ${tradeId}`;
      else if (x.targetNotAbove) {
        reason = "TARGET_NOT_ABOVE_ENTRY";
        detail = `scenario ${x.scenario} target ${fmt(x.target)} is not above the close ${fmt(x.candle.close)}`;
      } else if (gate) {
        reason = gate.reason;
        detail = gate.detail;
      } else {
        reason = "OUTRANKED";
        detail = `${chosen?.contract.setup.symbol} was taken (size ${fmt4(chosen?.size ?? 0)}%, scenario ${chosen?.scenario})`;
      }
      const stop = x.candle.low;
      this.listener.signal({
        date: this.date,
        time,
        symbol: x.contract.setup.symbol,
        scenario: x.scenario,
        first_candle: x.firstCandle,
        open: x.candle.open,
        high: x.candle.high,
        low: x.candle.low,
        close: x.candle.close,
        size: round4(x.size),
        threshold: round4(x.threshold),
        entry_price: x.candle.close,
        stop_loss: stop,
        target: roundForDisplay(x.target),
        action: taken ? "TAKEN" : "SKIPPED",
        reason,
        detail,
        trade_id: taken ? tradeId : null,
      });
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

  private considerSignal(c: ContractState, candle: Candle, first: boolean, size: number): void {
    const p = c.pivots as PivotLevels;
    const { open, close } = candle;
    const s1 = first ? p.S1 <= open && open <= p.PP && close > p.R1 : c.zone === "Z1" && close > p.R1;
    const s2 = (first ? p.PP <= open && open <= p.R1 : c.zone === "Z2") && p.R2 < close && close < p.R3;
    const s3 = !first && p.R2 <= open && open <= p.R3 && close > p.R3;
    // The first scenario that matches with its target above the close gives the signal; a match
    // whose target is not above the close is still recorded (as skipped) when none gives one.
    let scenario: Scenario | 0 = 0;
    let target = 0;
    let targetNotAbove = false;
    for (const [matches, sc, level] of [
      [s1, 1, p.R3],
      [s2, 2, p.R4],
      [s3, 3, p.R5],
    ] as const) {
      if (!matches) continue;
      if (level > close) {
        scenario = sc;
        target = level;
        targetNotAbove = false;
        break;
      }
      if (scenario === 0) {
        scenario = sc;
        target = level;
        targetNotAbove = true;
      }
    }
    if (scenario === 0) return;

    // Significance last: it is the only costly test, and most candles fail a cheaper one.
    if (c.windowCount === 0) return;
    const n = c.windowCount;
    for (let i = 0; i < n; i++) this.scratch[i] = c.window[i] as number;
    const threshold = percentileInPlace(this.scratch, n, this.params.candleSizePercentile);
    if (!(size >= threshold)) return;

    this.candidates.push({
      contract: c,
      candle: { ...candle }, // a copy: the caller may reuse its object
      scenario,
      firstCandle: first,
      size,
      threshold,
      target,
      targetNotAbove,
    });
  }

  /** The first entry condition (STRATEGY.md section 5, 1-6) that fails at this close, or null. */
  private entryGate(closeMinute: number): { reason: SkipReason; detail: string } | null {
    const p = this.params;
    if (this.position) {
      return { reason: "POSITION_OPEN", detail: `a position in ${this.position.open.symbol} is open` };
    }
    if (this.exitedAtClose === closeMinute) {
      return { reason: "EXITED_THIS_CLOSE", detail: "a position was closed at this candle close" };
    }
    if (closeMinute >= p.eodExit) {
      return {
        reason: "AFTER_EOD_CUTOFF",
        detail: `close time ${formatHhmm(closeMinute)} is not before the EOD exit time ${formatHhmm(p.eodExit)}`,
      };
    }
    if (this.entriesDisabledReason !== null)
      return { reason: "ENTRIES_DISABLED", detail: this.entriesDisabledReason };
    if (this.tradesToday >= p.maxTradesPerDay) {
      return {
        reason: "MAX_TRADES",
        detail: `${this.tradesToday} trade(s) today, the limit is ${p.maxTradesPerDay}`,
      };
    }
    if (this.stopLossesToday > p.maxReEntries) {
      return {
        reason: "MAX_STOP_LOSSES",
        detail: `${this.stopLossesToday} stop-loss exits today, more than max_re_entries ${p.maxReEntries}`,
      };
    }
    if (!(this.realisedPnl > -p.maxDailyLoss)) {
      return {
        reason: "MAX_DAILY_LOSS",
        detail: `realised P&L ${fmt(this.realisedPnl)} has reached the daily loss limit -${p.maxDailyLoss}`,
      };
    }
    return null;
  }

  private enter(x: Candidate, time: string): string {
    const s = x.contract.setup;
    const pivots = x.contract.pivots as PivotLevels;
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
    this.position = { state: x.contract, open };
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
    const pnlPoints = paise(price - open.entry_price);
    const pnlRupees = paise(pnlPoints * open.quantity);
    const charges = roundTripCharges(open.entry_price, price, open.quantity, this.params.charges).total;
    const trade: Trade = {
      ...open,
      target: roundForDisplay(open.target),
      date: this.date,
      exit_time: isoIst(this.date, closeMinute),
      exit_price: price,
      exit_reason: reason,
      pnl_points: pnlPoints,
      pnl_rupees: pnlRupees,
      charges,
      net_pnl_rupees: paise(pnlRupees - charges),
    };
    this.realisedPnl += pnlRupees;
    this.realisedByTrade.set(trade.trade_id, pnlRupees);
    if (reason === "STOP_LOSS" || reason === "STOP_FILLED") this.stopLossesToday++;
    this.position = null;
    this.exitedAtClose = closeMinute;
    this.listener.exit(trade);
  }
}

function pushSize(c: ContractState, size: number): void {
  const cap = c.window.length;
  c.window[c.windowHead] = size;
  c.windowHead = (c.windowHead + 1) % cap;
  if (c.windowCount < cap) c.windowCount++;
}

/** Largest size first; ties to the lower scenario, then the symbol that sorts first. */
function rankCandidates(a: Candidate, b: Candidate): number {
  if (a.size !== b.size) return b.size - a.size;
  if (a.scenario !== b.scenario) return a.scenario - b.scenario;
  return bySymbol(a, b);
}

function bySymbol(a: Candidate, b: Candidate): number {
  const x = a.contract.setup.symbol;
  const y = b.contract.setup.symbol;
  return x < y ? -1 : x > y ? 1 : 0;
}

function roundLevels(p: PivotLevels): PivotLevels {
  return {
    PP: roundForDisplay(p.PP),
    R1: roundForDisplay(p.R1),
    R2: roundForDisplay(p.R2),
    R3: roundForDisplay(p.R3),
    R4: roundForDisplay(p.R4),
    R5: roundForDisplay(p.R5),
    S1: roundForDisplay(p.S1),
    S2: roundForDisplay(p.S2),
    S3: roundForDisplay(p.S3),
  };
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
const fmt = (x: number) => x.toFixed(2);
const fmt4 = (x: number) => x.toFixed(4);
