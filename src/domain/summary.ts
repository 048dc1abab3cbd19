import { paise } from "./charges.js";
import type { Trade } from "./trade.js";

/** The original system's daily-summary figures, plus charges and net P&L. */
export interface SummaryFigures {
  total_trades: number;
  wins: number;
  losses: number;
  /** Percent of trades with positive gross P&L; 0 without trades. */
  win_rate: number;
  gross_pnl: number;
  charges: number;
  net_pnl: number;
  /** Largest peak-to-trough fall of cumulative net P&L at trade exits, rupees (>= 0). */
  max_drawdown: number;
  trades_by_scenario: { "1": number; "2": number; "3": number };
  first_candle_entries: number;
  intraday_entries: number;
  stop_losses: number;
  targets: number;
  timeouts: number;
  eod_exits: number;
  max_daily_loss_exits: number;
}

/** The daily-summary figures of a list of trades, in the order they were closed. */
export function summarize(trades: readonly Trade[]): SummaryFigures {
  let wins = 0;
  let losses = 0;
  let gross = 0;
  let charges = 0;
  let peak = 0;
  let maxDrawdown = 0;
  const byScenario = { "1": 0, "2": 0, "3": 0 };
  const exits = {
    STOP_LOSS: 0,
    TARGET: 0,
    TIMEOUT: 0,
    EOD: 0,
    MAX_DAILY_LOSS: 0,
    STOP_FILLED: 0,
    PANIC: 0,
    EMERGENCY: 0,
    MANUAL: 0,
  };
  let firstCandle = 0;
  for (const t of trades) {
    if (t.pnl_rupees > 0) wins++;
    else if (t.pnl_rupees < 0) losses++;
    gross += t.pnl_rupees;
    charges += t.charges;
    // Net, like the equity curve it is read against: charges are lost money too.
    const net = gross - charges;
    if (net > peak) peak = net;
    if (peak - net > maxDrawdown) maxDrawdown = peak - net;
    byScenario[String(t.scenario) as "1" | "2" | "3"]++;
    exits[t.exit_reason]++;
    if (t.first_candle_entry) firstCandle++;
  }
  const total = trades.length;
  return {
    total_trades: total,
    wins,
    losses,
    win_rate: total === 0 ? 0 : Math.round((wins / total) * 10_000) / 100,
    gross_pnl: paise(gross),
    charges: paise(charges),
    net_pnl: paise(gross - charges),
    max_drawdown: paise(maxDrawdown),
    trades_by_scenario: byScenario,
    first_candle_entries: firstCandle,
    intraday_entries: total - firstCandle,
    // A protective stop filled at the broker (live) is a stop loss too.
    stop_losses: exits.STOP_LOSS + exits.STOP_FILLED,
    targets: exits.TARGET,
    timeouts: exits.TIMEOUT,
    eod_exits: exits.EOD,
    max_daily_loss_exits: exits.MAX_DAILY_LOSS,
  };
}
