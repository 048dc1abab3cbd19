/*
 * The underlyings the system trades (`trading.instrument`): where the index and its options
 * are listed, the strike step, the weekly expiry and the exchange's holidays and charges. The
 * rest of the system asks the profile instead of writing "BFO" or "SENSEX" (KITE.md: "SENSEX
 * on BSE", "NIFTY on NSE").
 */
import { BSE_HOLIDAYS } from "./bse-holidays.js";
import { TradingCalendar } from "./calendar.js";
import { addDays, type IsoDate, weekdayOf } from "./ist.js";
import { NSE_HOLIDAYS } from "./nse-holidays.js";

export type IndexExchange = "BSE" | "NSE";
export type OptionExchange = "BFO" | "NFO";

export interface UnderlyingProfile {
  /** The name of the options in the master (`name` column) and in their symbols. */
  name: string;
  /** The index row: `EXCHANGE:SYMBOL` as Kite quotes it (`BSE:SENSEX`, `NSE:NIFTY 50`). */
  index: { exchange: IndexExchange; tradingsymbol: string; instrumentToken: number };
  /** Where the options trade, and their segment in the master. */
  optionExchange: OptionExchange;
  optionSegment: `${OptionExchange}-OPT`;
  /** Strike interval near the money (`trading.strike_interval` default). */
  strikeStep: number;
  /** Strikes each side of the ATM by default (`trading.strike_range` = 5 steps: 11 strikes). */
  defaultStrikeRange: number;
  /** Lot size used only without a master (`trading.lot_size` default); the master's wins. */
  fallbackLotSize: number;
  /** Weekday of the weekly expiry (0 Sunday … 6 Saturday); a holiday moves it to the previous trading day. */
  weeklyExpiryWeekday: number;
  /** The exchange's built-in trading holidays. */
  holidays: ReadonlyMap<IsoDate, string>;
  /** Exchange transaction charge on options, percent of the premium (`charges.exchange_pct` default). */
  exchangeChargePct: number;
  /** A typical index level, where synthetic markets start. */
  typicalLevel: number;
}

const STRIKES_EACH_SIDE = 5;

const SENSEX: UnderlyingProfile = {
  name: "SENSEX",
  index: { exchange: "BSE", tradingsymbol: "SENSEX", instrumentToken: 265 },
  optionExchange: "BFO",
  optionSegment: "BFO-OPT",
  strikeStep: 100,
  defaultStrikeRange: STRIKES_EACH_SIDE * 100,
  fallbackLotSize: 20,
  weeklyExpiryWeekday: 4, // Thursday since 1 Sep 2025
  holidays: BSE_HOLIDAYS,
  exchangeChargePct: 0.0325,
  typicalLevel: 80_000,
};

const NIFTY: UnderlyingProfile = {
  name: "NIFTY",
  index: { exchange: "NSE", tradingsymbol: "NIFTY 50", instrumentToken: 256265 },
  optionExchange: "NFO",
  optionSegment: "NFO-OPT",
  strikeStep: 50,
  defaultStrikeRange: STRIKES_EACH_SIDE * 50,
  fallbackLotSize: 65, // contracts from January 2026 (75 before)
  weeklyExpiryWeekday: 2, // Tuesday since 1 Sep 2025
  holidays: NSE_HOLIDAYS,
  // NSE's options transaction charge (Zerodha's charges page); BSE's is 0.0325.
  exchangeChargePct: 0.03503,
  typicalLevel: 25_000,
};

const PROFILES: ReadonlyMap<string, UnderlyingProfile> = new Map([
  [SENSEX.name, SENSEX],
  [NIFTY.name, NIFTY],
]);

/** The names `trading.instrument` accepts. */
export const SUPPORTED_UNDERLYINGS: readonly string[] = [...PROFILES.keys()];

/** An underlying the system does not know. */
export class UnknownUnderlyingError extends Error {}

/** The profile of `name`, undefined for an underlying the system does not trade. */
export function findUnderlyingProfile(name: string): UnderlyingProfile | undefined {
  return PROFILES.get(name);
}

/** The profile of `name`; throws naming the supported underlyings when there is none. */
export function underlyingProfile(name: string): UnderlyingProfile {
  const profile = PROFILES.get(name);
  if (!profile) {
    throw new UnknownUnderlyingError(
      `unsupported underlying "${name}": expected one of ${SUPPORTED_UNDERLYINGS.join(", ")}`,
    );
  }
  return profile;
}

/** The exchanges whose instrument masters list the underlying: its options', then its index's. */
export function masterExchangesOf(profile: UnderlyingProfile): [OptionExchange, IndexExchange] {
  return [profile.optionExchange, profile.index.exchange];
}

/** The underlying's exchange calendar: its built-in holidays plus `extraHolidays` (`market.holidays`). */
export function calendarOf(
  profile: UnderlyingProfile,
  extraHolidays: readonly IsoDate[] = [],
): TradingCalendar {
  return new TradingCalendar(extraHolidays, profile.holidays);
}

/**
 * The weekly expiry of the week of `date` on or after it: the profile's weekday, moved to the
 * previous trading day when that is a holiday. Synthetic markets use it; trading reads expiries
 * from the master, which already holds the exchange's moves.
 */
export function weeklyExpiryOnOrAfter(
  profile: Pick<UnderlyingProfile, "weeklyExpiryWeekday">,
  calendar: TradingCalendar,
  date: IsoDate,
): IsoDate {
  const expiryDay = addDays(date, (profile.weeklyExpiryWeekday - weekdayOf(date) + 7) % 7);
  const expiry = calendar.onOrBefore(expiryDay);
  // A holiday on the expiry weekday can move the expiry before `date` (Tuesday a holiday, asked
  // on that Tuesday): the contracts trading on `date` are then the next week's.
  return expiry >= date ? expiry : weeklyExpiryOnOrAfter(profile, calendar, addDays(expiryDay, 1));
}
