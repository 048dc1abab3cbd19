/*
 * The day's universe (STRATEGY.md section 1) and what the strategy needs per contract
 * (section 3), as pure functions of the instrument master, the spot and the configuration.
 * The engine fetches (master, spot, daily candles, recent candles) and stores; this plans.
 */

import type { Config } from "../config/schema.js";
import {
  atmStrike,
  dayUniverse,
  type InstrumentMaster,
  type OptionContract,
  universeStrikes,
} from "../domain/instruments.js";
import type { IsoDate } from "../domain/ist.js";
import type { HighLowClose } from "../domain/pivots.js";
import { classicPivots, structureOf } from "../domain/pivots.js";
import { SIGNIFICANCE_WINDOW } from "../strategy/params.js";
import type { ContractSetup } from "../strategy/types.js";

/** The configuration the universe plan reads. */
export interface UniverseConfig {
  /** Underlying name in the master (`SENSEX`). */
  underlying: string;
  strikeRange: number;
  strikeInterval: number;
  lots: number;
  /** Premium points within which a structure is NEUTRAL. */
  neutralBand: number;
}

/** The universe settings from a validated configuration. */
export function universeConfigFrom(config: Config): UniverseConfig {
  const t = config.trading;
  return {
    underlying: t.instrument,
    strikeRange: t.strike_range,
    strikeInterval: t.strike_interval,
    lots: t.lots,
    neutralBand: t.structure_neutral_band,
  };
}

/** The contracts of a day: one expiry, the ATM window, CE and PE. */
export interface UniversePlan {
  date: IsoDate;
  expiry: IsoDate;
  /** The ATM the window was built around (pre-market). */
  atm: number;
  /** Master rows (instrument token, lot size, tradingsymbol), by strike then CE before PE. */
  contracts: OptionContract[];
  /** `<strike><CE|PE>` of window strikes the master does not list (reported, not traded). */
  missing: string[];
}

/** The day's universe around `spot`: nearest expiry on or after `date`; null when the master lists none. */
export function planUniverse(
  master: InstrumentMaster,
  date: IsoDate,
  spot: number,
  cfg: UniverseConfig,
): UniversePlan | null {
  const u = dayUniverse(master, cfg.underlying, date, spot, cfg.strikeRange, cfg.strikeInterval);
  return u ? { date, expiry: u.expiry, atm: u.atm, contracts: u.contracts, missing: u.missing } : null;
}

/** Contracts the gap rule adds at the open. */
export interface GapAdditions {
  /** True when the open is more than strike_range / 2 from the pre-market ATM. */
  gapped: boolean;
  /** ATM of the open spot. */
  openAtm: number;
  /** Contracts of the new ATM window not yet in the universe, same expiry. */
  added: OptionContract[];
  /** `<strike><CE|PE>` of new window strikes the master does not list. */
  missing: string[];
}

/**
 * The gap rule: when the 09:15 spot is more than `strike_range / 2` from the pre-market ATM,
 * the strikes of the window around the new ATM that the universe lacks, as contracts of the
 * universe's expiry; nothing otherwise (exactly half the range is not a gap).
 */
export function gapAdditions(
  master: InstrumentMaster,
  universe: Pick<UniversePlan, "expiry" | "atm" | "contracts">,
  openSpot: number,
  cfg: UniverseConfig,
): GapAdditions {
  const openAtm = atmStrike(openSpot, cfg.strikeInterval);
  const gapped = Math.abs(openSpot - universe.atm) > cfg.strikeRange / 2;
  const added: OptionContract[] = [];
  const missing: string[] = [];
  if (!gapped) return { gapped, openAtm, added, missing };
  // By symbol, not strike: float strikes are never compared for equality.
  const have = new Set(universe.contracts.map((c) => c.tradingsymbol));
  const oldStrikes = universeStrikes(universe.atm, cfg.strikeRange, cfg.strikeInterval);
  const half = cfg.strikeInterval / 2;
  for (const strike of universeStrikes(openAtm, cfg.strikeRange, cfg.strikeInterval)) {
    const inOldWindow = oldStrikes.some((s) => Math.abs(s - strike) < half);
    for (const type of ["CE", "PE"] as const) {
      const c = master.option(cfg.underlying, universe.expiry, strike, type);
      if (c) {
        if (!have.has(c.tradingsymbol)) added.push(c);
      } else if (!inOldWindow) missing.push(`${strike}${type}`); // old-window gaps were reported at pre-market
    }
  }
  return { gapped, openAtm, added, missing };
}

/**
 * What the strategy needs per contract: pivots and structure from the previous day's bar
 * (none without a bar: not traded today), quantity = lots × the master's lot size, and the
 * last SIGNIFICANCE_WINDOW candle sizes before today. Throws on a contract without a lot size,
 * since trading it would send a zero-quantity order.
 */
export function contractSetups(
  universe: readonly OptionContract[],
  dailyBars: ReadonlyMap<string, HighLowClose>,
  priorSizes: ReadonlyMap<string, readonly number[]>,
  cfg: Pick<UniverseConfig, "lots" | "neutralBand">,
): ContractSetup[] {
  return universe.map((c) => {
    if (!(c.lotSize > 0)) throw new Error(`instrument master: ${c.tradingsymbol} has no lot size`);
    const bar = dailyBars.get(c.tradingsymbol);
    const pivots = bar ? classicPivots(bar) : null;
    return {
      symbol: c.tradingsymbol,
      strike: c.strike,
      optionType: c.instrumentType,
      quantity: cfg.lots * c.lotSize,
      pivots,
      structure: pivots ? structureOf(pivots, cfg.neutralBand) : null,
      priorSizes: (priorSizes.get(c.tradingsymbol) ?? []).slice(-SIGNIFICANCE_WINDOW),
    };
  });
}
