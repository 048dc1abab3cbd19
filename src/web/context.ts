import type { FastifyPluginAsync } from "fastify";
import type { Config } from "../config/schema.js";
import type { EngineView, LoginPort, PostbackCheck, PostbackSink } from "../ports/app.js";
import type { Clock } from "../ports/clock.js";
import type { RateLimiter } from "./rate-limit.js";
import type { ServiceMetrics } from "./service-metrics.js";
import type { SessionRegistry } from "./sessions.js";
import type { LogFunction, WebLogger } from "./web-logger.js";

/** What `/health` asks: is the engine's loop alive, is the database usable. */
export type HealthProbe = () => { ok: true } | { ok: false; reason: string };

/** Repeats `fn` every `ms`; returns the function that stops it. */
export type Repeat = (fn: () => void, ms: number) => () => void;

/** Everything `buildApp` needs; the world outside (engine, broker, time, randomness) comes in here. */
export interface WebAppDeps {
  engine: EngineView;
  postbacks: PostbackSink;
  login: LoginPort;
  /**
   * Signed single-use login links (adapters/kite/login-links.ts LoginLinks fits): `/login?link=`
   * works without a dashboard session. Absent: only a dashboard session opens /login.
   */
  loginLinks?: { take(token: unknown): "ok" | "missing" | "invalid" | "expired" | "used" };
  /**
   * Checks a postback body's checksum and translates it (adapters/kite postback-check.ts
   * `checkKitePostback` with the Kite app's api_secret fits).
   */
  checkPostback: (rawBody: string) => PostbackCheck;
  /** The validated configuration (its `server` section above all). */
  config: Config;
  clock: Clock;
  /**
   * Real time, for the rate limits and uptime: a limit a minute is a real minute and uptime is
   * how long the process has lived even when `clock` (the engine's market time) runs many times
   * faster, as in the demo and the rehearsal. Default: the system clock for the limits, `clock`
   * for uptime.
   */
  wallClock?: Clock;
  /** A pino logger, or a function; everything logged is redacted on the way. */
  log: WebLogger | LogFunction;
  version: string;
  /** When the service started (epoch ms on `wallClock`), for uptime. */
  startedAtMs: number;
  health: HealthProbe;
  /** Session ids and CSRF tokens come from here (default: crypto.randomBytes). */
  randomBytes?: (size: number) => Buffer;
  /** Serves GET / and its assets, inside the authenticated scope. Without it: a minimal page. */
  dashboard?: FastifyPluginAsync;
  /** The metrics /metrics serves; shared with the engine. Default: a fresh set. */
  metrics?: ServiceMetrics;
  /** Timers of the event stream's keep-alive comments (default setInterval). */
  repeat?: Repeat;
  /** Keep-alive comment period of /events (default 15 s). */
  keepAliveMs?: number;
}

/** What the route modules share. */
export interface WebContext {
  deps: WebAppDeps;
  log: WebLogger;
  metrics: ServiceMetrics;
  sessions: SessionRegistry;
  loginLimiter: RateLimiter;
  kiteLoginLimiter: RateLimiter;
  postbackFailureLimiter: RateLimiter;
  /** Valid postbacks per order id (a replayed order's flood stops here). */
  postbackOrderLimiter: RateLimiter;
}
