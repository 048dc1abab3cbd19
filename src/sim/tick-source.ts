/**
 * The ticks of any contract on any day of the data, made once and kept: the replay plays the
 * replay day's, historical candles are built from them, so both always agree.
 */
import type { IsoDate } from "../domain/ist.js";
import type { SimInstrument } from "./instruments.js";
import type { SimMarketData } from "./market-data.js";
import { dayTicks, type PathTick } from "./tick-path.js";

/** Ticks by instrument and day, generated on first use. */
export class TickSource {
  private readonly cache = new Map<string, PathTick[]>();

  constructor(
    private readonly data: SimMarketData,
    private readonly seed: number,
  ) {}

  /** The instrument's ticks of `day` (empty when the data has no candles for it). */
  ticks(instrument: SimInstrument, day: IsoDate): PathTick[] {
    const symbol = this.dataSymbolOf(instrument);
    const key = `${symbol}|${day}`;
    let ticks = this.cache.get(key);
    if (!ticks) {
      const series = this.data.byDay.get(day)?.get(symbol);
      ticks = series
        ? dayTicks(series, symbol, day, this.data.intervalMinutes, instrument.tickSize, this.seed)
        : [];
      this.cache.set(key, ticks);
    }
    return ticks;
  }

  /** The instrument's last close before `day` in the data (its previous close), or 0. */
  previousClose(instrument: SimInstrument, day: IsoDate): number {
    for (let i = this.data.days.length - 1; i >= 0; i--) {
      const d = this.data.days[i] as IsoDate;
      if (d >= day) continue;
      const series = this.data.byDay.get(d)?.get(this.dataSymbolOf(instrument));
      if (series && series.length > 0) return series.at(series.length - 1).close;
    }
    return 0;
  }

  /** The data names the index by its underlying (`NIFTY`), Kite by its own symbol (`NIFTY 50`). */
  private dataSymbolOf(instrument: SimInstrument): string {
    return instrument.isIndex ? this.data.underlying : instrument.tradingsymbol;
  }
}
