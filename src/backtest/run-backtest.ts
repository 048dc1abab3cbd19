import type { Config } from "../config/schema.js";
import type { TradingCalendar } from "../domain/calendar.js";
import { type Candle, candleSize, type DailyBar, dailyBarOf } from "../domain/candle.js";
import type { CandleSeries } from "../domain/candle-series.js";
import { atmStrike, type InstrumentMaster, universeStrikes } from "../domain/instruments.js";
import { type IsoDate, parseHhmm } from "../domain/ist.js";
import { classicPivots, structureOf } from "../domain/pivots.js";
import { toSessionCandles } from "../domain/session-candles.js";
import { type OptionSymbol, parseOptionSymbol } from "../domain/symbols.js";
import { strategyParamsFrom } from "../strategy/params.js";
import { StrategyDay } from "../strategy/strategy-day.js";
import type { ContractSetup, SignalRecord, StrategyListener, Trade } from "../strategy/types.js";
import type { CandleData } from "./candle-directory.js";
import { summarize } from "./summary.js";
import type { BacktestResult, DayResult } from "./types.js";

export interface BacktestOptions {
  config: Config;
  data: CandleData;
  calendar: TradingCalendar;
  from?: IsoDate;
  to?: IsoDate;
  /** The instrument master, for lot sizes and monthly expiries; without it `trading.lot_size` is used. */
  master?: InstrumentMaster;
  warn: (message: string) => void;
  progress?: (daysDone: number, daysTotal: number) => void;
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
  const candlesOf = sessionCandleLookup(data, params.intervalMinutes, params.sessionStart, sessionEnd);
  const stats = dayStatsCache(candlesOf);
  const priorDates = datesBySymbol(data);

  const dates = [...data.byDay.keys()]
    .filter((d) => (!options.from || d >= options.from) && (!options.to || d <= options.to))
    .sort();
  const trades: Trade[] = [];
  const signals: SignalRecord[] = [];
  const days: DayResult[] = [];
  let candleCount = 0;

  dates.forEach((date, dayIndex) => {
    options.progress?.(dayIndex, dates.length);
    if (!calendar.isTradingDay(date)) {
      warn(
        `${date}: not a trading day (${calendar.holidayName(date) ?? "weekend"}); its candles are not traded`,
      );
      return;
    }
    const pick = pickUniverse(
      date,
      data.byDay.get(date) as Map<string, CandleSeries>,
      underlying,
      config,
      master,
      candlesOf,
    );
    if (pick.warning) warn(pick.warning);
    const previousDay = calendar.previousTradingDay(date);
    const setups: ContractSetup[] = pick.contracts.map(({ symbol, option }) => {
      const bar = stats.of(symbol, previousDay).bar;
      const pivots = bar ? classicPivots(bar) : null;
      return {
        symbol,
        strike: option.strike,
        optionType: option.optionType,
        quantity: config.trading.lots * (master?.find(symbol, "BFO")?.lotSize ?? config.trading.lot_size),
        pivots,
        structure: pivots ? structureOf(pivots, config.trading.structure_neutral_band) : null,
        priorSizes: priorSizes(symbol, date, priorDates, stats, params.windowSize),
      };
    });

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
    const series = setups.map((s) => stats.remember(s.symbol, date, candlesOf(s.symbol, date)));
    const dayCandles = replayDay(day, series, params.sessionStart, sessionEnd, params.intervalMinutes);
    day.finish();
    candleCount += dayCandles;
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
      candles: dayCandles,
      ...summarize(dayTrades),
    });
  });
  options.progress?.(dates.length, dates.length);

  return {
    trades,
    signals,
    days,
    summary: {
      days: days.length,
      from: days[0]?.date ?? null,
      to: days[days.length - 1]?.date ?? null,
      candles: candleCount,
      ...summarize(trades),
    },
  };
}

/**
 * Feeds a day's candles to the strategy close by close. Every series is on the session grid,
 * so one pointer per contract walks them in step without sorting or allocating.
 */
function replayDay(
  day: StrategyDay,
  series: readonly (readonly Candle[])[],
  sessionStart: number,
  sessionEnd: number,
  interval: number,
): number {
  const next = new Int32Array(series.length);
  let fed = 0;
  for (let start = sessionStart; start < sessionEnd; start += interval) {
    let any = false;
    for (let i = 0; i < series.length; i++) {
      const list = series[i] as readonly Candle[];
      const c = list[next[i] as number];
      if (c !== undefined && c.start === start) {
        day.onCandle(i, c);
        next[i] = (next[i] as number) + 1;
        fed++;
        any = true;
      }
    }
    if (any) day.onClose(start + interval);
  }
  return fed;
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
  date: IsoDate,
  symbols: ReadonlyMap<string, CandleSeries>,
  underlying: string,
  config: Config,
  master: InstrumentMaster | undefined,
  candlesOf: (symbol: string, date: IsoDate) => readonly Candle[],
): UniversePick {
  const options: UniverseContract[] = [];
  for (const symbol of [...symbols.keys()].sort()) {
    const option = parseOptionSymbol(symbol, underlying);
    if (option) options.push({ symbol, option });
  }
  const index = candlesOf(underlying, date);
  const firstIndexCandle = index[0];
  if (!firstIndexCandle) {
    return { source: "ALL_CONTRACTS", contracts: options, spot: null, atm: null, expiry: null };
  }
  const spot = firstIndexCandle.open;
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
  stats: DayStatsCache,
  count: number,
): number[] {
  const dates = priorDates.get(symbol) ?? [];
  const sizes: number[] = [];
  for (let i = dates.length - 1; i >= 0 && sizes.length < count; i--) {
    const d = dates[i] as IsoDate;
    if (d >= date) continue;
    const daySizes = stats.of(symbol, d).sizes;
    for (let k = daySizes.length - 1; k >= 0 && sizes.length < count; k--) sizes.push(daySizes[k] as number);
  }
  return sizes.reverse();
}

/** What later days need of a contract's day: its daily bar (pivots) and candle sizes (significance). */
interface DayStats {
  bar: DailyBar | null;
  sizes: Float64Array;
}

interface DayStatsCache {
  /** The stats of a symbol's day, computed once. */
  of(symbol: string, date: IsoDate): DayStats;
  /** Records the stats of candles already at hand and passes them through. */
  remember(symbol: string, date: IsoDate, candles: readonly Candle[]): readonly Candle[];
}

/**
 * Keeps each contract-day's stats, which are small, instead of its candles, which would be
 * kept alive across days and cost far more (see CandleSeries).
 */
function dayStatsCache(candlesOf: (symbol: string, date: IsoDate) => readonly Candle[]): DayStatsCache {
  const cache = new Map<string, DayStats>();
  const compute = (candles: readonly Candle[]): DayStats => {
    const sizes = new Float64Array(candles.length);
    for (let i = 0; i < candles.length; i++) sizes[i] = candleSize(candles[i] as Candle);
    return { bar: dailyBarOf(candles), sizes };
  };
  return {
    of(symbol, date) {
      const key = `${date} ${symbol}`;
      let s = cache.get(key);
      if (!s) {
        s = compute(candlesOf(symbol, date));
        cache.set(key, s);
      }
      return s;
    },
    remember(symbol, date, candles) {
      const key = `${date} ${symbol}`;
      if (!cache.has(key)) cache.set(key, compute(candles));
      return candles;
    },
  };
}

/** The dates each symbol has candles on, ascending. */
function datesBySymbol(data: CandleData): Map<string, IsoDate[]> {
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

/**
 * Looks up a symbol's candles of a day on the session grid, made afresh on each call: callers
 * keep them only as long as they need them.
 */
export function sessionCandleLookup(
  data: CandleData,
  interval: number,
  sessionStart: number,
  sessionEnd: number,
): (symbol: string, date: IsoDate) => readonly Candle[] {
  return (symbol, date) => {
    const series = data.byDay.get(date)?.get(symbol);
    return series ? toSessionCandles(series.toCandles(), interval, sessionStart, sessionEnd) : [];
  };
}
