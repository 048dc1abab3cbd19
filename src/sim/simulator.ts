/**
 * `startSimulator()`: a local, Kite-compatible server that replays a day of candles — REST API,
 * login page, ticker WebSocket, postbacks and fault injection — for tests and rehearsals.
 */
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { TradingCalendar } from "../domain/calendar.js";
import { type Instrument, parseInstrumentMaster } from "../domain/instruments.js";
import { type IsoDate, istEpochMs, istPartsOf } from "../domain/ist.js";
import { type Clock, systemClock } from "../ports/clock.js";
import { buildSimApp } from "./app.js";
import { type Fault, FaultState, parseFault } from "./faults.js";
import { buildSimInstruments } from "./instruments.js";
import { kiteTimestamp, parseTimeOfDay } from "./kite-time.js";
import { loadSimMarketData, SimDataError } from "./market-data.js";
import { MarketReplay } from "./market-replay.js";
import { OrderBook } from "./order-book.js";
import { type OrderRequestRecord, OrderSourceGate } from "./order-source.js";
import type { OrderPayload } from "./orders.js";
import { tradePayload } from "./orders.js";
import type { PositionRow } from "./positions.js";
import { PostbackSender, postbackPayload } from "./postbacks.js";
import { RateLimiter } from "./rate-limits.js";
import { SessionStore, type SimAccount } from "./sessions.js";
import { TickSource } from "./tick-source.js";
import { TickerServer } from "./ticker-server.js";

export type { Fault } from "./faults.js";
export { SimDataError } from "./market-data.js";

export interface SimulatorOptions {
  /** Default 9100; 0 = any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Candles in the ../shared/data format; without it a synthetic two-day market is generated. */
  dataDir?: string;
  /** The day to replay (default: the first day of the data that has a previous day, or the synthetic day). */
  date?: IsoDate;
  /** 1 = real time; 60 = a market minute a second (default 1). */
  speed?: number;
  /** Seeds the ticks inside candles and the synthetic market (default 1). */
  seed?: number;
  /** Defaults "sim_api_key" / "sim_api_secret". */
  apiKey?: string;
  apiSecret?: string;
  /** Default "SIM001". */
  userId?: string;
  /** Where the login page sends the browser (default: the simulator's own /__sim/callback page). */
  redirectUrl?: string;
  /** Where order updates are POSTed (none when absent). */
  postbackUrl?: string;
  /** The login page redirects at once (tests). */
  autoLogin?: boolean;
  /** Time for token expiry (06:00 IST) and the replay's pace (default: the system clock). */
  clock?: Clock;
  /** Do not start the replay until `start()` (tests). */
  startPaused?: boolean;
  /** Market time the replay starts from, `HH:MM` or `HH:MM:SS` IST (default 09:15). */
  startTime?: string;
  /** Kite instrument master dumps (CSV): their real tokens are used for the symbols they list. */
  instrumentFiles?: string[];
  /** Cash the account starts the day with (default 500,000). */
  openingBalance?: number;
  /** Enforce Kite's rate limits (default true; tests of other things may turn them off). */
  rateLimits?: boolean;
  /**
   * The static IPs of the account: order placement, modification and cancellation from any other
   * source address is refused as Kite does (default: every address allowed).
   */
  allowedIps?: readonly string[];
  /** Log lines (postback failures, data warnings). */
  log?: (line: string) => void;
  /**
   * Called synchronously as an order POST reaches its route, before validation, with its form
   * fields (the latency benchmark stamps each entry's arrival here).
   */
  onOrderRequest?: (fields: Record<string, string | undefined>) => void;
}

/** What `state()` and `GET /__sim/state` report. */
export interface SimState {
  date: IsoDate;
  /** Market time, ISO 8601 IST (`2025-09-05T09:18:00+05:30`). */
  marketTime: string;
  marketTimeMs: number;
  /** Market time as Kite writes it (`2025-09-05 09:18:00`). */
  marketTimestamp: string;
  session: "PRE_OPEN" | "OPEN" | "CLOSED";
  running: boolean;
  speed: number;
  ticks: { played: number; total: number };
  source: string;
  instruments: number;
  derivedIndexDays: IsoDate[];
  orders: OrderPayload[];
  trades: Record<string, unknown>[];
  positions: { net: PositionRow[]; day: PositionRow[] };
  subscriptions: Array<{ id: number; api_key: string; modes: Record<string, string> }>;
  activeSessions: number;
  postbacks: { sent: number; failed: number; skipped: number };
  faults: ReturnType<FaultState["snapshot"]>;
  /** Every order request with its source address and algo_id (refused ones too). */
  orderRequests: OrderRequestRecord[];
}

export interface RunningSimulator {
  /** REST root, e.g. http://127.0.0.1:9100 (kiteconnect's `root`). */
  url: string;
  /** Ticker, e.g. ws://127.0.0.1:9100/ws (the client adds ?api_key=..&access_token=..). */
  wsUrl: string;
  /** Login page, e.g. http://127.0.0.1:9100/connect/login. */
  loginUrl: string;
  apiKey: string;
  apiSecret: string;
  /** The simulated trader's client id (kite.user_id of a configuration pointed at it). */
  userId: string;
  /** The replay day. */
  date: IsoDate;
  /** Market time as a Clock: a trading engine rehearsing against the simulator can run on it. */
  marketClock: Clock;
  /** Starts or resumes the market replay. */
  start(): void;
  /** Pauses the market replay. */
  pause(): void;
  /** Plays every tick up to a market time (`HH:MM[:SS]` of the replay day, or epoch ms) at once. */
  advanceTo(time: string | number): void;
  close(): Promise<void>;
  /** Same as POST /__sim/fault; throws on an invalid fault. */
  injectFault(fault: Fault): void;
  /** Resolves when every postback queued so far has been tried. */
  postbacksIdle(): Promise<void>;
  state(): SimState;
}

/** Starts a simulator and resolves once it listens. Throws SimDataError for unusable data. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const log = options.log ?? (() => {});
  const clock = options.clock ?? systemClock;
  const seed = options.seed ?? 1;
  const speed = options.speed ?? 1;
  if (!(speed > 0) || !Number.isFinite(speed))
    throw new SimDataError(`speed must be a positive number, got ${speed}`);
  const calendar = new TradingCalendar();
  const data = loadSimMarketData({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.date ? { date: options.date } : {}),
    seed,
    calendar,
    warn: (m) => log(`warning: ${m}`),
  });
  const symbols = new Set<string>();
  for (const day of data.byDay.values()) for (const s of day.keys()) symbols.add(s);
  const instruments = buildSimInstruments({
    underlying: data.underlying,
    symbols,
    calendar,
    master: readMasters(options.instrumentFiles ?? []),
  });
  const ticks = new TickSource(data, seed);
  let startMs: number | undefined;
  if (options.startTime !== undefined) {
    const ms = parseTimeOfDay(options.startTime);
    if (ms === null)
      throw new SimDataError(`startTime: expected HH:MM or HH:MM:SS, found "${options.startTime}"`);
    startMs = istEpochMs(data.date, 0) + ms;
  }
  const replay = new MarketReplay({
    date: data.date,
    instruments,
    ticks,
    clock,
    speed,
    seed,
    ...(startMs !== undefined ? { startMs } : {}),
  });

  const account: SimAccount = {
    apiKey: options.apiKey ?? "sim_api_key",
    apiSecret: options.apiSecret ?? "sim_api_secret",
    userId: options.userId ?? "SIM001",
    userName: "Kite Simulator",
  };
  const realNow = () => systemClock.now();
  const sessions = new SessionStore(account, clock);
  const faults = new FaultState(realNow);
  const orderSources = new OrderSourceGate(options.allowedIps ? [...options.allowedIps] : null);
  const limiter = new RateLimiter(realNow, options.rateLimits ?? true);
  const postbacks = new PostbackSender(options.postbackUrl, faults, log);
  const ticker = new TickerServer({
    sessions,
    faults,
    quote: (t) => replay.quote(t),
    marketNow: () => replay.now(),
    realNow,
  });
  const book = new OrderBook({
    instruments,
    market: {
      now: () => replay.now(),
      isSessionOpen: () => replay.isSessionOpen(),
      quote: (t) => replay.quote(t),
      nextSeq: () => replay.progress().played,
    },
    faults,
    userId: account.userId,
    openingBalance: options.openingBalance ?? 500_000,
    onUpdate: (order, kind) => {
      const payload = postbackPayload(order, kind, account);
      postbacks.send(payload);
      ticker.sendOrderUpdate(order.apiKey, payload);
    },
  });
  replay.onTick((tick) => book.onTick(tick));
  replay.onBatch((events) => ticker.broadcast(events));
  replay.onSessionEnd(() => book.onSessionEnd());

  let baseUrl = "";
  const applyFault = (fault: unknown): string | null => {
    const parsed = parseFault(fault);
    if (!parsed.ok) return parsed.message;
    faults.apply(parsed.fault, {
      dropSockets: () => ticker.dropAll(),
      expireTokens: () => sessions.expireAll(),
    });
    return null;
  };
  const state = (): SimState => {
    const now = replay.now();
    return {
      date: data.date,
      marketTime: isoOf(now),
      marketTimeMs: now,
      marketTimestamp: kiteTimestamp(now),
      session: now < replay.sessionStartMs ? "PRE_OPEN" : now < replay.sessionEndMs ? "OPEN" : "CLOSED",
      running: replay.isRunning(),
      speed,
      ticks: replay.progress(),
      source: data.source,
      instruments: instruments.list.length,
      derivedIndexDays: data.derivedIndexDays,
      orders: book.list(),
      trades: book.tradesOf().map(tradePayload),
      positions: book.positions(),
      subscriptions: ticker.subscriptions(),
      activeSessions: sessions.activeCount(),
      postbacks: { ...postbacks.stats },
      faults: faults.snapshot(),
      orderRequests: orderSources.list(),
    };
  };

  const app = buildSimApp({
    sessions,
    instruments,
    data,
    ticks,
    replay,
    book,
    faults,
    limiter,
    orderSources,
    ...(options.onOrderRequest ? { onOrderRequest: options.onOrderRequest } : {}),
    redirectUrl: () => options.redirectUrl ?? `${baseUrl}/__sim/callback`,
    autoLogin: options.autoLogin ?? false,
    state,
    clock: () => ({ marketTimeMs: replay.now(), running: replay.isRunning(), speed }),
    injectFault: applyFault,
    start: () => replay.start(),
    pause: () => replay.pause(),
  });
  ticker.attach(app.server);
  const host = options.host ?? "127.0.0.1";
  try {
    await app.listen({ port: options.port ?? 9100, host });
  } catch (e) {
    replay.close();
    await ticker.close();
    await app.close().catch(() => {});
    throw e;
  }
  const port = (app.server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  baseUrl = `http://${urlHost}:${port}`;
  if (!options.startPaused) replay.start();

  let closed: Promise<void> | null = null;
  return {
    url: baseUrl,
    wsUrl: `ws://${urlHost}:${port}/ws`,
    loginUrl: `${baseUrl}/connect/login`,
    apiKey: account.apiKey,
    apiSecret: account.apiSecret,
    userId: account.userId,
    date: data.date,
    marketClock: { now: () => replay.now() },
    start: () => replay.start(),
    pause: () => replay.pause(),
    advanceTo: (time) => {
      if (typeof time === "number") return replay.advanceTo(time);
      const ms = parseTimeOfDay(time);
      if (ms === null) throw new Error(`advanceTo: expected HH:MM[:SS], found "${time}"`);
      replay.advanceTo(istEpochMs(data.date, 0) + ms);
    },
    close: () => {
      closed ??= (async () => {
        replay.close();
        postbacks.close();
        await ticker.close();
        await app.close();
      })();
      return closed;
    },
    injectFault: (fault) => {
      const error = applyFault(fault);
      if (error) throw new Error(error);
    },
    postbacksIdle: () => postbacks.idle(),
    state,
  };
}

function readMasters(files: readonly string[]): Instrument[] {
  const rows: Instrument[] = [];
  for (const file of files) {
    try {
      rows.push(...parseInstrumentMaster(readFileSync(file, "utf8")));
    } catch (e) {
      throw new SimDataError(`cannot use the instrument master ${file}: ${(e as Error).message}`);
    }
  }
  return rows;
}

function isoOf(epochMs: number): string {
  const p = istPartsOf(epochMs);
  const hh = String(Math.floor(p.minute / 60)).padStart(2, "0");
  const mm = String(p.minute % 60).padStart(2, "0");
  return `${p.date}T${hh}:${mm}:${String(p.second).padStart(2, "0")}+05:30`;
}
