/*
 * How the trading service opens a live day: the LiveDay built from the prepared day and the
 * configuration (the gap rule's additions prepared and stored with the universe, so that a
 * restart trades the same contracts), and, for a day started after the open, the day's history
 * to replay (today's recorded candles and Kite's minute candles).
 */

import type { Config } from "../config/schema.js";
import type { OptionContract } from "../domain/instruments.js";
import { type IsoDate, parseHhmm } from "../domain/ist.js";
import type { Clock } from "../ports/clock.js";
import type { CandleHistory } from "../ports/history.js";
import type { Store } from "../ports/store.js";
import { strategyParamsFrom } from "../strategy/params.js";
import type { ContractSetup } from "../strategy/types.js";
import { type DayHistory, loadDayHistory } from "./day-history.js";
import { LiveDay } from "./live-day.js";
import { type PreMarketDeps, type PreparedDay, prepareContracts, universeContractsOf } from "./pre-market.js";
import { universeConfigFrom } from "./universe-plan.js";

export interface LiveDayOpeningDeps {
  config: Config;
  clock: Clock;
  store: Store;
  preMarket: PreMarketDeps;
  /** The day so far after a restart: the minute candles the service missed. */
  history: CandleHistory;
  /** LiveDay's close grace (default: LiveDay's). */
  graceMs?: number | undefined;
  /** A contract the gap rule adds: its ticks are routed from now on. */
  follow: (contract: OptionContract) => void;
  warn: (message: string) => void;
}

/** The day's LiveDay, not yet started; `resuming`: a day started after the open (see live-day.ts). */
export function createLiveDay(
  d: LiveDayOpeningDeps,
  date: IsoDate,
  prepared: PreparedDay,
  resuming: boolean,
): LiveDay {
  const { config } = d;
  return new LiveDay({
    date,
    params: strategyParamsFrom(config),
    sessionEnd: parseHhmm(config.market.end_time),
    clock: d.clock,
    plan: prepared.plan,
    setups: prepared.setups,
    indexToken: prepared.index.instrumentToken,
    store: d.store,
    master: prepared.master,
    universeConfig: universeConfigFrom(config),
    prepareAdditions: async (contracts) => {
      for (const c of contracts) d.follow(c);
      const r = await prepareContracts(d.preMarket, date, contracts);
      if (r.ok) storeAdditions(d.store, date, contracts, r.value);
      return r.ok ? r.value : null;
    },
    resuming,
    ...(d.graceMs !== undefined ? { graceMs: d.graceMs } : {}),
  });
}

/** The gap rule's additions join the stored universe: a restart trades the same contracts. */
function storeAdditions(
  store: Store,
  date: IsoDate,
  contracts: readonly OptionContract[],
  setups: ContractSetup[],
): void {
  const stored = store.universe.get(date);
  if (!stored) return;
  store.universe.replace({
    ...stored,
    contracts: [...stored.contracts, ...universeContractsOf(contracts, setups)],
  });
}

/**
 * The history of a day started after the open, for LiveDay.resume: today's recorded candles and
 * Kite's minute candles of the universe, up to now.
 */
export function loadLiveDayHistory(
  d: LiveDayOpeningDeps,
  date: IsoDate,
  prepared: PreparedDay,
  sessionStart: number,
): Promise<DayHistory> {
  const { config, store, clock } = d;
  const grid = {
    intervalMinutes: config.trading.candle_interval_minutes,
    sessionStart,
    sessionEnd: parseHhmm(config.market.end_time),
  };
  return loadDayHistory(
    { history: d.history, warn: d.warn },
    date,
    prepared.plan.contracts.map((c) => ({ symbol: c.tradingsymbol, instrumentToken: c.instrumentToken })),
    store.candles.day(date),
    grid,
    clock.now(),
  );
}
