/*
 * What the trading service is given (its dependencies and settings) and what it tells its views
 * (its live events): the service's contract with the composition root and the dashboard.
 */

import type { Config } from "../config/schema.js";
import type { TradingCalendar } from "../domain/calendar.js";
import type { Candle } from "../domain/candle.js";
import type { DayArchiver } from "../ports/archive.js";
import type { Broker } from "../ports/broker.js";
import type { Clock } from "../ports/clock.js";
import type { MarketHistory } from "../ports/history.js";
import type { MarketTick, TickFeed } from "../ports/market-data.js";
import type { Notifier } from "../ports/notifier.js";
import type { SessionSource } from "../ports/session.js";
import type { Store } from "../ports/store.js";
import type { SetTimer } from "../ports/timer.js";
import type { SignalRecord } from "../strategy/types.js";
import type { DayTimes } from "./day-plan.js";
import type { ExecutionConfig } from "./execution-config.js";
import type { AlertLevel } from "./order-manager.js";
import type { DayProgress } from "./scheduler.js";
import type { StaticIpGuard } from "./static-ip-guard.js";

/** The ticker as the service uses it: a tick feed that also carries order frames. */
export interface ServiceTicker extends TickFeed {
  connect(): void;
  close(): Promise<void>;
  on(event: "ticks", listener: (ticks: MarketTick[]) => void): unknown;
  on(event: "order", listener: (order: Record<string, unknown>) => void): unknown;
  off(event: "ticks", listener: (ticks: MarketTick[]) => void): unknown;
  off(event: "order", listener: (order: Record<string, unknown>) => void): unknown;
}

/** The session store as the service uses it. */
export type ServiceSessions = SessionSource;

/** The broker of the mode: Kite (fed the ticker's order frames) or paper (fed the ticks). */
export type ServiceBroker =
  | { mode: "live"; broker: Broker & { feedSocketOrder(data: unknown): boolean } }
  | {
      mode: "paper";
      broker: Broker & {
        onTicks(ticks: readonly MarketTick[], symbolOf: (token: number) => string | undefined): void;
      };
    };

/** Everything the service is given. */
export interface TradingServiceDeps {
  config: Config;
  clock: Clock;
  setTimer: SetTimer;
  store: Store;
  /** The broker's REST client, given the session's access token as the session changes. */
  kite: { setAccessToken(token: string | null): void };
  /** The market's past (adapters/kite KiteHistory): the pre-market, the day so far after a late start. */
  history: MarketHistory;
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
