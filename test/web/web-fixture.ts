import { createHash } from "node:crypto";
import type { LoginOutcome } from "../../src/adapters/kite/login-flow.js";
import { checkKitePostback } from "../../src/adapters/kite/postback-check.js";
import { parseConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import type { Candle } from "../../src/domain/candle.js";
import type {
  ControlPort,
  EngineView,
  LiveEvent,
  LoginPort,
  PostbackAcceptance,
  PostbackSink,
  StatusSnapshot,
} from "../../src/ports/app.js";
import type { OrderUpdate } from "../../src/ports/broker.js";
import { ManualClock } from "../../src/ports/clock.js";
import { buildApp, type HealthProbe, type WebAppDeps } from "../../src/web/app.js";
import { hashPassword } from "../../src/web/password-hash.js";
import { createServiceMetrics } from "../../src/web/service-metrics.js";
import type { LogFields, LogLevel } from "../../src/web/web-logger.js";

/*
 * The web app over fakes of the engine, the postback sink and the Kite login, with a manual
 * clock and a captured log: every route test starts from `testApp()`.
 */

export const API_SECRET = "test_api_secret_3f9a";
export const API_TOKEN = "monitoring-token-0123456789abcdef";
export const PASSWORD = "correct horse battery staple";
/** Cheap scrypt parameters: the tests log in often. */
export const PASSWORD_HASH = await hashPassword(PASSWORD, { ln: 4, r: 8, p: 1 });
export const T0 = Date.UTC(2025, 8, 4, 4, 0, 0); // 09:30 IST
export const SYMBOL = "SENSEX2591180500CE";

/** A plausible status snapshot (a contract of the universe: SYMBOL). */
export function fakeStatus(): StatusSnapshot {
  return {
    version: "9.9.9",
    mode: "PAPER",
    now: "2025-09-04T09:30:00+05:30",
    date: "2025-09-04",
    phase: "MARKET_OPEN",
    market: { open: true, nextOpen: null },
    session: { valid: true, userId: "AB1234", expiresAt: "2025-09-05T06:00:00+05:30" },
    ticker: { connected: true, lastTickAgeMs: 120, subscriptions: 23 },
    universe: {
      underlying: "SENSEX",
      spot: 80_512,
      atm: 80_500,
      expiry: "2025-09-11",
      contracts: [
        {
          symbol: SYMBOL,
          instrumentToken: 12345,
          strike: 80_500,
          optionType: "CE",
          quantity: 20,
          structure: "BULLISH",
          pivots: null,
          ltp: 310.5,
        },
      ],
    },
    position: null,
    exposures: [],
    orders: [],
    trades: [],
    signals: [],
    pnl: { gross: 0, charges: 0, net: 0, slippage: null },
    risk: {
      entriesEnabled: true,
      panic: false,
      sessionExpired: false,
      lots: 1,
      maxLots: 5,
      tradesToday: 0,
      maxTradesPerDay: 3,
      stopLossesToday: 0,
      lossToday: 0,
      maxDailyLoss: 25_000,
    },
    month: { month: "2025-09", trades: 0, gross: 0, net: 0, winRate: null, slippage: null },
    health: { uptimeS: 60, cpuPct: 3, rssMb: 80, checks: [] },
    reminders: [],
    outboxBacklog: 0,
    archiveDays: 0,
  };
}

/** The engine, faked: a status, candles, subscribers, and the control calls it received. */
export class FakeEngine implements EngineView {
  snapshot = fakeStatus();
  readonly candleData = new Map<string, Candle[]>([
    [SYMBOL, [{ start: T0, open: 300, high: 312, low: 298, close: 310, volume: 1000 }]],
  ]);
  readonly listeners = new Set<(e: LiveEvent) => void>();
  readonly calls: Array<{ action: string; value?: unknown; actor: string }> = [];

  readonly control: ControlPort = {
    setEntriesEnabled: (enabled, actor) => {
      this.calls.push({ action: "entries", value: enabled, actor });
      this.snapshot.risk.entriesEnabled = enabled;
    },
    panic: (actor) => {
      this.calls.push({ action: "panic", actor });
      this.snapshot.risk.panic = true;
    },
    clearPanic: (actor) => {
      this.calls.push({ action: "clearPanic", actor });
      this.snapshot.risk.panic = false;
    },
    setLots: (lots, actor) => {
      if (lots < 1 || lots > this.snapshot.risk.maxLots)
        throw new RangeError(`lots must be between 1 and ${this.snapshot.risk.maxLots}, found ${lots}`);
      this.calls.push({ action: "lots", value: lots, actor });
      this.snapshot.risk.lots = lots;
    },
  };

  status(): StatusSnapshot {
    return this.snapshot;
  }

  candles(symbol: string): Candle[] {
    return this.candleData.get(symbol) ?? [];
  }

  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(event: LiveEvent): void {
    for (const l of this.listeners) l(event);
  }
}

/** Keeps what it is given; an update seen before is a duplicate. */
export class FakeSink implements PostbackSink {
  readonly accepted: Array<{ update: OrderUpdate; raw: string }> = [];
  private readonly seen = new Set<string>();
  failWith: Error | null = null;

  async accept(update: OrderUpdate | null): Promise<PostbackAcceptance> {
    if (this.failWith) throw this.failWith;
    if (!update) return "ignored";
    const key = `${update.orderId}|${update.status}|${update.filledQuantity}`;
    if (this.seen.has(key)) return "duplicate";
    this.seen.add(key);
    this.accepted.push({ update, raw: update.raw });
    return "applied";
  }
}

/** The Kite login, faked: a fixed URL, and the outcome the test chooses. */
export class FakeLogin implements LoginPort {
  starts = 0;
  outcome: LoginOutcome = {
    ok: true,
    userId: "AB1234",
    userName: "A Trader",
    expiresAt: "2025-09-05T06:00:00+05:30",
  };
  readonly queries: Array<Readonly<Record<string, unknown>>> = [];

  start(): { url: string } {
    this.starts++;
    return {
      url: `https://kite.example/connect/login?api_key=k&v=3&redirect_params=state%3Ds${this.starts}`,
    };
  }

  async handleCallback(query: Readonly<Record<string, string | readonly string[] | undefined>>) {
    this.queries.push({ ...query });
    return this.outcome;
  }
}

/** Every log call, kept. */
export class CapturedLog {
  readonly entries: Array<{ level: LogLevel; message: string; fields: LogFields }> = [];
  readonly write = (level: LogLevel, message: string, fields: LogFields): void => {
    this.entries.push({ level, message, fields });
  };

  /** All of the log as one text (to search for secrets). */
  text(): string {
    return this.entries.map((e) => `${e.level} ${e.message} ${JSON.stringify(e.fields)}`).join("\n");
  }
}

/** A valid config with the server section given. */
export function testConfig(server: Record<string, unknown> = {}): Config {
  const r = parseConfig({
    server: { api_token: API_TOKEN, password_hash: PASSWORD_HASH, ...server },
  });
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.config;
}

/** Deterministic "randomness": a counter's bytes. */
export function countingRandom(): (size: number) => Buffer {
  let n = 0;
  return (size) => createHash("sha512").update(`r${n++}`).digest().subarray(0, size);
}

export interface TestAppOptions {
  config?: Config;
  health?: HealthProbe;
  deps?: Partial<WebAppDeps>;
}

/** The app over fresh fakes. */
export function testApp(options: TestAppOptions = {}) {
  const engine = new FakeEngine();
  const sink = new FakeSink();
  const login = new FakeLogin();
  const clock = new ManualClock(T0);
  const log = new CapturedLog();
  const metrics = createServiceMetrics();
  const app = buildApp({
    engine,
    postbacks: sink,
    login,
    checkPostback: (raw) => checkKitePostback(raw, API_SECRET),
    config: options.config ?? testConfig(),
    clock,
    // The rate limits' clock: the same manual clock unless a test separates them.
    wallClock: clock,
    log: log.write,
    version: "9.9.9",
    startedAtMs: T0 - 90_000,
    health: options.health ?? (() => ({ ok: true })),
    randomBytes: countingRandom(),
    metrics,
    ...options.deps,
  });
  return { app, engine, sink, login, clock, log, metrics };
}

/** A postback body with a valid checksum (fields overridable). */
export function signedPostback(fields: Record<string, unknown> = {}, secret = API_SECRET): string {
  const body: Record<string, unknown> = {
    user_id: "AB1234",
    unfilled_quantity: 0,
    app_id: 1234,
    placed_by: "AB1234",
    order_id: "250904000000001",
    exchange_order_id: "1000000001482421",
    parent_order_id: null,
    status: "COMPLETE",
    status_message: null,
    order_timestamp: "2025-09-04 09:30:01",
    exchange_timestamp: "2025-09-04 09:30:01",
    variety: "regular",
    exchange: "BFO",
    tradingsymbol: SYMBOL,
    instrument_token: 12345,
    order_type: "LIMIT",
    transaction_type: "BUY",
    validity: "DAY",
    product: "MIS",
    quantity: 20,
    disclosed_quantity: 0,
    price: 310,
    trigger_price: 0,
    average_price: 310,
    filled_quantity: 20,
    pending_quantity: 0,
    cancelled_quantity: 0,
    market_protection: 0,
    meta: {},
    tag: "E20250904001",
    guid: "x",
    ...fields,
  };
  body.checksum ??= createHash("sha256")
    .update(String(body.order_id) + String(body.order_timestamp) + secret)
    .digest("hex");
  return JSON.stringify(body);
}

/** Logs in through the form; returns the cookie header value and the CSRF token. */
export async function logIn(
  app: ReturnType<typeof buildApp>,
  remoteAddress = "127.0.0.1",
): Promise<{ cookie: string; csrf: string }> {
  const res = await app.inject({
    method: "POST",
    url: "/auth/login",
    remoteAddress,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    payload: `password=${encodeURIComponent(PASSWORD)}`,
  });
  if (res.statusCode !== 303) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const setCookie = String(res.headers["set-cookie"]);
  const cookie = setCookie.split(";", 1)[0] as string;
  const session = await app.inject({
    method: "GET",
    url: "/api/session",
    headers: { cookie },
    remoteAddress,
  });
  return { cookie, csrf: (JSON.parse(session.body) as { csrfToken: string }).csrfToken };
}
