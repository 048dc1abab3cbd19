/*
 * Pre-market preparation of a trading day (STRATEGY.md sections 1, 3, 4): the instrument
 * master, the spot, the universe, and per contract the previous trading day's bar (pivots)
 * and the last candle sizes before today (the significance window), all through KiteRest
 * (and so its rate limiter). The universe is stored; expected failures are returned typed.
 */

import type { Config } from "../config/schema.js";
import type { TradingCalendar } from "../domain/calendar.js";
import { type Candle, candleSize, type DailyBar, dailyBarOf } from "../domain/candle.js";
import type { Instrument, InstrumentMaster, OptionContract } from "../domain/instruments.js";
import { addDays, type IsoDate, istPartsOf, parseHhmm } from "../domain/ist.js";
import { masterExchangesOf, underlyingProfile } from "../domain/underlyings.js";
import type { BrokerFailure } from "../ports/broker.js";
import type { Clock } from "../ports/clock.js";
import type { MarketHistory } from "../ports/history.js";
import type { Store } from "../ports/store.js";
import type { UniverseContract } from "../ports/store-records.js";
import { SIGNIFICANCE_WINDOW } from "../strategy/params.js";
import type { ContractSetup } from "../strategy/types.js";
import { contractSetups, planUniverse, type UniversePlan, universeConfigFrom } from "./universe-plan.js";

/** Calendar days before the previous trading day searched for the significance window. */
const PRIOR_LOOKBACK_DAYS = 10;

/** What pre-market preparation needs. */
export interface PreMarketDeps {
  /** The instrument master, candles and the index's price (adapters/kite KiteHistory). */
  history: MarketHistory;
  clock: Clock;
  calendar: TradingCalendar;
  config: Config;
  /**
   * Where the universe is stored (left out in dry runs). A universe already stored for the day
   * is the day's (a restart keeps the contracts chosen at the pre-market and by the gap rule,
   * whatever the spot is now).
   */
  store?: Pick<Store, "universe">;
  warn?: (message: string) => void;
}

/** Why a day could not be prepared. */
export type PreMarketFailure =
  | { kind: "NO_SESSION"; message: string }
  | { kind: "NO_MASTER"; message: string }
  | { kind: "NO_SPOT"; message: string }
  | { kind: "NO_UNIVERSE"; message: string };

/** A prepared day: what LiveDay needs. */
export interface PreparedDay {
  date: IsoDate;
  master: InstrumentMaster;
  /** The index row (its token is subscribed for the gap rule). */
  index: Instrument;
  spot: number;
  /**
   * Where the spot came from: the index's LTP (pre-market), its 09:15 open (market already
   * open), or the universe stored earlier today (a restart).
   */
  spotSource: "ltp" | "open" | "stored";
  plan: UniversePlan;
  /** One per `plan.contracts`, same order. */
  setups: ContractSetup[];
}

export type PrepareResult = { ok: true; day: PreparedDay } | { ok: false; failure: PreMarketFailure };

/** Prepares `date`: master, spot, universe, pivots and significance windows; stores the universe. */
export async function prepareDay(deps: PreMarketDeps, date: IsoDate): Promise<PrepareResult> {
  const warn = deps.warn ?? (() => {});
  if (!deps.history.hasSession()) return fail("NO_SESSION", "no broker session: log in first");
  const cfg = universeConfigFrom(deps.config);
  const profile = underlyingProfile(cfg.underlying);
  const loaded = await deps.history.instrumentMaster(masterExchangesOf(profile), warn);
  if (!loaded.ok) return fail("NO_MASTER", loaded.message);
  const master = loaded.master;
  const index = master.indexOf(cfg.underlying);
  if (!index) {
    const { exchange, tradingsymbol } = profile.index;
    return fail("NO_MASTER", `the instrument master has no ${exchange}:${tradingsymbol} index row`);
  }

  const stored = deps.store?.universe.get(date) ?? null;
  if (stored && stored.spot !== null && stored.atm !== null && stored.expiry !== null) {
    const contracts = stored.contracts
      .map((c) => master.find(c.symbol, profile.optionExchange))
      .filter(
        (c): c is OptionContract =>
          c !== undefined && c.expiry !== null && (c.instrumentType === "CE" || c.instrumentType === "PE"),
      );
    if (contracts.length === stored.contracts.length && contracts.length > 0) {
      const plan: UniversePlan = { date, expiry: stored.expiry, atm: stored.atm, contracts, missing: [] };
      const setups = await prepareContracts(deps, date, contracts);
      if (!setups.ok) return { ok: false, failure: setups.failure };
      return {
        ok: true,
        day: { date, master, index, spot: stored.spot, spotSource: "stored", plan, setups: setups.value },
      };
    }
    warn(`${date}: the stored universe does not match the instrument master; choosing it again`);
  }

  const spot = await spotOf(deps, date, index);
  if (!spot.ok) return { ok: false, failure: spot.failure };

  const plan = planUniverse(master, date, spot.value, cfg);
  if (!plan || plan.contracts.length === 0) {
    return fail(
      "NO_UNIVERSE",
      `${date}: the master lists no ${cfg.underlying} option expiring on or after it`,
    );
  }
  if (plan.missing.length > 0) warn(`${date}: the master lacks ${plan.missing.join(", ")} of the ATM window`);

  const setups = await prepareContracts(deps, date, plan.contracts);
  if (!setups.ok) return { ok: false, failure: setups.failure };

  deps.store?.universe.replace({
    date,
    underlying: cfg.underlying,
    spot: spot.value,
    atm: plan.atm,
    expiry: plan.expiry,
    contracts: universeContractsOf(plan.contracts, setups.value),
  });
  return {
    ok: true,
    day: { date, master, index, spot: spot.value, spotSource: spot.source, plan, setups: setups.value },
  };
}

/** Contracts and their setups (same order) as the universe table stores them. */
export function universeContractsOf(
  contracts: readonly OptionContract[],
  setups: readonly ContractSetup[],
): UniverseContract[] {
  return contracts.map((c, i) => {
    const s = setups[i] as ContractSetup;
    return {
      symbol: c.tradingsymbol,
      instrumentToken: c.instrumentToken,
      strike: c.strike,
      optionType: c.instrumentType,
      quantity: s.quantity,
      structure: s.structure,
      pivots: s.pivots,
    };
  });
}

/**
 * The ContractSetups of contracts (pre-market, and the gap rule's additions at the open): the
 * previous trading day's 3-minute candles give the pivots, the last SIGNIFICANCE_WINDOW candles
 * before `date` (across days) the window. A contract whose history cannot be fetched gets no
 * pivots (it is not traded today) with a warning; an expired session fails the whole.
 */
export async function prepareContracts(
  deps: Pick<PreMarketDeps, "history" | "calendar" | "config" | "warn">,
  date: IsoDate,
  contracts: readonly OptionContract[],
): Promise<{ ok: true; value: ContractSetup[] } | { ok: false; failure: PreMarketFailure }> {
  const warn = deps.warn ?? (() => {});
  const minutes = deps.config.trading.candle_interval_minutes;
  const previousDay = deps.calendar.previousTradingDay(date);
  const sessionStart = parseHhmm(deps.config.market.start_time);
  const sessionEnd = parseHhmm(deps.config.market.end_time);
  const bars = new Map<string, DailyBar>();
  const priors = new Map<string, number[]>();
  for (const c of contracts) {
    const got = await deps.history.candles({
      instrumentToken: c.instrumentToken,
      intervalMinutes: minutes,
      from: addDays(previousDay, -PRIOR_LOOKBACK_DAYS),
      to: previousDay,
    });
    if (!got.ok) {
      if (isSessionFailure(got.error)) return fail("NO_SESSION", `historical candles: ${got.error.message}`);
      warn(`${c.tradingsymbol}: historical candles unavailable (${got.error.message}); not traded today`);
      continue;
    }
    const inSession = (list: readonly Candle[]) =>
      list.filter((k) => k.start >= sessionStart && k.start < sessionEnd);
    const bar = dailyBarOf(inSession(got.value.days.get(previousDay) ?? []));
    if (bar) bars.set(c.tradingsymbol, bar);
    const sizes: number[] = [];
    const days = [...got.value.days.keys()].filter((d) => d < date).sort();
    for (let i = days.length - 1; i >= 0 && sizes.length < SIGNIFICANCE_WINDOW; i--) {
      const list = inSession(got.value.days.get(days[i] as IsoDate) ?? []);
      for (let k = list.length - 1; k >= 0 && sizes.length < SIGNIFICANCE_WINDOW; k--)
        sizes.push(candleSize(list[k] as Candle));
    }
    priors.set(c.tradingsymbol, sizes.reverse());
  }
  const cfg = universeConfigFrom(deps.config);
  try {
    return { ok: true, value: contractSetups(contracts, bars, priors, cfg) };
  } catch (e) {
    return fail("NO_MASTER", (e as Error).message);
  }
}

/**
 * The spot the universe is built around: before the session the index's LTP; once the
 * session has started, the index's 09:15 open (from historical candles), which is what the
 * backtest uses and what the gap rule would move the window to anyway.
 */
async function spotOf(
  deps: PreMarketDeps,
  date: IsoDate,
  index: Instrument,
): Promise<{ ok: true; value: number; source: "ltp" | "open" } | { ok: false; failure: PreMarketFailure }> {
  const now = istPartsOf(deps.clock.now());
  const sessionStart = parseHhmm(deps.config.market.start_time);
  const open = now.date > date || (now.date === date && now.minute >= sessionStart);
  if (open) {
    const got = await deps.history.candles({
      instrumentToken: index.instrumentToken,
      intervalMinutes: 1,
      from: date,
      to: date,
    });
    if (!got.ok && isSessionFailure(got.error))
      return fail("NO_SESSION", `index candles: ${got.error.message}`);
    const first = got.ok ? got.value.days.get(date)?.find((c) => c.start >= sessionStart) : undefined;
    if (first && first.open > 0) return { ok: true, value: first.open, source: "open" };
    // No completed candle yet (the first minute): the LTP is the open's best estimate.
  }
  const key = `${index.exchange}:${index.tradingsymbol}`;
  const ltp = await deps.history.lastPrice(index.exchange, index.tradingsymbol);
  if (!ltp.ok) {
    if (isSessionFailure(ltp.error)) return fail("NO_SESSION", `index LTP: ${ltp.error.message}`);
    return fail("NO_SPOT", `the ${key} LTP could not be read (${ltp.error.message})`);
  }
  const price = ltp.value;
  if (!(price !== null && price > 0)) return fail("NO_SPOT", `the broker returned no LTP for ${key}`);
  return { ok: true, value: price, source: "ltp" };
}

function isSessionFailure(f: BrokerFailure): boolean {
  return f.kind === "session_expired";
}

function fail(kind: PreMarketFailure["kind"], message: string): { ok: false; failure: PreMarketFailure } {
  return { ok: false, failure: { kind, message } };
}
