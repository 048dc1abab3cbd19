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
 * - MARKET_OPEN: LiveDay on the ticker (live-day-opening.ts); LiveDay's entries and exits go to
 *   the order manager (strategy-orders.ts), gated by the control state (entry-gate.ts);
 * - the poll, every second from start-up to stop (not only while a day trades): the order
 *   manager's timers (unanswered orders, the book read, the never-naked check, reconciliation),
 *   and while a day trades liveDay.poll and the EOD check;
 * - EOD_EXIT: every position still open is exited;
 * - DAY_SUMMARY: liveDay.finish() + the day's, week's and month's summaries (day-summaries.ts).
 *
 * Its parts: the session (session-watcher.ts), alerts and notifications (service-notices.ts),
 * ticks (tick-routing.ts), work in flight (in-flight-work.ts), fills (fill-ledger.ts).
 *
 * Time comes from the injected clock and every timer from the injected setTimer (the
 * TickerClient keeps its own reconnect timers), so tests drive whole days deterministically.
 */

import { EventEmitter } from "node:events";
import { formatHhmm, type IsoDate, istEpochMs, istPartsOf } from "../domain/ist.js";
import { strategyParamsFrom } from "../strategy/params.js";
import { type DayStep, dayScheduleFrom } from "./day-plan.js";
import { summariseDay } from "./day-summaries.js";
import { EntryGate } from "./entry-gate.js";
import { executionConfigFrom } from "./execution-config.js";
import { FillLedger } from "./fill-ledger.js";
import { InFlightWork } from "./in-flight-work.js";
import type { LiveDay } from "./live-day.js";
import { createLiveDay, type LiveDayOpeningDeps, loadLiveDayHistory } from "./live-day-opening.js";
import { type AlertLevel, OrderManager, type ReconcileReport } from "./order-manager.js";
import { type PreMarketDeps, type PreparedDay, prepareDay } from "./pre-market.js";
import { ReconcileCadence } from "./reconcile-cadence.js";
import { DayScheduler, MemoryDayProgress } from "./scheduler.js";
import { ServiceNotices } from "./service-notices.js";
import { SessionWatcher } from "./session-watcher.js";
import { StrategyOrders } from "./strategy-orders.js";
import { TickRouter } from "./tick-routing.js";
import type { TradingServiceDeps, TradingServiceEvents } from "./trading-service-deps.js";

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
  private readonly reconciles: ReconcileCadence;
  /** Ticks → last prices, views and the paper broker. */
  private readonly ticks: TickRouter;
  /** Alerts and the trader's notifications. */
  private readonly notices: ServiceNotices;
  private readonly session: SessionWatcher;
  /** Work in flight, waited for by stop() and idle(). */
  private readonly work: InFlightWork;
  private readonly gate: EntryGate;
  /** The strategy's decisions → the order manager. */
  private readonly orders: StrategyOrders;
  private readonly cleanups: Array<() => void> = [];
  private prepared: { date: IsoDate; day: PreparedDay } | null = null;
  private liveDay: LiveDay | null = null;
  private cancelPoll: (() => void) | null = null;
  /** Clock time of the last poll of the day's loop (the /health liveness), or of the start. */
  private lastBeat = 0;
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
    this.ticks = new TickRouter(deps.broker, this.events);
    this.work = new InFlightWork((e) =>
      this.notify("critical", `trading service: ${(e as Error).message ?? String(e)}`),
    );
    this.notices = new ServiceNotices({
      notify: deps.notify,
      notifier: deps.notifier,
      clock: deps.clock,
      store: deps.store,
      events: this.events,
    });
    this.session = new SessionWatcher({
      sessions: deps.sessions,
      loginUrl: deps.loginUrl,
      loginGiveUp: formatHhmm(schedule.loginGiveUp),
      kite: deps.kite,
      clock: deps.clock,
      positionOpen: () => deps.store.positions.open().length > 0,
      started: () => this.started,
      applyEntryGate: () => this.gate.apply(),
      notify: (level, message) => this.notify(level, message),
      tell: (n) => this.notices.tell(n),
      changed: () => this.events.emit("changed"),
      regained: () => {
        this.track(this.orderManager.reconcile());
        this.scheduler.poke();
      },
    });
    this.orderManager = new OrderManager({
      broker: deps.broker.broker,
      store: deps.store,
      clock: deps.clock,
      // The configuration's settings, with a test's or a caller's changes on top.
      config: { ...executionConfigFrom(deps.config), ...deps.execution },
      ltpOf: (symbol) => this.ticks.lastPrice(symbol),
    });
    this.fills = new FillLedger({
      store: deps.store,
      rates: strategyParamsFrom(deps.config).charges,
      day: () => this.liveDay,
      tell: (n) => this.notices.tell(n),
      log: deps.log,
      warn: (m) => this.notify("warning", m),
      changed: (tradeId) => this.events.emit("trade", tradeId),
    });
    this.reconciles = new ReconcileCadence({
      store: deps.store,
      everyMs: deps.reconcileEveryMs,
      reconcile: () => this.track(this.orderManager.reconcile()),
    });
    this.gate = new EntryGate({
      store: deps.store,
      staticIp: deps.staticIp,
      stopping: () => this.stopping,
      sessionLost: () => this.session.isLost,
      day: () => this.liveDay,
      orderManager: this.orderManager,
      track: (work) => this.track(work),
    });
    this.orders = new StrategyOrders({
      config: deps.config,
      store: deps.store,
      orderManager: this.orderManager,
      gate: this.gate,
      day: () => this.liveDay,
      notices: this.notices,
      fills: this.fills,
      events: this.events,
      track: (work) => this.track(work),
    });
    this.scheduler = new DayScheduler({
      clock: deps.clock,
      setTimer: deps.setTimer,
      calendar: deps.calendar,
      schedule,
      progress: deps.progress ?? new MemoryDayProgress(),
      onStep: (date, step) => this.runStep(date, step),
      hasSession: () => this.session.hasSession(),
      onLoginNeeded: (date) => this.session.loginNeeded(date),
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
    this.notices.attach(om);
    this.fills.attach(om);
    om.on("entry_failed", (e) => {
      // Nothing was bought: the strategy forgets the position, so it neither manages nor exits it.
      this.liveDay?.cancelEntry(e.tradeId);
      this.notify("warning", `entry of ${e.tradeId} failed: ${e.reason}`);
    });

    this.cleanups.push(
      this.ticks.attach(ticker),
      sessions.on("session_expired", (e) => this.session.expired(e.reason)),
      sessions.on("session_started", (e) => this.session.started(e.userId)),
    );

    this.session.hasSession();
    const report = await om.reconcile();
    this.d.log(
      `reconciled: ${report.tradesStepped.length} trade(s) resumed, ${report.manualCloses.length} closed by hand, ` +
        `${report.stopsReplaced.length} stop(s) replaced${report.problems.length ? `; problems: ${report.problems.join("; ")}` : ""}`,
    );
    if (this.stopping) return report;
    ticker.connect();
    // Not from the open: a restart holding a position spends its pre-market with a stop just
    // placed, whose refusal may come only from the book: the order manager's timers run meanwhile.
    this.armPoll();
    this.scheduler.start();
    return report;
  }

  /** Stops new entries and timers, closes the ticker and the store. Positions stay protected by their stops. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.gate.apply();
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
      if (this.work.size === 0) return;
    }
  }

  /** The day in progress (null outside market hours). */
  get day(): LiveDay | null {
    return this.liveDay;
  }

  /** The reason new entries are refused now, or null when they are allowed. */
  entryBlock(): string | null {
    return this.gate.block();
  }

  // ---- steps ----------------------------------------------------------------------------

  private async runStep(date: IsoDate, step: DayStep): Promise<void> {
    this.d.log(`${date} ${step}`);
    switch (step) {
      case "SESSION_CHECK":
        this.session.hasSession();
        if (this.mode === "live" && this.d.staticIp) this.track(this.d.staticIp.checkBeforeOpen(date));
        return;
      case "PRE_MARKET":
        return this.preMarket(date);
      case "MARKET_OPEN":
        return this.marketOpen(date);
      case "EOD_EXIT":
        await this.orders.exitAll("EOD");
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
      this.notices.preMarket(date, d);
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
  }

  /** The day's LiveDay, created and subscribed once. */
  private ensureLiveDay(date: IsoDate, prepared: PreparedDay): LiveDay {
    if (this.liveDay?.date === date) return this.liveDay;
    const resuming = this.d.clock.now() >= istEpochMs(date, this.openMinute);
    const live = createLiveDay(this.openingDeps(), date, prepared, resuming);
    for (const c of prepared.plan.contracts) this.ticks.follow(c.instrumentToken, c.tradingsymbol);
    live.on("entry", (p) => this.orders.entry(p));
    live.on("exit", (t) => this.orders.exit(t));
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
    const history = await loadLiveDayHistory(this.openingDeps(), live.date, prepared, this.openMinute);
    if (this.liveDay !== live) return;
    live.resume(history);
    this.fills.resumed(live);
    const replayed = [...history.closed.values()].reduce((n, list) => n + list.length, 0);
    this.d.log(`${live.date}: resumed the day after ${replayed} candle(s) of history`);
  }

  private daySummary(date: IsoDate): void {
    const live = this.liveDay;
    if (!live || live.date !== date) {
      this.d.log(`${date}: no trading day to summarise`);
      return;
    }
    live.finish();
    this.liveDay = null;
    summariseDay({ calendar: this.d.calendar, store: this.d.store, notices: this.notices }, date);
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

  /** One poll: control state, the day's closes, the order manager's timers, the EOD time (while a day trades). */
  private pollOnce(): void {
    const now = this.d.clock.now();
    this.lastBeat = now;
    try {
      this.gate.applyControl();
      this.liveDay?.poll(now);
      this.gate.apply();
      this.orderManager.poll(now);
      this.session.lookForNewSession(now);
      this.reconciles.whenDue(now);
      const { minute } = istPartsOf(now);
      const eod = this.liveDay !== null && minute >= this.eodExitMinute;
      if (eod && this.d.store.positions.open().some((p) => p.state !== "CLOSING")) {
        this.track(this.orders.exitAll("EOD"));
      }
    } catch (e) {
      this.notify("critical", `poll failed: ${(e as Error).message ?? String(e)}`);
    }
  }

  // ---- helpers --------------------------------------------------------------------------

  private preMarketDeps(): PreMarketDeps {
    return {
      history: this.d.history,
      clock: this.d.clock,
      calendar: this.d.calendar,
      config: this.d.config,
      store: this.d.store,
      warn: (m) => this.notify("warning", m),
    };
  }

  private openingDeps(): LiveDayOpeningDeps {
    return {
      config: this.d.config,
      clock: this.d.clock,
      store: this.d.store,
      preMarket: this.preMarketDeps(),
      history: this.d.history,
      graceMs: this.d.graceMs,
      follow: (c) => this.ticks.follow(c.instrumentToken, c.tradingsymbol),
      warn: (m) => this.notify("warning", m),
    };
  }

  private async settled(): Promise<void> {
    await this.work.settled();
    await this.orderManager.idle();
  }

  private track(work: Promise<unknown>): void {
    this.work.track(work);
  }

  private notify(level: AlertLevel, message: string): void {
    this.notices.notify(level, message);
  }

  // ---- for views --------------------------------------------------------------------------

  /** Clock time of the day loop's last beat (or of the start): /health's liveness. */
  get lastBeatAt(): number {
    return this.lastBeat;
  }

  /** The last traded price of a contract the service follows (null when unknown). */
  lastPrice(symbol: string): number | null {
    return this.ticks.lastPrice(symbol);
  }

  /** True while the broker session is known lost. */
  get sessionIsLost(): boolean {
    return this.session.isLost;
  }

  /** The trading day given up for want of a session. */
  get gaveUpToday(): boolean {
    return this.scheduler.gaveUpToday;
  }

  /** Applies the control state (entries, panic, lots) now rather than at the next poll. */
  applyControlNow(): void {
    this.gate.applyControl();
    this.events.emit("changed");
  }
}
