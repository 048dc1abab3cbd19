/*
 * The rehearsal's verdict: the trades the service made against the simulator beside the
 * backtest's trades for the same day. They agree when the same trades were made — symbol,
 * scenario, entry and exit candle times, exit reason — at the same strategy prices. The
 * prices compared are the strategy's (the candle prices the trades table records, not the
 * fills), so they match to within rounding: `priceTolerance` rupees.
 */

import { textTable } from "../cli/text-table.js";
import type { StoredTrade, Trade } from "../domain/trade.js";

/** The fields of a trade that the comparison and its table show. */
export interface ComparedTrade {
  symbol: string;
  scenario: number;
  entry_time: string;
  entry_price: number;
  /** Null while still open. */
  exit_time: string | null;
  exit_price: number | null;
  exit_reason: string | null;
}

export interface TradeComparison {
  agree: boolean;
  /** Row by row: the service's trade, the backtest's, and what differs (empty when they agree). */
  rows: Array<{ service: ComparedTrade | null; backtest: ComparedTrade | null; differences: string[] }>;
}

/** Rupees within which two strategy prices count as the same (half the exchange's tick). */
export const DEFAULT_PRICE_TOLERANCE = 0.025;

/** A stored trade (closed or still open) in the compared form. */
export function fromStored(t: StoredTrade): ComparedTrade {
  return t.status === "CLOSED"
    ? fromBacktest(t)
    : {
        symbol: t.symbol,
        scenario: t.scenario,
        entry_time: t.entry_time,
        entry_price: t.entry_price,
        exit_time: null,
        exit_price: null,
        exit_reason: null,
      };
}

/** A backtest trade in the compared form. */
export function fromBacktest(t: Trade): ComparedTrade {
  return {
    symbol: t.symbol,
    scenario: t.scenario,
    entry_time: t.entry_time,
    entry_price: t.entry_price,
    exit_time: t.exit_time,
    exit_price: t.exit_price,
    exit_reason: t.exit_reason,
  };
}

/** Pairs the trades in entry order and lists every difference. */
export function compareTrades(
  service: readonly ComparedTrade[],
  backtest: readonly ComparedTrade[],
  priceTolerance = DEFAULT_PRICE_TOLERANCE,
): TradeComparison {
  const order = (a: ComparedTrade, b: ComparedTrade) =>
    a.entry_time.localeCompare(b.entry_time) || a.symbol.localeCompare(b.symbol);
  const ours = [...service].sort(order);
  const theirs = [...backtest].sort(order);
  const rows: TradeComparison["rows"] = [];
  for (let i = 0; i < Math.max(ours.length, theirs.length); i++) {
    const s = ours[i] ?? null;
    const b = theirs[i] ?? null;
    rows.push({ service: s, backtest: b, differences: differencesOf(s, b, priceTolerance) });
  }
  return { agree: rows.every((r) => r.differences.length === 0), rows };
}

function differencesOf(s: ComparedTrade | null, b: ComparedTrade | null, tolerance: number): string[] {
  if (!s) return ["missing in the service"];
  if (!b) return ["not in the backtest"];
  const out: string[] = [];
  const same = (name: keyof ComparedTrade) => {
    if (s[name] !== b[name]) out.push(`${name} ${s[name] ?? "none"} ≠ ${b[name] ?? "none"}`);
  };
  const near = (name: "entry_price" | "exit_price") => {
    const x = s[name];
    const y = b[name];
    if (x === null || y === null) {
      if (x !== y) out.push(`${name} ${x ?? "none"} ≠ ${y ?? "none"}`);
    } else if (Math.abs(x - y) > tolerance) {
      out.push(`${name} ${x} ≠ ${y}`);
    }
  };
  same("symbol");
  same("scenario");
  same("entry_time");
  near("entry_price");
  same("exit_time");
  near("exit_price");
  same("exit_reason");
  return out;
}

/** The side-by-side table (service row, backtest row, per trade) and the verdict line. */
export function formatComparison(c: TradeComparison, date: string): string {
  const cells = (t: ComparedTrade | null): string[] =>
    t
      ? [
          t.symbol,
          String(t.scenario),
          timeOf(t.entry_time),
          t.entry_price.toFixed(2),
          t.exit_time ? timeOf(t.exit_time) : "open",
          t.exit_price === null ? "-" : t.exit_price.toFixed(2),
          t.exit_reason ?? "-",
        ]
      : ["(none)", "", "", "", "", "", ""];
  const rows = c.rows.flatMap((r, i) => [
    [String(i + 1), "service", ...cells(r.service)],
    ["", "backtest", ...cells(r.backtest)],
  ]);
  const lines = [
    `Rehearsal of ${date}: the service (live code path, against the simulator) beside the backtest`,
    textTable(["#", "run", "symbol", "scenario", "entry", "price", "exit", "price", "reason"], rows),
  ];
  c.rows.forEach((r, i) => {
    if (r.differences.length > 0) lines.push(`trade ${i + 1} differs: ${r.differences.join("; ")}`);
  });
  if (c.rows.length === 0) lines.push("(no trades on either side)");
  const count = c.rows.filter((r) => r.backtest).length;
  lines.push(
    c.agree
      ? `AGREE: the service made the backtest's ${count} trade(s)`
      : `DISAGREE: ${c.rows.filter((r) => r.differences.length > 0).length} of ${c.rows.length} trade(s) differ from the backtest`,
  );
  return `${lines.join("\n")}\n`;
}

/** `2025-09-05T10:15:00+05:30` → `10:15`. */
function timeOf(iso: string): string {
  return iso.slice(11, 16);
}
