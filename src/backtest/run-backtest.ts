import type { Config } from "../config/schema.js";
import { underlyingOf } from "../config/underlying.js";
import type { TradingCalendar } from "../domain/calendar.js";
import type { Candle } from "../domain/candle.js";
import { CandleSeries } from "../domain/candle-series.js";
import { atmStrike, type InstrumentMaster, universeStrikes } from "../domain/instruments.js";
import { type IsoDate, parseHhmm } from "../domain/ist.js";
import { classicPivots, type PivotLevels, structureOf } from "../domain/pivots.js";
import { toSessionCandles } from "../domain/session-candles.js";
import { summarize } from "../domain/summary.js";
import { type OptionSymbol, parseOptionSymbol } from "../domain/symbols.js";
import { performanceMetrics } from "../lab/metrics.js";
import { strategyParamsFrom } from "../strategy/params.js";
import { StrategyDay } from "../strategy/strategy-day.js";
import type { ContractSetup, SignalRecord, StrategyListener, Trade } from "../strategy/types.js";
import type { CandleData } from "./candle-directory.js";
import { memoFor } from "./data-memo.js";
import { daySetupMemo } from "./day-setup-memo.js";
import { daySetupStore, restoredDay, storedFormOf } from "./day-setup-store.js";
import { missingPivotsWarning } from "./missing-pivots.js";
import { replayDay, type SeriesWalk, type SessionGrid, walkOf } from "./replay-day.js";
import type { BacktestResult, BacktestSummary, DayResult } from "./types.js";

export interface BacktestOptions {
  config: Config;
  data: CandleData;
  calendar: TradingCalendar;
  from?: IsoDate;
  to?: IsoDate;
  /** The instrument master, for lot sizes and monthly expiries; without it `trading.lot_size` is used. */
  master?: InstrumentMaster;
  warn: (message: string) => void;
  /** The data's folder, named in the fix of a day without pivots. */
  dataDir?: string;
  progress?: (daysDone: number, daysTotal: number) => void;
  /**
   * True when more runs over the same data will follow (the lab's): each day's universe and
   * contract setups are then kept for them. A single run does without: keeping them costs it
   * more (memory the garbage collector has to move) than it saves.
   */
  reuse?: boolean;
}

/** A contract's levels from the previous trading day and its candle sizes before the day. */
interface ContractHistory {
  pivots: PivotLevels | null;
  sizes: number[];
}

/** One universe contract before pivots are attached. */
interface UniverseContract {
  symbol: string;
  option: OptionSymbol;
}

/**
 * Runs the strategy over every trading day of the data, in order (STRATEGY.md; backtest
 * universe rules of section 1). Pure apart from the `warn` and `progress` callbacks.
 */
export function runBacktest(options: BacktestOptions): BacktestResult {
  const { config, data, calendar, master, warn } = options;
  const params = strategyParamsFrom(config);
  const sessionEnd = parseHhmm(config.market.end_time);
  const underlying = config.trading.instrument;
  const seriesOf = sessionSeriesLookup(data, params.intervalMinutes, params.sessionStart, sessionEnd);
  const grid: SessionGrid = { start: params.sessionStart, end: sessionEnd, interval: params.intervalMinutes };
  // A stored day's series are looked up only for the contracts the strategy needs the candles
  // of, and read from a lazily read cache together, before they are used.
  const seriesToFeed = (day: StrategyDay, setups: readonly ContractSetup[], date: IsoDate) => {
    const needed = setups.filter((_, i) => day.needsCandles(i));
    data.prefetch?.(
      date,
      needed.map((s) => s.symbol),
    );
    return setups.map((s, i) => (day.needsCandles(i) ? seriesOf(s.symbol, date) : null));
  };
  // A contract's pivots and prior candle sizes of a day depend on the data and the candle grid
  // only: an optimisation's runs share them (neither is changed by the strategy).
  const historyMemo = options.reuse
    ? memoFor(
        data,
        `contract history ${params.intervalMinutes} ${params.sessionStart} ${sessionEnd} ${params.windowSize}`,
        () => new Map<string, ContractHistory>(),
      )
    : null;
  const history = (key: string, compute: () => ContractHistory): ContractHistory => {
    if (!historyMemo) return compute();
    let known = historyMemo.get(key);
    if (!known) {
      known = compute();
      historyMemo.set(key, known);
    }
    return known;
  };

  const memo = options.reuse
    ? daySetupMemo<PreparedDay>(options)
    : (_date: IsoDate, prepare: () => PreparedDay) => prepare();
  // A single backtest over a cached data directory reuses the setups the previous one stored.
  const stored = options.reuse ? null : daySetupStore({ ...options, hasMaster: master !== undefined });
  const daySetups = (date: IsoDate, previousDay: IsoDate, prepare: () => PreparedDay): PreparedDay => {
    const restored = stored?.get(date, previousDay);
    if (restored) return restoredDay(restored);
    const day = memo(date, prepare);
    stored?.set(date, previousDay, storedFormOf(day));
    return day;
  };

  const dates = [...data.byDay.keys()]
    .filter((d) => (!options.from || d >= options.from) && (!options.to || d <= options.to))
    .sort();
  const trades: Trade[] = [];
  const signals: SignalRecord[] = [];
  const days: DayResult[] = [];

  dates.forEach((date, dayIndex) => {
    options.progress?.(dayIndex, dates.length);
    if (!calendar.isTradingDay(date)) {
      warn(
        `${date}: not a trading day (${calendar.holidayName(date) ?? "weekend"}); its candles are not traded`,
      );
      return;
    }
    const previousDay = calendar.previousTradingDay(date);
    const prepared = daySetups(date, previousDay, () => {
      const pick = pickUniverse(
        data,
        date,
        data.byDay.get(date) as Map<string, CandleSeries>,
        underlying,
        config,
        master,
        seriesOf,
      );
      const setups: ContractSetup[] = pick.contracts.map(({ symbol, option }) => {
        const { pivots, sizes } = history(`${symbol} ${date} ${previousDay}`, () => {
          const bar = seriesOf(symbol, previousDay)?.dailyBar() ?? null;
          return {
            pivots: bar ? classicPivots(bar) : null,
            sizes: priorSizes(symbol, date, datesBySymbol(data), seriesOf, params.windowSize),
          };
        });
        return {
          symbol,
          strike: option.strike,
          optionType: option.optionType,
          quantity:
            config.trading.lots *
            (master?.find(symbol, underlyingOf(config).optionExchange)?.lotSize ?? config.trading.lot_size),
          pivots,
          structure: pivots ? structureOf(pivots, config.trading.structure_neutral_band) : null,
          priorSizes: sizes,
        };
      });
      const noPivots = setups.filter((s) => !s.pivots).map((s) => s.symbol);
      const gap = missingPivotsWarning(
        date,
        previousDay,
        noPivots,
        setups.length,
        data.byDay.has(previousDay),
        options.dataDir,
      );
      const series = setups.map((s) => seriesOf(s.symbol, date));
      return {
        pick,
        setups,
        series,
        walks: series.map((s) => walkOf(s, grid)),
        warnings: [pick.warning, gap].filter((w): w is string => w !== undefined && w !== null),
      };
    });
    for (const w of prepared.warnings) warn(w);
    const { pick, setups } = prepared;

    const dayTrades: Trade[] = [];
    let daySignals = 0;
    const listener: StrategyListener = {
      signal: (s) => {
        signals.push(s);
        daySignals++;
      },
      entry: () => {},
      exit: (t) => {
        trades.push(t);
        dayTrades.push(t);
      },
    };
    const day = new StrategyDay(params, date, setups, listener);
    const series = prepared.series ?? seriesToFeed(day, setups, date);
    const fed = replayDay(day, series, prepared.walks, grid);
    day.finish();
    days.push({
      date,
      universe_source: pick.source,
      spot_open: pick.spot,
      atm: pick.atm,
      expiry: pick.expiry,
      contracts: setups.length,
      contracts_with_pivots: setups.filter((s) => s.pivots).length,
      bullish_contracts: setups.filter((s) => s.structure === "BULLISH").length,
      signals: daySignals,
      candles: fed.candles,
      closes: fed.closes,
      ...summarize(dayTrades),
    });
  });
  options.progress?.(dates.length, dates.length);
  stored?.save();

  return {
    trades,
    signals,
    days,
    summary: backtestSummary(trades, days),
  };
}

/**
 * A day's universe and contract setups, their series' walks and the warnings they gave; the
 * series themselves unless the day was stored (then looked up as the strategy needs them).
 */
interface PreparedDay {
  pick: UniversePick;
  setups: ContractSetup[];
  series: (CandleSeries | null)[] | null;
  walks: SeriesWalk[];
  warnings: string[];
}

/** The whole run's figures from its trades (in exit order) and its days (in date order). */
export function backtestSummary(trades: readonly Trade[], days: readonly DayResult[]): BacktestSummary {
  return {
    days: days.length,
    from: days[0]?.date ?? null,
    to: days[days.length - 1]?.date ?? null,
    candles: days.reduce((n, d) => n + d.candles, 0),
    ...summarize(trades),
    ...performanceMetrics(trades, days),
  };
}

interface UniversePick {
  source: DayResult["universe_source"];
  contracts: UniverseContract[];
  spot: number | null;
  atm: number | null;
  expiry: IsoDate | null;
  warning?: string;
}

/**
 * The day's universe (STRATEGY.md section 1, backtest): the ATM window of the nearest expiry
 * around the underlying's 09:15 open when the data holds the underlying, else every option
 * contract of the underlying in the data.
 */
function pickUniverse(
  data: CandleData,
  date: IsoDate,
  symbols: ReadonlyMap<string, CandleSeries>,
  underlying: string,
  config: Config,
  master: InstrumentMaster | undefined,
  seriesOf: SeriesLookup,
): UniversePick {
  const options = optionContractsOf(data, date, symbols, underlying);
  const index = seriesOf(underlying, date);
  if (!index || index.length === 0) {
    return { source: "ALL_CONTRACTS", contracts: options, spot: null, atm: null, expiry: null };
  }
  const spot = index.openAt(0);
  const atm = atmStrike(spot, config.trading.strike_interval);
  const expiryOf = (o: OptionSymbol) => o.expiry ?? masterExpiry(master, o) ?? `${o.expiryMonth}-31`; // month end orders a monthly after its weeklies
  const expiry =
    options
      .map((o) => expiryOf(o.option))
      .filter((e) => e >= date)
      .sort()[0] ?? null;
  const strikes = new Set(universeStrikes(atm, config.trading.strike_range, config.trading.strike_interval));
  const contracts = options.filter((o) => expiryOf(o.option) === expiry && strikes.has(o.option.strike));
  const warning =
    contracts.length === 0
      ? `${date}: the data holds no ${underlying} option of the ATM window ${atm} ± ${config.trading.strike_range}${expiry ? ` expiring ${expiry}` : ""}; nothing is traded`
      : undefined;
  return { source: "ATM_WINDOW", contracts, spot, atm, expiry, ...(warning ? { warning } : {}) };
}

/** The underlying's option contracts of a day of the data, by symbol (remembered per data set). */
function optionContractsOf(
  data: CandleData,
  date: IsoDate,
  symbols: ReadonlyMap<string, CandleSeries>,
  underlying: string,
): UniverseContract[] {
  return memoFor(data, `options ${underlying} ${date}`, () => {
    // A weekly contract trades on several days of the data: each symbol is parsed once.
    const parsed = memoFor(
      data,
      `option symbols ${underlying}`,
      () => new Map<string, OptionSymbol | null>(),
    );
    const options: UniverseContract[] = [];
    for (const symbol of [...symbols.keys()].sort()) {
      let option = parsed.get(symbol);
      if (option === undefined) {
        option = parseOptionSymbol(symbol, underlying);
        parsed.set(symbol, option);
      }
      if (option) options.push({ symbol, option });
    }
    return options;
  });
}

function masterExpiry(master: InstrumentMaster | undefined, o: OptionSymbol): IsoDate | undefined {
  if (!master) return undefined;
  return master
    .optionsOf(o.underlying)
    .find(
      (c) => c.expiry.startsWith(o.expiryMonth) && c.strike === o.strike && c.instrumentType === o.optionType,
    )?.expiry;
}

/** Sizes of the contract's last `count` candles before `date`, oldest first, across earlier days. */
function priorSizes(
  symbol: string,
  date: IsoDate,
  priorDates: Map<string, IsoDate[]>,
  seriesOf: SeriesLookup,
  count: number,
): number[] {
  const dates = priorDates.get(symbol) ?? [];
  const sizes: number[] = [];
  for (let i = dates.length - 1; i >= 0 && sizes.length < count; i--) {
    const d = dates[i] as IsoDate;
    if (d >= date) continue;
    const s = seriesOf(symbol, d);
    for (let k = (s?.length ?? 0) - 1; k >= 0 && sizes.length < count; k--)
      sizes.push((s as CandleSeries).sizeAt(k));
  }
  return sizes.reverse();
}

/** The dates each symbol has candles on, ascending (remembered per data set). */
function datesBySymbol(data: CandleData): Map<string, IsoDate[]> {
  return memoFor(data, "dates by symbol", () => listDatesBySymbol(data));
}

function listDatesBySymbol(data: CandleData): Map<string, IsoDate[]> {
  const out = new Map<string, IsoDate[]>();
  for (const date of [...data.byDay.keys()].sort()) {
    for (const symbol of (data.byDay.get(date) as Map<string, CandleSeries>).keys()) {
      const list = out.get(symbol);
      if (list) list.push(date);
      else out.set(symbol, [date]);
    }
  }
  return out;
}

/** A symbol's candles of a day on the session grid, or null when the data has none. */
export type SeriesLookup = (symbol: string, date: IsoDate) => CandleSeries | null;

/**
 * Looks up a symbol's series of a day on the session grid. Series already on the grid (the
 * usual case) are returned as they are; others (1-minute data, candles outside the session)
 * are converted once.
 */
export function sessionSeriesLookup(
  data: CandleData,
  interval: number,
  sessionStart: number,
  sessionEnd: number,
): SeriesLookup {
  // Each series is checked once per data set and grid: the same days are looked up again and
  // again (as today, as the previous day for pivots, for the significance window, by every
  // run of an optimisation).
  const onGrid = memoFor(
    data,
    `on grid ${interval} ${sessionStart} ${sessionEnd}`,
    () => new Map<CandleSeries, CandleSeries>(),
  );
  return (symbol, date) => {
    const raw = data.byDay.get(date)?.get(symbol);
    if (!raw) return null;
    let s = onGrid.get(raw);
    if (!s) {
      s = raw.fitsGrid(interval, sessionStart, sessionEnd)
        ? raw
        : CandleSeries.of(toSessionCandles(raw.toCandles(), interval, sessionStart, sessionEnd));
      onGrid.set(raw, s);
    }
    return s;
  };
}

/** The session candles of a symbol's day as objects (for reports and charts). */
export function sessionCandleLookup(
  data: CandleData,
  interval: number,
  sessionStart: number,
  sessionEnd: number,
): (symbol: string, date: IsoDate) => readonly Candle[] {
  const seriesOf = sessionSeriesLookup(data, interval, sessionStart, sessionEnd);
  return (symbol, date) => seriesOf(symbol, date)?.toCandles() ?? [];
}
