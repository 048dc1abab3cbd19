/*
 * `buildApp(deps)`: the service's HTTP face, a fastify instance that is not listening yet
 * (tests drive it with `app.inject()`; `listenApp` in listen.ts puts it on a socket). It runs
 * in the engine's process behind nginx, which terminates TLS.
 *
 * Routes
 *   GET  /health              public, not logged: 200 {status:"ok",uptime_s,version}; 503 {status,reason,..}
 *   GET  /status              Bearer server.api_token or a dashboard session: the StatusSnapshot; else 401
 *   GET  /metrics             loopback clients only (else 403): Prometheus text
 *   GET  /login               302 to a fresh Kite login URL (429 when asked too often)
 *   GET  /callback            Kite's redirect: 200 success page (who, valid until) or 400 failure page
 *   POST /postback            Kite's order updates, raw body of any type: 200 stored; 400 invalid JSON or
 *                             fields; 401 no/wrong checksum; 413 over 64 KB; 429 an address failing too
 *                             often, or an order's valid updates coming too often; 503 only when a valid update could not be stored
 *
 * Dashboard API (the dashboard's browser code calls exactly these)
 *   GET  /auth/login          the login form (303 to / when already logged in)
 *   POST /auth/login          form field `password`: 303 to / with the session cookie; 401 the form again
 *                             with a message; 429 (Retry-After) after 5 attempts a minute from an address
 *                             (an IPv6 client's /64) or while 2 password checks already run;
 *                             403 when no password is configured (`pivot set-password`)
 *   POST /auth/logout         header x-csrf-token (or form field csrf_token): 303 to /auth/login; 403 bad token
 *   --- below: a session is required; without one a page GET gets 302 /auth/login, anything else 401 JSON
 *   GET  /                    the dashboard (deps.dashboard), else a minimal page linking to /status
 *   GET  /api/session         {csrfToken, mode, expiresAt}
 *   GET  /events              text/event-stream: `event: <type>\ndata: <LiveEvent as JSON>\n\n`, a `status`
 *                             event first, `: keep-alive` comments every 15 s
 *   GET  /api/candles?symbol=X  Candle[] of a contract of today's universe; 400 unknown or invalid symbol
 *   POST /api/control/entries     {enabled: boolean}
 *   POST /api/control/panic       {confirm: true}
 *   POST /api/control/panic/clear (no body)
 *   POST /api/control/lots        {lots: number}  (out of range: 400 with the engine's message)
 *     Control routes: JSON bodies (content-type application/json), header x-csrf-token = the session's
 *     csrfToken (else 403); 200 {ok:true}; 400 {error} for a bad body. Errors are {error: message}.
 *
 * Security: session cookie `pivot_session` (HttpOnly, SameSite=Strict, Secure over HTTPS); CSP
 * (scripts from 'self' only) and the other headers of security-headers.ts on every response;
 * X-Forwarded-For/-Proto believed only from a loopback peer; no stack traces to clients; the
 * request log holds method, path (never the query), status, duration and client address only.
 */
import { randomBytes as cryptoRandomBytes } from "node:crypto";
import fastifyCookie from "@fastify/cookie";
import Fastify, { type FastifyInstance } from "fastify";
import { systemClock } from "../ports/clock.js";
import { clientOf } from "./client-address.js";
import type { WebAppDeps, WebContext } from "./context.js";
import { installErrorHandlers } from "./errors.js";
import { addressGroupOf, RateLimiter } from "./rate-limit.js";
import { dashboardLoginRoutes, LOGIN_ATTEMPTS_A_MINUTE } from "./routes/dashboard-login.js";
import { dashboardScope } from "./routes/dashboard-scope.js";
import { registerFavicon } from "./routes/favicon.js";
import { registerOpsRoutes } from "./routes/health.js";
import { registerKiteLoginRoutes } from "./routes/kite-login.js";
import {
  POSTBACK_FAILURES_A_MINUTE,
  POSTBACK_UPDATES_A_MINUTE_PER_ORDER,
  postbackRoutes,
} from "./routes/postback.js";
import { registerStatusRoute } from "./routes/status.js";
import { securityHeaders } from "./security-headers.js";
import { createServiceMetrics } from "./service-metrics.js";
import { SessionRegistry } from "./sessions.js";
import { redactingLogger } from "./web-logger.js";

export type { HealthProbe, WebAppDeps } from "./context.js";

/** The largest request body any route takes (the postback's limit; others take less). */
const BODY_LIMIT = 64 * 1024;
const MINUTE_MS = 60_000;

/** Builds the web app over the engine's view, the postback sink and the login; not listening. */
export function buildApp(deps: WebAppDeps): FastifyInstance {
  const log = redactingLogger(deps.log);
  const clock = deps.clock;
  const wallClock = deps.wallClock ?? systemClock;
  const perAddressMinute = { windowMs: MINUTE_MS, clock: wallClock, keyOf: addressGroupOf };
  const ctx: WebContext = {
    deps,
    log,
    metrics: deps.metrics ?? createServiceMetrics(),
    sessions: new SessionRegistry({
      clock,
      ttlMs: deps.config.server.session_hours * 3_600_000,
      randomBytes: deps.randomBytes ?? cryptoRandomBytes,
    }),
    // Limits by client address count an IPv6 client's whole /64, on the wall clock.
    loginLimiter: new RateLimiter({ limit: LOGIN_ATTEMPTS_A_MINUTE, ...perAddressMinute }),
    kiteLoginLimiter: new RateLimiter({ limit: 10, ...perAddressMinute }),
    postbackFailureLimiter: new RateLimiter({ limit: POSTBACK_FAILURES_A_MINUTE, ...perAddressMinute }),
    postbackOrderLimiter: new RateLimiter({
      limit: POSTBACK_UPDATES_A_MINUTE_PER_ORDER,
      windowMs: MINUTE_MS,
      clock: wallClock,
    }),
  };

  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    // Forwarded headers are read by hand (client-address.ts): only from a loopback peer.
    trustProxy: false,
    // A client must send its whole request within this (slow-loris); responses are not limited.
    requestTimeout: 30_000,
    return503OnClosing: true,
  });
  installErrorHandlers(app, log);

  const headers = { http: securityHeaders(false), https: securityHeaders(true) };
  app.addHook("onSend", (request, reply, payload, done) => {
    const set = clientOf(request).https ? headers.https : headers.http;
    for (const name in set) if (!reply.hasHeader(name)) reply.header(name, set[name] as string);
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
    done(null, payload);
  });

  app.addHook("onResponse", (request, reply, done) => {
    const path = request.url.split("?", 1)[0] ?? "";
    // /health is polled all day long by monitors: not worth a line each time. A stored postback
    // is on record already (order_event_arrivals: path, time, payload), and a line each would
    // cost the postback path a tenth of its time under load; refused ones are still logged.
    if (path !== "/health" && !(path === "/postback" && reply.statusCode === 200)) {
      const fields = {
        method: request.method,
        path: path.length > 200 ? `${path.slice(0, 200)}…` : path,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        client: clientOf(request).address,
      };
      if (reply.statusCode >= 500) log.error(fields, "request");
      else log.info(fields, "request");
    }
    done();
  });

  const streams = new Set<() => void>();
  app.addHook("preClose", (done) => {
    for (const close of [...streams]) close();
    done();
  });

  app.register(fastifyCookie);
  app.register(async (root) => {
    registerOpsRoutes(root, ctx);
    registerFavicon(root);
    registerStatusRoute(root, ctx);
    registerKiteLoginRoutes(root, ctx);
  });
  app.register(postbackRoutes, { ctx });
  app.register(dashboardLoginRoutes, { ctx });
  app.register(dashboardScope, { ctx, streams });
  return app;
}
