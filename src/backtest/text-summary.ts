import { textTable } from "../cli/text-table.js";
import { formatMetrics } from "../lab/metrics-text.js";
import type { BacktestResult, SummaryFigures } from "./types.js";

/** The readable backtest summary: one row a day, the trades, and the overall figures. */
export function formatBacktestText(result: BacktestResult): string {
  const out: string[] = [];
  out.push("Days");
  out.push(
    textTable(
      ["date", "universe", "atm", "bullish", "signals", "trades", "won", "lost", "gross", "charges", "net"],
      result.days.map((d) => [
        d.date,
        d.contracts,
        d.atm ?? "-",
        d.bullish_contracts,
        d.signals,
        d.total_trades,
        d.wins,
        d.losses,
        d.gross_pnl,
        d.charges,
        d.net_pnl,
      ]),
    ),
  );
  out.push("");
  if (result.trades.length > 0) {
    out.push("Trades");
    out.push(
      textTable(
        [
          "trade",
          "symbol",
          "sc",
          "entry",
          "price",
          "stop",
          "target",
          "exit",
          "price",
          "reason",
          "held",
          "gross",
          "net",
        ],
        result.trades.map((t) => [
          t.trade_id,
          t.symbol,
          t.first_candle_entry ? `${t.scenario}*` : String(t.scenario),
          t.entry_time.slice(11, 16),
          t.entry_price,
          t.stop_loss,
          t.target,
          t.exit_time.slice(11, 16),
          t.exit_price,
          t.exit_reason,
          t.candles_held,
          t.pnl_rupees,
          t.net_pnl_rupees,
        ]),
      ),
    );
    out.push("(* = first-candle entry; times are candle close times, IST)");
    out.push("");
  }
  const s = result.summary;
  out.push(`Summary ${s.from ?? "-"} to ${s.to ?? "-"}: ${s.days} day(s), ${s.candles} candles`);
  out.push(formatFigures(s));
  out.push(formatMetrics(s));
  return `${out.join("\n")}\n`;
}

/** The summary figures as aligned `label: value` lines. */
export function formatFigures(s: SummaryFigures): string {
  const rupees = (n: number) =>
    `Rs ${n.toLocaleString("en-IN", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  const rows: [string, string][] = [
    ["trades", `${s.total_trades} (won ${s.wins}, lost ${s.losses}, win rate ${s.win_rate}%)`],
    ["gross P&L", rupees(s.gross_pnl)],
    ["charges", rupees(s.charges)],
    ["net P&L", rupees(s.net_pnl)],
    ["max drawdown", rupees(s.max_drawdown)],
    [
      "by scenario",
      `1: ${s.trades_by_scenario["1"]}, 2: ${s.trades_by_scenario["2"]}, 3: ${s.trades_by_scenario["3"]}`,
    ],
    ["entries", `first candle ${s.first_candle_entries}, intraday ${s.intraday_entries}`],
    [
      "exits",
      `stop loss ${s.stop_losses}, target ${s.targets}, timeout ${s.timeouts}, EOD ${s.eod_exits}, max daily loss ${s.max_daily_loss_exits}`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join("\n");
}
