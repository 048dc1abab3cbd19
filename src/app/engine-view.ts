/*
 * The engine as the web layer and the Telegram bot see it (src/web/contract.ts EngineView): the
 * status snapshot built from the service, the store, the broker session and the ticker; the
 * operator's controls, persisted and audited, applied at once; and the service's live events
 * for the dashboard's stream (ticks throttled per contract, the status pushed after a change).
 */

import type { SessionStore } from "../adapters/kite/session-store.js";
import type { TickerStats } from "../adapters/kite/ticker-types.js";
import type { Store } from "../adapters/sqlite/store.js";
import type { Config } from "../config/schema.js";
import type { TradingCalendar } from "../domain/calendar.js";
import type { Candle } from "../domain/candle.js";
import { fillSummary } from "../domain/fill-summary.js";
import { type IsoDate, istEpochMs, istPartsOf } from "../domain/ist.js";
import { type DaySchedule, dayScheduleFrom } from "../engine/day-plan.js";
import type { TradingService } from "../engine/trading-service.js";
import type {
  ControlPort,
  DayPhase,
  EngineView,
  HealthCheck,
  LiveEvent,
  ServiceMode,
  StatusSnapshot,
} from "../ports/app.js";
import type { Clock } from "../ports/clock.js";
import { archivedDayCount } from "./day-archive.js";

/** Most lots the operator may set (the configuration's own bound). */
export const MAX_LOTS = 100;
/** Shortest gap between two tick events of one contract on the stream. */
const TICK_EVENT_EVERY_MS = 1_000;
/** Longest gap between two status events on the stream. */
const STATUS_EVERY_MS = 5_000;

export interface EngineViewDeps {
  service: TradingService;
  store: Store;
  config: Config;
  clock: Clock;
  calendar: TradingCalendar;
  sessions: Pick<SessionStore, "current">;
  ticker: { readonly stats: Readonly<TickerStats> };
  mode: ServiceMode;
  version: string;
  startedAtMs: number;
  /** Real time for the uptime (default `clock`, which is market time in the demo). */
  wallClock?: Clock;
  /** The latest health checks (doctor's cheap set, refreshed by the caller). */
  checks: () => readonly HealthCheck[];
  /** Sets a repeating timer; returns the function that stops it. */
  every: (ms: number, fn: () => void) => () => void;
}

/** EngineView over a running TradingService. */
export class ServiceEngineView implements EngineView {
  readonly control: ControlPort;
  private readonly d: EngineViewDeps;
  private readonly schedule: DaySchedule;
  private readonly listeners = new Set<(event: LiveEvent) => void>();
  private readonly lastTickEvent = new Map<string, number>();
  private stopTimer: (() => void) | null = null;
  private lastCpu = process.cpuUsage();
  private lastCpuAt = performance.now();
  private cpuPct: number | null = null;

  constructor(deps: EngineViewDeps) {
    this.d = deps;
    this.schedule = dayScheduleFrom(deps.config.market);
    this.control = new AuditedControl(deps);
    const ev = deps.service.events;
    ev.on("candle", (symbol, candle) => this.push({ type: "candle", symbol, candle }));
    ev.on("tick", (symbol, ltp) => this.onTick(symbol, ltp));
    ev.on("signal", (signal) => this.push({ type: "signal", signal }));
    ev.on("trade", (tradeId) => {
      const trade = deps.store.trades.byId(tradeId);
      if (trade) this.push({ type: "trade", trade });
      this.pushStatus();
    });
    ev.on("alert", (level, message) => this.push({ type: "alert", level, message }));
    ev.on("changed", () => this.pushStatus());
  }

  /** A tick of a followed contract (throttled per contract). */
  private onTick(symbol: string, ltp: number): void {
    if (this.listeners.size === 0) return;
    const now = this.d.clock.now();
    if (now - (this.lastTickEvent.get(symbol) ?? 0) < TICK_EVENT_EVERY_MS) return;
    this.lastTickEvent.set(symbol, now);
    this.push({ type: "tick", symbol, ltp });
  }

  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.listeners.add(listener);
    this.stopTimer ??= this.d.every(STATUS_EVERY_MS, () => this.pushStatus());
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        this.stopTimer?.();
        this.stopTimer = null;
      }
    };
  }

  candles(symbol: string): Candle[] {
    return this.d.store.candles.day(this.today()).get(symbol) ?? [];
  }

  status(): StatusSnapshot {
    const { store, config, clock, service, sessions } = this.d;
    const now = clock.now();
    const date = this.today();
    const minute = istPartsOf(now).minute;
    const session = sessions.current();
    const control = store.control.read();
    const universe = store.universe.get(date);
    const trades = store.trades.byDate(date);
    const { figures: today, slippageRupees: todaySlippage } = fillSummary(trades);
    const month = date.slice(0, 7);
    const monthSummary = fillSummary(store.trades.byMonth(month));
    const monthFigures = monthSummary.figures;
    const strategy = service.day?.strategyDay?.risk;
    const stats = this.d.ticker.stats;
    const checks = [...this.d.checks()];
    const backlog = store.outbox.backlog();
    return {
      version: this.d.version,
      mode: this.d.mode,
      now: isoIst(now),
      date,
      phase: this.phase(date, minute, session !== null),
      market: {
        open:
          this.d.calendar.isTradingDay(date) && minute >= this.schedule.open && minute < this.schedule.close,
        nextOpen: isoIst(this.nextOpen(date, minute)),
      },
      session: {
        valid: session !== null,
        userId: session?.userId ?? null,
        expiresAt: session ? isoIst(session.expiresAtMs) : null,
      },
      ticker: {
        connected: stats.connected,
        lastTickAgeMs: stats.lastFrameAt === null ? null : Math.max(0, now - stats.lastFrameAt),
        subscriptions: service.day ? service.day.tokens().length + 1 : 0,
      },
      universe: {
        underlying: config.trading.instrument,
        spot: universe?.spot ?? null,
        atm: universe?.atm ?? null,
        expiry: universe?.expiry ?? null,
        contracts: (universe?.contracts ?? []).map((c) => ({ ...c, ltp: service.lastPrice(c.symbol) })),
      },
      position: this.position(),
      exposures: service.orderManager.exposures(now).map((e) => ({
        tradeId: e.tradeId,
        symbol: e.symbol,
        held: e.held,
        uncovered: e.uncovered,
        since: isoIst(e.sinceMs),
        forS: Math.round((now - e.sinceMs) / 1000),
      })),
      orders: store.orders.since(istEpochMs(date, 0)),
      trades,
      signals: store.signals.byDate(date),
      pnl: { gross: today.gross_pnl, charges: today.charges, net: today.net_pnl, slippage: todaySlippage },
      risk: {
        entriesEnabled: control.entriesEnabled,
        panic: control.panic,
        sessionExpired: service.sessionIsLost,
        lots: control.lots ?? config.trading.lots,
        maxLots: MAX_LOTS,
        tradesToday: strategy?.tradesToday ?? trades.length,
        maxTradesPerDay: config.risk_management.max_trades_per_day,
        stopLossesToday: strategy?.stopLossesToday ?? today.stop_losses,
        lossToday: round2(Math.max(0, -(strategy?.realisedPnl ?? today.gross_pnl))),
        maxDailyLoss: config.risk_management.max_daily_loss,
      },
      month: {
        month,
        trades: monthFigures.total_trades,
        gross: monthFigures.gross_pnl,
        net: monthFigures.net_pnl,
        winRate: monthFigures.total_trades === 0 ? null : monthFigures.wins / monthFigures.total_trades,
        slippage: monthSummary.slippageRupees,
      },
      health: {
        uptimeS: Math.round(((this.d.wallClock ?? this.d.clock).now() - this.d.startedAtMs) / 1000),
        cpuPct: this.cpu(),
        rssMb: Math.round(process.memoryUsage.rss() / 2 ** 20),
        checks,
      },
      reminders: [
        ...checks
          .filter((c) => c.level === "warning" || c.level === "critical")
          .map((c) => `${c.name}: ${c.detail}`),
        ...(backlog > 0 ? [`${backlog} Telegram message(s) waiting to be sent`] : []),
      ],
      outboxBacklog: backlog,
      archiveDays: archivedDayCount(config.data.archive_dir),
    };
  }

  private position(): StatusSnapshot["position"] {
    const { store, service, config } = this.d;
    const pos = store.positions.open()[0];
    if (!pos || pos.state === "CLOSED") return null;
    const trade = store.trades.byId(pos.tradeId);
    const entryPrice = pos.averagePrice > 0 ? pos.averagePrice : (trade?.entry_price ?? 0);
    const ltp = service.lastPrice(pos.symbol);
    const points = ltp !== null && entryPrice > 0 ? round2(ltp - entryPrice) : null;
    const quantity = pos.quantity > 0 ? pos.quantity : (trade?.quantity ?? config.trading.lot_size);
    return {
      tradeId: pos.tradeId,
      symbol: pos.symbol,
      state: pos.state,
      quantity,
      entryPrice,
      modelEntryPrice: trade?.entry_price ?? null,
      stopLoss: pos.stopLoss,
      target: pos.target,
      ltp,
      pnlPoints: points,
      pnlRupees: points === null ? null : round2(points * quantity),
      stopResting: store.orders
        .byTrade(pos.tradeId)
        .some((o) => o.purpose === "STOP_LOSS" && (o.status === "OPEN" || o.status === "TRIGGER PENDING")),
    };
  }

  private phase(date: IsoDate, minute: number, hasSession: boolean): DayPhase {
    const s = this.schedule;
    if (!this.d.calendar.isTradingDay(date)) return "CLOSED_DAY";
    if (minute < s.sessionCheck) return "BEFORE_SESSION_CHECK";
    if (this.d.service.gaveUpToday && minute < s.eodExit) return "GIVEN_UP";
    if (!hasSession && minute < s.eodExit) return "WAITING_FOR_LOGIN";
    if (minute < s.open) return "PRE_MARKET";
    if (minute < s.eodExit) return "MARKET_OPEN";
    if (minute < s.close) return "EOD_EXIT";
    return "AFTER_CLOSE";
  }

  private nextOpen(date: IsoDate, minute: number): number {
    const cal = this.d.calendar;
    const day = cal.isTradingDay(date) && minute < this.schedule.open ? date : cal.nextTradingDay(date);
    return istEpochMs(day, this.schedule.open);
  }

  private today(): IsoDate {
    return istPartsOf(this.d.clock.now()).date;
  }

  /** Process CPU use since the last reading, in percent of one core. */
  private cpu(): number | null {
    const at = performance.now();
    const elapsedMs = at - this.lastCpuAt;
    if (elapsedMs >= 1_000) {
      const used = process.cpuUsage(this.lastCpu);
      this.cpuPct = Math.round(((used.user + used.system) / 1000 / elapsedMs) * 1000) / 10;
      this.lastCpu = process.cpuUsage();
      this.lastCpuAt = at;
    }
    return this.cpuPct;
  }

  private pushStatus(): void {
    if (this.listeners.size === 0) return;
    this.push({ type: "status", status: this.status() });
  }

  private push(event: LiveEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // a broken listener (a closed stream) must not stop the others
      }
    }
  }
}

/** The operator's switches: persisted, audited, applied to the running day at once. */
class AuditedControl implements ControlPort {
  constructor(private readonly d: EngineViewDeps) {}

  setEntriesEnabled(enabled: boolean, actor: string): void {
    this.d.store.transaction(() => {
      this.d.store.control.setEntriesEnabled(enabled, actor);
      this.d.store.audit.record(actor, enabled ? "entries_enabled" : "entries_disabled");
    });
    this.d.service.applyControlNow();
  }

  panic(actor: string): void {
    this.d.store.transaction(() => {
      this.d.store.control.setPanic(true, actor);
      this.d.store.control.setEntriesEnabled(false, actor);
      this.d.store.audit.record(actor, "panic");
    });
    this.d.service.applyControlNow();
  }

  clearPanic(actor: string): void {
    this.d.store.transaction(() => {
      this.d.store.control.setPanic(false, actor);
      this.d.store.audit.record(actor, "panic_cleared");
    });
    this.d.service.applyControlNow();
  }

  setLots(lots: number, actor: string): void {
    if (!Number.isInteger(lots) || lots < 1 || lots > MAX_LOTS) {
      throw new RangeError(`lots must be a whole number from 1 to ${MAX_LOTS}, not ${lots}`);
    }
    this.d.store.transaction(() => {
      this.d.store.control.setLots(lots, actor);
      this.d.store.audit.record(actor, "lots_set", { lots });
    });
    this.d.service.applyControlNow();
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** An instant as ISO 8601 with the IST offset. */
function isoIst(epochMs: number): string {
  return `${new Date(epochMs + 330 * 60_000).toISOString().slice(0, 19)}+05:30`;
}
