import type { Config } from "../config/schema.js";
import { parseHhmm } from "../domain/ist.js";
import type { StrategyParams } from "./types.js";

/** Number of previous candles the significance percentile looks at (STRATEGY.md section 4). */
export const SIGNIFICANCE_WINDOW = 20;

/** The strategy's parameters from a validated configuration. */
export function strategyParamsFrom(config: Config): StrategyParams {
  const c = config.charges;
  return {
    sessionStart: parseHhmm(config.market.start_time),
    eodExit: parseHhmm(config.market.eod_exit_time),
    intervalMinutes: config.trading.candle_interval_minutes,
    candleSizePercentile: config.trading.candle_size_percentile,
    windowSize: SIGNIFICANCE_WINDOW,
    maxCandlesTimeout: config.trading.max_candles_timeout,
    maxReEntries: config.trading.max_re_entries,
    maxTradesPerDay: config.risk_management.max_trades_per_day,
    maxDailyLoss: config.risk_management.max_daily_loss,
    charges: {
      brokeragePerOrder: c.brokerage_per_order,
      sttSellPct: c.stt_sell_pct,
      exchangePct: c.exchange_pct,
      sebiPerCrore: c.sebi_per_crore,
      gstPct: c.gst_pct,
      stampBuyPct: c.stamp_buy_pct,
    },
  };
}
