import type { Config } from "../config/schema.js";
import type { TradingCalendar } from "../domain/calendar.js";
import type { InstrumentMaster } from "../domain/instruments.js";
import type { IsoDate } from "../domain/ist.js";
import type { CandleData } from "./candle-directory.js";
import { memoFor } from "./data-memo.js";

/**
 * The days' prepared setups, remembered per data set for the settings they depend on: the
 * universe (underlying, strike window, lot sizes), the structure band, the candle grid and the
 * calendar. An optimisation's runs that vary only the strategy's other rules (percentile,
 * limits, timeouts) prepare each day once. With an instrument master (lot sizes and expiries
 * from it) nothing is remembered: the lab never passes one.
 */
export function daySetupMemo<Day>(options: {
  config: Config;
  data: CandleData;
  calendar: TradingCalendar;
  master?: InstrumentMaster;
  dataDir?: string;
}): (date: IsoDate, prepare: () => Day) => Day {
  const { config, data, calendar, master } = options;
  if (master) return (_date, prepare) => prepare();
  const key = daySetupSettingsKey(config, options.dataDir);
  const byCalendar = memoFor(
    data,
    `day setups ${key}`,
    () => new WeakMap<TradingCalendar, Map<IsoDate, Day>>(),
  );
  let days = byCalendar.get(calendar);
  if (!days) {
    days = new Map();
    byCalendar.set(calendar, days);
  }
  const known = days;
  return (date, prepare) => {
    let day = known.get(date);
    if (!day) {
      day = prepare();
      known.set(date, day);
    }
    return day;
  };
}

/**
 * The settings a day's prepared setups depend on (the universe, the structure band, the candle
 * grid, the data). One list for the memo and the stored setups (day-setup-store.ts): a setting
 * left out would reuse days prepared for other settings.
 */
export function daySetupSettingsKey(config: Config, dataDir: string | undefined): string {
  const t = config.trading;
  return JSON.stringify([
    t.instrument,
    t.strike_range,
    t.strike_interval,
    t.lots,
    t.lot_size,
    t.structure_neutral_band,
    t.candle_interval_minutes,
    config.market.start_time,
    config.market.end_time,
    dataDir ?? null,
  ]);
}
