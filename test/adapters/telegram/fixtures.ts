import type { SummaryFigures } from "../../../src/backtest/types.js";
import type { ControlPort, EngineView, StatusSnapshot } from "../../../src/ports/app.js";

/** 2025-09-04 10:02:11 IST (a Thursday, expiry day). */
export const NOW = Date.UTC(2025, 8, 4, 4, 32, 11);

/** A status in the middle of a paper trading day with a position open. */
export function statusSnapshot(changes: Partial<StatusSnapshot> = {}): StatusSnapshot {
  return {
    version: "0.1.0",
    mode: "PAPER",
    now: "2025-09-04T10:02:11+05:30",
    date: "2025-09-04",
    phase: "MARKET_OPEN",
    market: { open: true, nextOpen: null },
    session: { valid: true, userId: "AB1234", expiresAt: "2025-09-05T06:00:00+05:30" },
    ticker: { connected: true, lastTickAgeMs: 1200, subscriptions: 23 },
    universe: { underlying: "SENSEX", spot: 80718.25, atm: 80700, expiry: "2025-09-04", contracts: [] },
    position: {
      tradeId: "20250904_002",
      symbol: "SENSEX2590481000CE",
      state: "OPEN",
      quantity: 20,
      entryPrice: 121.35,
      modelEntryPrice: 121.35,
      stopLoss: 98.4,
      target: 160,
      ltp: 130,
      pnlPoints: 8.65,
      pnlRupees: 173,
      stopResting: true,
    },
    exposures: [],
    orders: [],
    trades: [],
    signals: [],
    pnl: { gross: 797, charges: 64.12, net: 732.88, slippage: null },
    risk: {
      entriesEnabled: true,
      panic: false,
      sessionExpired: false,
      lots: 1,
      maxLots: 5,
      tradesToday: 2,
      maxTradesPerDay: 3,
      stopLossesToday: 0,
      lossToday: 0,
      maxDailyLoss: 25000,
    },
    month: { month: "2025-09", trades: 2, gross: 797, net: 732.88, winRate: 100, slippage: null },
    health: {
      uptimeS: 11_520,
      cpuPct: 4.5,
      rssMb: 85,
      checks: [
        { name: "disk", level: "ok", detail: "12 GB free (60%)" },
        { name: "ticker", level: "warning", detail: "last tick 15 s ago" },
      ],
    },
    reminders: ["TLS certificate of sensexbot.ddns.net expires in 9 days"],
    outboxBacklog: 0,
    archiveDays: 0,
    ...changes,
  };
}

/** A ControlPort that records its calls (and can be told to refuse). */
export class RecordingControl implements ControlPort {
  readonly calls: Array<[string, unknown, string]> = [];
  refuseWith: Error | null = null;

  setEntriesEnabled(enabled: boolean, actor: string): void {
    this.check();
    this.calls.push(["setEntriesEnabled", enabled, actor]);
  }
  panic(actor: string): void {
    this.check();
    this.calls.push(["panic", null, actor]);
  }
  clearPanic(actor: string): void {
    this.check();
    this.calls.push(["clearPanic", null, actor]);
  }
  setLots(lots: number, actor: string): void {
    this.check();
    if (lots < 1 || lots > 5) throw new RangeError(`lots must be 1..5, found ${lots}`);
    this.calls.push(["setLots", lots, actor]);
  }
  private check(): void {
    if (this.refuseWith) throw this.refuseWith;
  }
}

/** An engine view over a status the test may change. */
export function fakeEngine(
  status: () => StatusSnapshot,
  control = new RecordingControl(),
): EngineView & {
  control: RecordingControl;
} {
  return { status, candles: () => [], subscribe: () => () => {}, control };
}

/** Summary figures of a day with three trades. */
export const FIGURES: SummaryFigures = {
  total_trades: 3,
  wins: 2,
  losses: 1,
  win_rate: 66.67,
  gross_pnl: 1234,
  charges: 150,
  net_pnl: 1084,
  max_drawdown: 300,
  trades_by_scenario: { "1": 2, "2": 1, "3": 0 },
  first_candle_entries: 1,
  intraday_entries: 2,
  stop_losses: 1,
  targets: 2,
  timeouts: 0,
  eod_exits: 0,
  max_daily_loss_exits: 0,
};
