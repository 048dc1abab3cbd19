import type { Clock } from "../../ports/clock.js";
import type { CandleRequest, DayCandles, MarketHistory } from "../../ports/history.js";
import { fetchHistoricalCandles, intervalOfMinutes } from "./historical.js";
import { loadInstrumentMaster } from "./instrument-cache.js";
import { type KiteResult, kiteFail } from "./kite-errors.js";
import type { KiteExchange, KiteRest } from "./kite-rest.js";

export interface KiteHistoryOptions {
  kite: Pick<KiteRest, "ltp" | "historical" | "instruments" | "hasAccessToken">;
  /** `data.cache_dir`: the instrument master cache. */
  cacheDir: string;
  clock: Clock;
}

const KITE_EXCHANGES: readonly string[] = ["BFO", "BSE", "NFO", "NSE"] satisfies readonly KiteExchange[];

function isKiteExchange(exchange: string): exchange is KiteExchange {
  return KITE_EXCHANGES.includes(exchange);
}

/** The market-history port over Kite's REST API (and so its rate limiter). */
export class KiteHistory implements MarketHistory {
  constructor(private readonly o: KiteHistoryOptions) {}

  hasSession(): boolean {
    return this.o.kite.hasAccessToken();
  }

  /** Ranges are split to Kite's per-request limits (historical.ts). */
  candles(request: CandleRequest): Promise<KiteResult<DayCandles>> {
    const interval = intervalOfMinutes(request.intervalMinutes);
    if (!interval) {
      return Promise.resolve(
        kiteFail({ kind: "input", message: `Kite has no ${request.intervalMinutes}-minute candles` }),
      );
    }
    const { instrumentToken, from, to } = request;
    return fetchHistoricalCandles(this.o.kite, { instrumentToken, interval, from, to });
  }

  async instrumentMaster(
    exchanges: readonly string[],
    warn: (message: string) => void,
  ): Promise<Awaited<ReturnType<MarketHistory["instrumentMaster"]>>> {
    const unknown = exchanges.filter((e) => !isKiteExchange(e));
    if (unknown.length > 0) return { ok: false, message: `Kite has no exchange ${unknown.join(", ")}` };
    const { kite, cacheDir, clock } = this.o;
    const kiteExchanges = exchanges.filter(isKiteExchange);
    const loaded = await loadInstrumentMaster({ kite, cacheDir, clock, warn, exchanges: kiteExchanges });
    return loaded.ok ? { ok: true, master: loaded.master } : { ok: false, message: loaded.message };
  }

  async lastPrice(exchange: string, tradingsymbol: string): Promise<KiteResult<number | null>> {
    const key = `${exchange}:${tradingsymbol}`;
    const got = await this.o.kite.ltp([key]);
    if (!got.ok) return got;
    const price = got.value[key]?.last_price;
    return { ok: true, value: typeof price === "number" ? price : null };
  }
}
