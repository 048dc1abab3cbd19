/*
 * What a live trading day (live-day.ts) is given and what it emits: its options, its events,
 * the tick feed it listens to and the preparation of the gap rule's additions.
 */

import type { Candle } from "../domain/candle.js";
import type { InstrumentMaster, OptionContract } from "../domain/instruments.js";
import type { IsoDate } from "../domain/ist.js";
import type { Clock } from "../ports/clock.js";
import type { Store } from "../ports/store.js";
import type { ContractSetup, OpenPosition, SignalRecord, StrategyParams, Trade } from "../strategy/types.js";
import type { UniverseConfig, UniversePlan } from "./universe-plan.js";

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
   * replayed the day so far (LiveDay.resume, day-replay.ts).
   */
  resuming?: boolean;
  /** A replayed entry no older than this at the resume is still placed (default 60 s). */
  missedEntryMaxAgeMs?: number;
}
