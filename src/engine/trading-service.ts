/*
 * The trading service: the composition of the day's parts into one long-lived process
 * (`pivot start`). The DayScheduler says what is due; this file says what each step does:
 *
 * - start-up: broker updates → order manager, the session loaded, `orderManager.reconcile()`
 *   (crash recovery) before anything else, then the ticker and the scheduler;
 * - SESSION_CHECK: the session file; without a session the scheduler sends "login needed"
 *   (with a login URL) at the session check and every reminder, and gives up at 09:00;
 * - PRE_MARKET: prepareDay, retried (the step throws, the scheduler retries) until the market
 *   opens, then given up with a critical alert;
 * - MARKET_OPEN: LiveDay on the ticker, and a poll timer (liveDay.poll + orderManager.poll);
 *   LiveDay's entries and exits go to the order manager, gated by the control state;
 * - EOD_EXIT: every position still open is exited;
 * - DAY_SUMMARY: liveDay.finish() + summary().
 *
 * Time comes from the injected clock and every timer from the injected setTimer (the
 * TickerClient keeps its own reconnect timers), so tests drive whole days deterministically.
 */

import { EventEmitter } from "node:events";
import type { SessionStore } from "../adapters/kite/session-store.js";
import type { Tick } from "../adapters/kite/ticker-protocol.js";
import type { Store } from "../adapters/sqlite/store.js";
import type { Config } from "../config/schema.js";
import type { TradingCalendar } from "../domain/calendar.js";
import type { Candle } from "../domain/candle.js";
import type { OptionContract } from "../domain/instruments.js";
import {
  dateOfDayNumber,
  dayNumber,
  formatHhmm,
  type IsoDate,
  istEpochMs,
  istPartsOf,
  parseHhmm,
} from "../domain/ist.js";
import { roundForDisplay } from "../domain/pivots.js";
import type { Broker } from "../ports/broker.js";
import type { Clock } from "../ports/clock.js";
import type { Notification, Notifier } from "../ports/notifier.js";
import { strategyParamsFrom } from "../strategy/params.js";
import type { ContractSetup, OpenPosition, SignalRecord, Trade } from "../strategy/types.js";
import type { DayArchiver } from "./day-archiver.js";
import { loadDayHistory } from "./day-history.js";
import { type DayStep, type DayTimes, dayScheduleFrom } from "./day-plan.js";
import { type ExecutionConfig, executionConfigFrom } from "./execution-config.js";
import { FillLedger } from "./fill-ledger.js";
import { fillSummary } from "./fill-summary.js";
import { LiveDay, type TickFeed } from "./live-day.js";
import { type AlertLevel, OrderManager, type ReconcileReport } from "./order-manager.js";
import {
  type PreMarketDeps,
  type PreparedDay,
  prepareContracts,
  prepareDay,
  universeContractsOf,
} from "./pre-market.js";
import { type DayProgress, DayScheduler, MemoryDayProgress, type SetTimer } from "./scheduler.js";
import type { StaticIpGuard } from "./static-ip-guard.js";
import { universeConfigFrom } from "./universe-plan.js";

/** The ticker as the service uses it: a tick feed that also carries order frames. */
export interface ServiceTicker extends TickFeed {
  connect(): void;
  close(): Promise<void>;
  on(event: "ticks", listener: (ticks: Tick[]) => void): unknown;
  on(event: "order", listener: (order: Record<string, unknown>) => void): unknown;
  off(event: "ticks", listener: (ticks: Tick[]) => void): unknown;
  off(event: "order", listener: (order: Record<string, unknown>) => void): unknown;
}

/** The session store as the service uses it. */
export type ServiceSessions = Pick<SessionStore, "load" | "current" | "on">;

/** The broker of the mode: Kite (fed the ticker's order frames) or paper (fed the ticks). */
export type ServiceBroker =
  | { mode: "live"; broker: Broker & { feedSocketOrder(data: unknown): boolean } }
  | {
      mode: "paper";
      broker: Broker & {
        onTicks(ticks: readonly Tick[], symbolOf: (token: number) => string | undefined): void;
      };
    };

/** How often a lost session is looked for again in the session file. */
const SESSION_LOOK_EVERY_MS = 5_000;

/** Everything the service is given. */
export interface TradingServiceDeps {
  config: Config;
  clock: Clock;
  setTimer: SetTimer;
  store: Store;
  kite: PreMarketDeps["kite"] & { setAccessToken(token: string | null): void };
  sessions: ServiceSessions;
  ticker: ServiceTicker;
  broker: ServiceBroker;
  calendar: TradingCalendar;
  /** A login URL for the "login needed" message. */
  loginUrl: () => string;
  log: (line: string) => void;
  /** Alerts for the log and the dashboard (free text, with a level). */
  notify: (level: AlertLevel, message: string) => void;
  /** The trader's notifications (Telegram through the outbox, or the log); default: none. */
  notifier?: Notifier;
  /** Live: the static IP rule, checked at the session check and gating entries (static-ip-guard.ts). */
  staticIp?: Pick<StaticIpGuard, "checkBeforeOpen" | "entryBlock">;
  /** Default: in memory (a restart re-runs the day's due steps). */
  progress?: DayProgress;
  execution?: Partial<ExecutionConfig>;
  dayTimes?: Partial<DayTimes>;
  /** Between two polls of the day (default 1 s). */
  pollIntervalMs?: number;
  /** Pause before a failed or held step is retried (default 60 s). */
  retryDelayMs?: number;
  /** LiveDay's close grace (default 2 s). */
  graceMs?: number;
  /** Longest wait of stop() for the order manager's work in flight (default 8 s). */
  stopWaitMs?: number;
  /**
   * Between two reconciliations with the broker's order book while orders or positions are
   * open (default 30 s): the polling path by which fills are learned when the socket and
   * postbacks miss them.
   */
  reconcileEveryMs?: number;
  /** After the day's summary: the day's option chain into the archive (default: none). */
  archiver?: DayArchiver;
}

/** What the service tells its views (the dashboard's live events). */
export interface TradingServiceEvents {
  candle: [symbol: string, candle: Candle];
  /** A contract's last price (every tick: throttle before pushing it anywhere). */
  tick: [symbol: string, ltp: number];
  signal: [signal: SignalRecord];
  /** A trade opened, changed or closed (the dashboard re-reads it). */
  trade: [tradeId: string];
  alert: [level: AlertLevel, message: string];
  /** Something the status shows changed (a step, the session, the control state). */
  changed: [];
}

/** Runs trading days end to end; see the file comment. */
export class TradingService {
  /** Live events for views; listeners must not throw. */
  readonly events = new EventEmitter<TradingServiceEvents>();
  readonly mode: "live" | "paper";
  readonly orderManager: OrderManager;
  private readonly d: TradingServiceDeps;
  private readonly scheduler: DayScheduler;
  private readonly pollMs: number;
  private readonly eodExitMinute: number;
  private readonly openMinute: number;
  private readonly lastPrices = new Map<string, number>();
  private lastReconcileAt = Number.NEGATIVE_INFINITY;
  private lastSessionLookAt = Number.NEGATIVE_INFINITY;
  private readonly symbolOf = new Map<number, string>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly cleanups: Array<() => void> = [];
  private prepared: { date: IsoDate; day: PreparedDay } | null = null;
  private liveDay: LiveDay | null = null;
  private cancelPoll: (() => void) | null = null;
  private sessionLost = false;
  /** Clock time of the last poll of the day's loop (the /health liveness), or of the start. */
  private lastBeat = 0;
  private readonly loginRequests = new Map<IsoDate, number>();
  private panicHandled = false;
  /** Fills → trade records, the strategy's position and limits, the exit message. */
  private readonly fills: FillLedger;
  private stopping = false;
  private started = false;

  constructor(deps: TradingServiceDeps) {
    this.d = deps;
    this.mode = deps.broker.mode;
    this.pollMs = deps.pollIntervalMs ?? 1_000;
    const schedule = dayScheduleFrom(deps.config.market, deps.dayTimes);
    this.eodExitMinute = schedule.eodExit;
    this.openMinute = schedule.open;
    this.orderManager = new OrderManager({
      broker: deps.broker.broker,
      store: deps.store,
      clock: deps.clock,
      // The configuration's settings, with a test's or a caller's changes on top.
      config: { ...executionConfigFrom(deps.config), ...deps.execution },
      ltpOf: (symbol) => this.lastPrices.get(symbol) ?? null,
    });
    this.fills = new FillLedger({
      store: deps.store,
      rates: strategyParamsFrom(deps.config).charges,
      day: () => this.liveDay,
      tell: (n) => this.tell(n),
      log: deps.log,
      warn: (m) => this.notify("warning", m),
      changed: (tradeId) => this.events.emit("trade", tradeId),
    });
    this.scheduler = new DayScheduler({
      clock: deps.clock,
      setTimer: deps.setTimer,
      calendar: deps.calendar,
      schedule,
      progress: deps.progress ?? new MemoryDayProgress(),
      onStep: (date, step) => this.runStep(date, step),
      hasSession: () => this.hasSession(),
      onLoginNeeded: (date) => {
        const url = this.d.loginUrl();
        const attempt = (this.loginRequests.get(date) ?? 0) + 1;
        this.loginRequests.set(date, attempt);
        this.notify("warning", `${date}: Kite login needed: open ${url} (or run \`pivot login\`)`);
        this.tell({ kind: "login_needed", date, url, attempt, giveUpAt: formatHhmm(schedule.loginGiveUp) });
      },
      onGiveUp: (date) =>
        this.notify("critical", `${date}: no Kite session by the give-up time: no trading today`),
      onError: (error, ctx) =>
        this.d.log(
          `${ctx.date}${ctx.step ? ` ${ctx.step}` : ""}: ${(error as Error).message ?? String(error)}`,
        ),
      ...(deps.retryDelayMs !== undefined ? { retryDelayMs: deps.retryDelayMs } : {}),
    });
  }

  /** Wires the feeds, reconciles with the broker (crash recovery), then runs the schedule. */
  async start(): Promise<ReconcileReport> {
    if (this.started) throw new Error("the trading service runs once");
    this.started = true;
    const { broker, ticker, sessions } = this.d;
    const om = this.orderManager;
    this.cleanups.push(broker.broker.onOrderUpdate((u) => om.onOrderUpdate(u)));
    this.lastBeat = this.d.clock.now();
    om.on("alert", ({ level, message }) => this.notify(level, message));
    om.on("order_rejected", (e) => this.orderProblem(e.tag, "rejected", e.message));
    om.on("partial_fill", (e) => {
      const tag = this.d.store.orders.byTrade(e.tradeId).find((o) => o.purpose === "ENTRY")?.tag;
      if (tag) this.orderProblem(tag, "partly_filled", null);
    });
    this.fills.attach(om);
    om.on("entry_failed", (e) => {
      // Nothing was bought: the strategy forgets the position, so it neither manages nor exits it.
      this.liveDay?.cancelEntry(e.tradeId);
      this.notify("warning", `entry of ${e.tradeId} failed: ${e.reason}`);
    });

    const onTicks = (ticks: Tick[]) => this.onTicks(ticks);
    ticker.on("ticks", onTicks);
    this.cleanups.push(() => ticker.off("ticks", onTicks));
    if (broker.mode === "live") {
      const kiteBroker = broker.broker;
      const onOrder = (data: Record<string, unknown>) => {
        kiteBroker.feedSocketOrder(data);
      };
      ticker.on("order", onOrder);
      this.cleanups.push(() => ticker.off("order", onOrder));
    }
    this.cleanups.push(
      sessions.on("session_expired", (e) => this.sessionExpired(e.reason)),
      sessions.on("session_started", (e) => this.sessionStarted(e.userId)),
    );

    this.hasSession();
    const report = await om.reconcile();
    this.d.log(
      `reconciled: ${report.tradesStepped.length} trade(s) resumed, ${report.manualCloses.length} closed by hand, ` +
        `${report.stopsReplaced.length} stop(s) replaced${report.problems.length ? `; problems: ${report.problems.join("; ")}` : ""}`,
    );
    if (this.stopping) return report;
    ticker.connect();
    this.scheduler.start();
    return report;
  }

  /** Stops new entries and timers, closes the ticker and the store. Positions stay protected by their stops. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.applyEntryGate();
    this.scheduler.stop();
    this.cancelPoll?.();
    this.cancelPoll = null;
    // Detached before anything else: a finishing day must not exit positions on the way out.
    this.liveDay?.removeAllListeners();
    for (const f of this.cleanups.splice(0)) f();
    const waitMs = this.d.stopWaitMs ?? 8_000;
    let cancelWait = () => {};
    await Promise.race([
      this.settled(),
      new Promise<void>((resolve) => {
        cancelWait = this.d.setTimer(waitMs, resolve);
      }),
    ]);
    cancelWait();
    await this.d.ticker.close();
    this.d.store.close();
  }

  /** Resolves when the scheduler, the order manager and the service's own work are quiet (tests). */
  async idle(): Promise<void> {
    for (let i = 0; i < 20; i++) {
      await this.scheduler.idle();
      await this.settled();
      if (this.pending.size === 0) return;
    }
  }

  /** The day in progress (null outside market hours). */
  get day(): LiveDay | null {
    return this.liveDay;
  }

  /** The reason new entries are refused now, or null when they are allowed. */
  entryBlock(): string | null {
    if (this.stopping) return "the service is stopping";
    const ctl = this.d.store.control.read();
    if (ctl.panic) return "panic";
    if (!ctl.entriesEnabled) return "entries disabled by the operator";
    if (this.sessionLost) return "the broker session expired";
    return this.d.staticIp?.entryBlock() ?? null;
  }

  // ---- steps ----------------------------------------------------------------------------

  private async runStep(date: IsoDate, step: DayStep): Promise<void> {
    this.d.log(`${date} ${step}`);
    switch (step) {
      case "SESSION_CHECK":
        this.hasSession();
        if (this.mode === "live" && this.d.staticIp) this.track(this.d.staticIp.checkBeforeOpen(date));
        return;
      case "PRE_MARKET":
        return this.preMarket(date);
      case "MARKET_OPEN":
        return this.marketOpen(date);
      case "EOD_EXIT":
        await this.exitAll("EOD");
        return;
      case "DAY_SUMMARY":
        this.daySummary(date);
        return;
    }
  }

  private async preMarket(date: IsoDate): Promise<void> {
    const r = await prepareDay(this.preMarketDeps(), date);
    if (r.ok) {
      this.prepared = { date, day: r.day };
      const d = r.day;
      // Subscribed now rather than at 09:15: the open's first ticks must not race the subscription.
      if (istPartsOf(this.d.clock.now()).minute < this.openMinute) this.ensureLiveDay(date, d);
      this.notify(
        "info",
        `${date} pre-market: spot ${d.spot} (${d.spotSource}), ATM ${d.plan.atm}, expiry ${d.plan.expiry}, ${d.plan.contracts.length} contracts`,
      );
      this.tell({
        kind: "pre_market",
        date,
        spot: d.spot,
        atm: d.plan.atm,
        expiry: d.plan.expiry,
        daysToExpiry: dayNumber(d.plan.expiry) - dayNumber(date),
        universe: d.setups.map((c) => ({
          symbol: c.symbol,
          strike: c.strike,
          optionType: c.optionType,
          structure: c.structure,
          r1: c.pivots ? roundForDisplay(c.pivots.R1) : null,
        })),
      });
      this.events.emit("changed");
      return;
    }
    const minute = istPartsOf(this.d.clock.now()).minute;
    const message = `${date} pre-market failed (${r.failure.kind}): ${r.failure.message}`;
    if (minute < this.openMinute) throw new Error(`${message}; retrying`);
    this.notify("critical", `${message}; the market is open: no trading today`);
  }

  private async marketOpen(date: IsoDate): Promise<void> {
    const prepared = this.prepared?.date === date ? this.prepared.day : null;
    if (!prepared) {
      this.d.log(`${date}: no prepared universe: not trading today`);
      return;
    }
    this.ensureLiveDay(date, prepared);
    this.cancelPoll?.();
    this.armPoll();
  }

  /** The day's LiveDay, created and subscribed once. */
  private ensureLiveDay(date: IsoDate, prepared: PreparedDay): LiveDay {
    if (this.liveDay?.date === date) return this.liveDay;
    const { config } = this.d;
    const deps = this.preMarketDeps();
    const resuming = this.d.clock.now() >= istEpochMs(date, this.openMinute);
    const live = new LiveDay({
      date,
      params: strategyParamsFrom(config),
      sessionEnd: parseHhmm(config.market.end_time),
      clock: this.d.clock,
      plan: prepared.plan,
      setups: prepared.setups,
      indexToken: prepared.index.instrumentToken,
      store: this.d.store,
      master: prepared.master,
      universeConfig: universeConfigFrom(config),
      prepareAdditions: async (contracts) => {
        for (const c of contracts) this.symbolOf.set(c.instrumentToken, c.tradingsymbol);
        const r = await prepareContracts(deps, date, contracts);
        if (r.ok) this.storeAdditions(date, contracts, r.value);
        return r.ok ? r.value : null;
      },
      resuming,
      ...(this.d.graceMs !== undefined ? { graceMs: this.d.graceMs } : {}),
    });
    for (const c of prepared.plan.contracts) this.symbolOf.set(c.instrumentToken, c.tradingsymbol);
    live.on("entry", (p) => this.onEntry(p));
    live.on("exit", (t) => this.onExit(t));
    live.on("candle", (symbol, candle) => this.events.emit("candle", symbol, candle));
    live.on("signal", (signal) => this.events.emit("signal", signal));
    live.on("warning", (m) => this.notify("warning", m));
    live.on("gap", (g) =>
      this.notify("info", `gap at the open: ${g.openSpot}, ATM ${g.openAtm}, added ${g.added.join(", ")}`),
    );
    this.liveDay = live;
    live.start(this.d.ticker);
    if (resuming) this.track(this.resumeDay(live, prepared));
    return live;
  }

  /**
   * A day started after the open: today's recorded candles and Kite's minute candles are
   * replayed through the new day (LiveDay.resume), which waits for them before it acts on a
   * close. The ticker is subscribed first, so that no tick is missed while history loads.
   */
  private async resumeDay(live: LiveDay, prepared: PreparedDay): Promise<void> {
    const { config, store, clock } = this.d;
    const grid = {
      intervalMinutes: config.trading.candle_interval_minutes,
      sessionStart: this.openMinute,
      sessionEnd: parseHhmm(config.market.end_time),
    };
    const history = await loadDayHistory(
      { kite: this.d.kite, warn: (m) => this.notify("warning", m) },
      live.date,
      prepared.plan.contracts.map((c) => ({ symbol: c.tradingsymbol, instrumentToken: c.instrumentToken })),
      store.candles.day(live.date),
      grid,
      clock.now(),
    );
    if (this.liveDay !== live) return;
    live.resume(history);
    this.fills.resumed(live);
    const replayed = [...history.closed.values()].reduce((n, list) => n + list.length, 0);
    this.d.log(`${live.date}: resumed the day after ${replayed} candle(s) of history`);
  }

  /** The gap rule's additions join the stored universe: a restart trades the same contracts. */
  private storeAdditions(date: IsoDate, contracts: readonly OptionContract[], setups: ContractSetup[]): void {
    const stored = this.d.store.universe.get(date);
    if (!stored) return;
    this.d.store.universe.replace({
      ...stored,
      contracts: [...stored.contracts, ...universeContractsOf(contracts, setups)],
    });
  }

  private daySummary(date: IsoDate): void {
    const live = this.liveDay;
    this.cancelPoll?.();
    this.cancelPoll = null;
    if (!live || live.date !== date) {
      this.d.log(`${date}: no trading day to summarise`);
      return;
    }
    live.finish();
    this.liveDay = null;
    const { figures: s, slippageRupees } = fillSummary(this.d.store.trades.byDate(date));
    try {
      this.d.store.dailySummary.upsert(date, s, slippageRupees);
    } catch (e) {
      this.notify("warning", `recording the daily summary failed: ${(e as Error).message}`); // still told below
    }
    this.notify(
      "info",
      `${date} summary: ${s.total_trades} trade(s), gross ${s.gross_pnl}, net ${s.net_pnl}, slippage ${slippageRupees ?? "-"}`,
    );
    this.tell({ kind: "daily_summary", date, figures: s, slippageRupees });
    this.periodSummaries(date);
    this.events.emit("changed");
    const master = this.prepared?.date === date ? this.prepared.day.master : null;
    if (master && this.d.archiver) this.track(this.d.archiver(date, master, () => this.stopping));
  }

  // ---- the day's loop ---------------------------------------------------------------------

  private armPoll(): void {
    if (this.stopping) return;
    this.cancelPoll = this.d.setTimer(this.pollMs, () => {
      this.cancelPoll = null;
      this.pollOnce();
      this.armPoll();
    });
  }

  /** One poll: control state, the day's closes, the order manager's timers, the EOD time. */
  private pollOnce(): void {
    const now = this.d.clock.now();
    this.lastBeat = now;
    try {
      this.applyControl();
      this.liveDay?.poll(now);
      this.applyEntryGate();
      this.orderManager.poll(now);
      this.lookForNewSession(now);
      this.reconcileWhenDue(now);
      const { minute } = istPartsOf(now);
      if (minute >= this.eodExitMinute && this.d.store.positions.open().some((p) => p.state !== "CLOSING")) {
        this.track(this.exitAll("EOD"));
      }
    } catch (e) {
      this.notify("critical", `poll failed: ${(e as Error).message ?? String(e)}`);
    }
  }

  /**
   * While the session is lost, looks for a new one every few seconds: `pivot login` run in
   * another process writes the session file, and this is how the service adopts it.
   */
  private lookForNewSession(now: number): void {
    if (!this.sessionLost || now - this.lastSessionLookAt < SESSION_LOOK_EVERY_MS) return;
    this.lastSessionLookAt = now;
    this.hasSession();
  }

  /** Polls the broker's order book now and then while anything is open at the broker. */
  private reconcileWhenDue(now: number): void {
    if (now - this.lastReconcileAt < (this.d.reconcileEveryMs ?? 30_000)) return;
    const busy = this.d.store.positions.open().length > 0 || this.d.store.orders.live().length > 0;
    if (!busy) return;
    this.lastReconcileAt = now;
    this.track(this.orderManager.reconcile());
  }

  private applyControl(): void {
    const panic = this.d.store.control.panic();
    if (panic && !this.panicHandled) {
      this.panicHandled = true;
      this.track(this.orderManager.panic());
    } else if (!panic && this.panicHandled) {
      this.panicHandled = false;
      this.orderManager.resumeEntries();
    }
    this.applyEntryGate();
  }

  private applyEntryGate(): void {
    const block = this.entryBlock();
    this.liveDay?.setEntriesEnabled(block === null, block ?? undefined);
  }

  private onEntry(p: OpenPosition): void {
    const block = this.entryBlock();
    if (block) {
      // A gate that closed since the last poll: the strategy must not keep a position the
      // broker never got.
      this.applyEntryGate();
      this.liveDay?.cancelEntry(p.trade_id);
      this.notify("warning", `entry ${p.trade_id} ${p.symbol} not placed: ${block}`);
      return;
    }
    const cfgLots = this.d.config.trading.lots;
    const lots = this.d.store.control.lots() ?? cfgLots;
    const quantity = Math.round((p.quantity / cfgLots) * lots);
    this.notify(
      "info",
      `ENTRY ${p.trade_id} ${p.symbol} ×${quantity} at ~${p.entry_price}, SL ${p.stop_loss}, target ${p.target}`,
    );
    this.tell({
      kind: "entry",
      tradeId: p.trade_id,
      symbol: p.symbol,
      scenario: p.scenario,
      time: p.entry_time,
      entry: p.entry_price,
      stop: p.stop_loss,
      target: p.target,
      quantity,
      reason: `scenario ${p.scenario}${p.first_candle_entry ? ", first candle" : ""}${p.re_entry ? ", re-entry" : ""}`,
    });
    this.events.emit("trade", p.trade_id);
    this.track(
      this.orderManager.enter({
        tradeId: p.trade_id,
        symbol: p.symbol,
        quantity,
        stopLoss: p.stop_loss,
        target: p.target,
      }),
    );
  }

  private onExit(t: Trade): void {
    this.notify(
      "info",
      `EXIT ${t.trade_id} ${t.symbol} ${t.exit_reason} at ~${t.exit_price} (${t.pnl_rupees})`,
    );
    this.fills.strategyExited(t.trade_id); // its message, once the broker's side is known
    this.events.emit("trade", t.trade_id);
    if (!this.d.store.positions.byTradeId(t.trade_id)) return; // its entry was never placed
    this.track(this.orderManager.exit(t.trade_id, t.exit_reason, t.symbol));
  }

  private async exitAll(reason: string): Promise<void> {
    const open = this.d.store.positions.open().filter((p) => p.state !== "CLOSING");
    await Promise.all(open.map((p) => this.orderManager.exit(p.tradeId, reason)));
  }

  private onTicks(ticks: readonly Tick[]): void {
    for (const t of ticks) {
      const symbol = this.symbolOf.get(t.instrument_token);
      if (symbol && t.last_price > 0) {
        this.lastPrices.set(symbol, t.last_price);
        this.events.emit("tick", symbol, t.last_price);
      }
    }
    if (this.d.broker.mode === "paper")
      this.d.broker.broker.onTicks(ticks, (token) => this.symbolOf.get(token));
  }

  // ---- session --------------------------------------------------------------------------

  private hasSession(): boolean {
    const s = this.d.sessions.load();
    if (s) {
      this.d.kite.setAccessToken(s.accessToken);
      if (this.sessionLost) this.sessionLost = false;
    }
    return s !== null;
  }

  private sessionExpired(reason: string): void {
    this.sessionLost = true;
    this.applyEntryGate();
    this.notify(
      "critical",
      `the Kite session ended (${reason}): no new entries; exits are still attempted. Log in again.`,
    );
    const now = this.d.clock.now();
    this.tell({
      kind: "session_expired",
      date: istPartsOf(now).date,
      at: now,
      positionOpen: this.d.store.positions.open().length > 0,
    });
    this.events.emit("changed");
  }

  private sessionStarted(userId: string): void {
    // The store announces the session before load() returns: give the REST client its token
    // now, or the reconciliation below would go out without one.
    const session = this.d.sessions.current();
    if (session) this.d.kite.setAccessToken(session.accessToken);
    const wasLost = this.sessionLost;
    this.sessionLost = false;
    this.applyEntryGate();
    this.events.emit("changed");
    const now = this.d.clock.now();
    if (this.started) {
      this.tell({
        kind: "login_result",
        date: istPartsOf(now).date,
        at: now,
        ok: true,
        userId,
        message: null,
      });
    }
    if (!wasLost) return;
    this.notify("info", `Kite session of ${userId} started: entries allowed again`);
    this.track(this.orderManager.reconcile());
    this.scheduler.poke();
  }

  // ---- helpers --------------------------------------------------------------------------

  private preMarketDeps(): PreMarketDeps {
    return {
      kite: this.d.kite,
      clock: this.d.clock,
      calendar: this.d.calendar,
      config: this.d.config,
      cacheDir: this.d.config.data.cache_dir,
      store: this.d.store,
      warn: (m) => this.notify("warning", m),
    };
  }

  private async settled(): Promise<void> {
    for (let i = 0; i < 20 && this.pending.size > 0; i++) await Promise.allSettled([...this.pending]);
    await this.orderManager.idle();
  }

  private track(p: Promise<unknown>): void {
    const guarded = p.catch((e) =>
      this.notify("critical", `trading service: ${(e as Error).message ?? String(e)}`),
    );
    this.pending.add(guarded);
    void guarded.finally(() => this.pending.delete(guarded));
  }

  private notify(level: AlertLevel, message: string): void {
    try {
      this.d.notify(level, message);
      this.events.emit("alert", level, message);
    } catch {
      // a failing sink must not stop the day
    }
    if (level === "critical") this.tell({ kind: "error", at: this.d.clock.now(), message, context: null });
  }

  /** A notification for the trader; a failing notifier never stops the day. */
  private tell(n: Notification): void {
    try {
      this.d.notifier?.notify(n);
    } catch {
      // the notifier promises not to throw; this is the belt to its braces
    }
  }

  private orderProblem(tag: string, problem: "rejected" | "partly_filled", message: string | null): void {
    const o = this.d.store.orders.byTag(tag);
    if (!o) return;
    this.tell({
      kind: "order_problem",
      problem,
      tag,
      tradeId: o.tradeId,
      symbol: o.tradingsymbol,
      side: o.side,
      quantity: o.quantity,
      filledQuantity: o.filledQuantity,
      message,
      at: this.d.clock.now(),
    });
  }

  /** After the last trading day of a week or a month: its summary. */
  private periodSummaries(date: IsoDate): void {
    const next = this.d.calendar.nextTradingDay(date);
    const weekStart = (d: IsoDate) => dayNumber(d) - ((dayNumber(d) + 3) % 7); // Monday
    if (weekStart(next) !== weekStart(date)) {
      const from = dateOfDayNumber(weekStart(date));
      const days = this.d.store.dailySummary.between(from, date).length;
      const { figures, slippageRupees } = fillSummary(this.d.store.trades.between(from, date));
      this.tell({ kind: "weekly_summary", from, to: date, days, figures, slippageRupees });
    }
    if (next.slice(0, 7) !== date.slice(0, 7)) {
      const month = date.slice(0, 7);
      const days = this.d.store.dailySummary.between(`${month}-01`, date).length;
      const { figures, slippageRupees } = fillSummary(this.d.store.trades.between(`${month}-01`, date));
      this.tell({ kind: "monthly_summary", month, days, figures, slippageRupees });
    }
  }

  // ---- for views --------------------------------------------------------------------------

  /** Clock time of the day loop's last beat (or of the start): /health's liveness. */
  get lastBeatAt(): number {
    return this.lastBeat;
  }

  /** The last traded price of a contract the service follows (null when unknown). */
  lastPrice(symbol: string): number | null {
    return this.lastPrices.get(symbol) ?? null;
  }

  /** True while the broker session is known lost. */
  get sessionIsLost(): boolean {
    return this.sessionLost;
  }

  /** The trading day given up for want of a session. */
  get gaveUpToday(): boolean {
    return this.scheduler.gaveUpToday;
  }

  /** Applies the control state (entries, panic, lots) now rather than at the next poll. */
  applyControlNow(): void {
    this.applyControl();
    this.events.emit("changed");
  }
}
