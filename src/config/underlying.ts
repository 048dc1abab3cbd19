/*
 * The underlying a configuration trades (`trading.instrument`) and what follows from it: its
 * profile and its exchange's trading calendar with `market.holidays` added.
 */
import type { TradingCalendar } from "../domain/calendar.js";
import type { IsoDate } from "../domain/ist.js";
import { calendarOf, type UnderlyingProfile, underlyingProfile } from "../domain/underlyings.js";

interface UnderlyingSettings {
  trading: { instrument: string };
  market: { holidays: readonly IsoDate[] };
}

/** The profile of the configured underlying (validated by the schema, so always known). */
export function underlyingOf(config: Pick<UnderlyingSettings, "trading">): UnderlyingProfile {
  return underlyingProfile(config.trading.instrument);
}

/** The configured underlying's exchange calendar: its built-in holidays and `market.holidays`. */
export function tradingCalendarOf(config: UnderlyingSettings): TradingCalendar {
  return calendarOf(underlyingOf(config), config.market.holidays);
}
