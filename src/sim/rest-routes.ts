/**
 * Kite's REST API over the simulator (KITE.md "Endpoints used"): same paths, envelopes,
 * headers and error types. Every call passes the fault injector, the `X-Kite-Version` check,
 * the `Authorization: token api_key:access_token` check and the rate limits, in that order.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { FaultState } from "./faults.js";
import { historicalCandles } from "./historical.js";
import type { SimInstruments } from "./instruments.js";
import { inputError, KiteError, success, TOO_MANY_REQUESTS_BODY, tokenError } from "./kite-errors.js";
import { segmentMargins } from "./margins.js";
import type { SimMarketData } from "./market-data.js";
import type { MarketReplay } from "./market-replay.js";
import type { OrderBook } from "./order-book.js";
import type { OrderSourceGate } from "./order-source.js";
import type { FormFields } from "./order-validation.js";
import { tradePayload } from "./orders.js";
import { profilePayload, sessionPayload } from "./profile.js";
import { ltpPayload, ohlcPayload, quotePayload } from "./quotes.js";
import { type RateLimiter, rateClassOf } from "./rate-limits.js";
import type { SessionStore } from "./sessions.js";
import type { TickSource } from "./tick-source.js";

export interface RestDeps {
  sessions: SessionStore;
  instruments: SimInstruments;
  data: SimMarketData;
  ticks: TickSource;
  replay: MarketReplay;
  book: OrderBook;
  faults: FaultState;
  limiter: RateLimiter;
  /** Order placement, modification and cancellation only from whitelisted addresses (and recorded). */
  orderSources: OrderSourceGate;
  /** Called as an order POST reaches its route, before it is checked (benchmarks time arrivals). */
  onOrderRequest?: (fields: FormFields) => void;
}

const EXCHANGES = new Set(["NSE", "BSE", "NFO", "BFO", "CDS", "BCD", "MCX", "MF"]);
const MAX_QUOTE_INSTRUMENTS = { quote: 500, ohlc: 1000, ltp: 1000 } as const;

declare module "fastify" {
  interface FastifyRequest {
    /** The api_key of an authenticated call. */
    kiteApiKey: string;
  }
  interface FastifyContextConfig {
    /** False for the calls made before a session exists (`/session/token`). */
    auth?: boolean;
  }
}

/** Registers the Kite API (an encapsulated plugin: its hooks do not touch the login page or /__sim). */
export async function kiteRestRoutes(app: FastifyInstance, deps: RestDeps): Promise<void> {
  app.decorateRequest("kiteApiKey", "");
  app.addHook("onRequest", async (req, reply) => {
    const delay = deps.faults.takeLatency();
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const fault = deps.faults.takeHttpError();
    if (fault === "429") return reply.code(429).send(TOO_MANY_REQUESTS_BODY);
    if (fault) return reply.code(fault.httpStatus).send(fault.body());
    const version = req.headers["x-kite-version"];
    if (version !== undefined && version !== "3") {
      throw inputError("Invalid `X-Kite-Version` header: this API speaks version 3.");
    }
    if (req.routeOptions.config.auth === false) return;
    const apiKey = authenticate(req, deps.sessions);
    req.kiteApiKey = apiKey;
    const path = (req.url.split("?")[0] ?? "").replace(/\/+$/, "");
    if (!deps.limiter.take(apiKey, rateClassOf(req.method, path))) {
      return reply.code(429).send(TOO_MANY_REQUESTS_BODY);
    }
  });

  // Session
  app.post<{ Body: FormFields }>("/session/token", { config: { auth: false } }, async (req) => {
    const b = req.body ?? {};
    const { session, loginTime } = deps.sessions.exchange(b.api_key, b.request_token, b.checksum);
    return success(sessionPayload(deps.sessions.account, session, loginTime));
  });
  app.delete<{ Querystring: FormFields }>("/session/token", { config: { auth: false } }, async (req) => {
    const auth = parseAuthorization(req.headers.authorization);
    const apiKey = req.query.api_key ?? auth?.apiKey;
    const accessToken = req.query.access_token ?? auth?.accessToken;
    if (!deps.sessions.invalidate(apiKey, accessToken)) throw tokenError();
    return success(true);
  });

  // User
  app.get("/user/profile", async () => success(profilePayload(deps.sessions.account)));
  app.get("/user/margins", async () =>
    success({ equity: segmentMargins(deps.book.margins()), commodity: segmentMargins(null) }),
  );
  app.get<{ Params: { segment: string } }>("/user/margins/:segment", async (req) => {
    if (req.params.segment === "equity") return success(segmentMargins(deps.book.margins()));
    if (req.params.segment === "commodity") return success(segmentMargins(null));
    throw inputError("Invalid segment.");
  });

  // Instruments
  const masterCsv = (reply: FastifyReply, exchange?: string) =>
    reply.type("text/csv").send(deps.instruments.csv(deps.replay.date, exchange));
  // Kite's docs send the session header with the dump: required here too (stricter is safer).
  app.get("/instruments", async (_req, reply) => masterCsv(reply));
  app.get<{ Params: { exchange: string } }>("/instruments/:exchange", async (req, reply) => {
    const exchange = req.params.exchange.toUpperCase();
    if (!EXCHANGES.has(exchange)) throw inputError("Invalid exchange.");
    return masterCsv(reply, exchange);
  });

  // Quotes
  const quoteRoute = (kind: keyof typeof MAX_QUOTE_INSTRUMENTS) => async (req: FastifyRequest) => {
    const raw = (req.query as { i?: string | string[] }).i;
    const keys = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    if (keys.length > MAX_QUOTE_INSTRUMENTS[kind]) {
      throw inputError(`Too many instruments: at most ${MAX_QUOTE_INSTRUMENTS[kind]} a request.`);
    }
    const now = deps.replay.now();
    const data: Record<string, unknown> = {};
    for (const key of keys) {
      const instrument = deps.instruments.resolve(key);
      const q = instrument && deps.replay.quote(instrument.instrumentToken);
      if (!q) continue; // Kite leaves out what it does not know
      data[key] = kind === "ltp" ? ltpPayload(q) : kind === "ohlc" ? ohlcPayload(q) : quotePayload(q, now);
    }
    return success(data);
  };
  app.get("/quote", quoteRoute("quote"));
  app.get("/quote/ohlc", quoteRoute("ohlc"));
  app.get("/quote/ltp", quoteRoute("ltp"));

  // Historical candles
  app.get<{ Params: { token: string; interval: string }; Querystring: FormFields }>(
    "/instruments/historical/:token/:interval",
    async (req) => {
      const instrument = /^\d+$/.test(req.params.token)
        ? deps.instruments.byInstrumentToken(Number(req.params.token))
        : undefined;
      if (!instrument) throw inputError("Invalid `instrument_token`.");
      const candles = historicalCandles({
        instrument,
        interval: req.params.interval,
        from: req.query.from,
        to: req.query.to,
        oi: req.query.oi === "1" || req.query.oi === "true",
        days: deps.data.days,
        ticks: deps.ticks,
        replayDate: deps.replay.date,
        marketNow: deps.replay.now(),
      });
      return success({ candles });
    },
  );

  // Orders
  app.post<{ Params: { variety: string }; Body: FormFields }>("/orders/:variety", async (req) => {
    deps.onOrderRequest?.(req.body ?? {});
    checkVariety(req.params.variety);
    const algoId = req.body?.algo_id || null;
    deps.orderSources.check("place", req.ip, null, algoId);
    const orderId = deps.book.place(req.kiteApiKey, req.body ?? {});
    deps.orderSources.accepted("place", req.ip, orderId, algoId);
    return success({ order_id: orderId });
  });
  app.put<{ Params: { variety: string; order_id: string }; Body: FormFields }>(
    "/orders/:variety/:order_id",
    async (req) => {
      checkVariety(req.params.variety);
      deps.orderSources.check("modify", req.ip, req.params.order_id, null);
      const orderId = deps.book.modify(req.body ?? {}, req.params.order_id);
      deps.orderSources.accepted("modify", req.ip, orderId, null);
      return success({ order_id: orderId });
    },
  );
  app.delete<{ Params: { variety: string; order_id: string } }>("/orders/:variety/:order_id", async (req) => {
    checkVariety(req.params.variety);
    deps.orderSources.check("cancel", req.ip, req.params.order_id, null);
    const orderId = deps.book.cancel(req.params.order_id);
    deps.orderSources.accepted("cancel", req.ip, orderId, null);
    return success({ order_id: orderId });
  });
  app.get("/orders", async () => success(deps.book.list()));
  app.get<{ Params: { order_id: string } }>("/orders/:order_id", async (req) =>
    success(deps.book.history(req.params.order_id)),
  );
  app.get<{ Params: { order_id: string } }>("/orders/:order_id/trades", async (req) =>
    success(deps.book.tradesOf(req.params.order_id).map(tradePayload)),
  );
  app.get("/trades", async () => success(deps.book.tradesOf().map(tradePayload)));

  // Portfolio
  app.get("/portfolio/positions", async () => success(deps.book.positions()));
  app.get("/portfolio/holdings", async () => success([]));
}

function checkVariety(variety: string): void {
  if (variety !== "regular") {
    throw inputError(`Order variety \`${variety}\` is not supported by the simulator (only \`regular\`).`);
  }
}

/** `Authorization: token api_key:access_token`, split. */
export function parseAuthorization(
  header: string | undefined,
): { apiKey: string; accessToken: string } | null {
  const m = /^token\s+([^:\s]+):(\S+)$/.exec(header ?? "");
  return m ? { apiKey: m[1] as string, accessToken: m[2] as string } : null;
}

function authenticate(req: FastifyRequest, sessions: SessionStore): string {
  const auth = parseAuthorization(req.headers.authorization);
  if (!auth || !sessions.verify(auth.apiKey, auth.accessToken)) throw tokenError();
  return auth.apiKey;
}

/** Kite's envelope for errors a route throws; anything unexpected is a 500 GeneralException. */
export function kiteErrorReply(error: unknown, reply: FastifyReply): FastifyReply {
  if (error instanceof KiteError) return reply.code(error.httpStatus).send(error.body());
  const status = (error as { statusCode?: number }).statusCode;
  if (status && status >= 400 && status < 500) {
    return reply.code(400).send(inputError((error as Error).message).body());
  }
  return reply
    .code(500)
    .send(
      new KiteError(
        500,
        "GeneralException",
        `Something unexpected went wrong: ${(error as Error).message}`,
      ).body(),
    );
}
