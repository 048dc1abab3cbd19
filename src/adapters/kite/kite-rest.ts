import type { Connect } from "kiteconnect";
import type { z } from "zod";
import { instrumentsCsvOf } from "./instruments-csv.js";
import { installStatusKeeper, isErrorObject, loadKiteConnect, schemaParser } from "./kite-client.js";
import {
  isRetryable,
  type KiteFailure,
  type KiteResult,
  kiteFail,
  kiteOk,
  toKiteFailure,
} from "./kite-errors.js";
import {
  historicalSchema,
  type KiteHistoricalCandle,
  type KiteLtps,
  type KiteMargins,
  type KiteOhlcQuotes,
  type KiteOrder,
  type KiteOrderId,
  type KitePositions,
  type KiteProfile,
  type KiteQuotes,
  type KiteSession,
  type KiteTrade,
  ltpSchema,
  marginsSchema,
  ohlcSchema,
  orderIdSchema,
  ordersSchema,
  positionsSchema,
  profileSchema,
  quoteSchema,
  sessionSchema,
  tradesSchema,
} from "./kite-payloads.js";
import {
  DEFAULT_RETRY,
  type KiteExchange,
  type KiteInterval,
  type KiteRestOptions,
  type ModifyOrderParams,
  type PlacedOrder,
  type PlaceOrderParams,
  type RetryPolicy,
} from "./kite-rest-types.js";
import { checkOrder, isAmbiguous, uncertain } from "./place-order-rules.js";
import { type RateClass, type RateLimiter, type Sleep, timerSleep } from "./rate-limiter.js";

export { instrumentsCsvOf } from "./instruments-csv.js";
export type {
  KiteExchange,
  KiteInterval,
  KiteRestOptions,
  ModifyOrderParams,
  PlacedOrder,
  PlaceOrderParams,
  RetryPolicy,
} from "./kite-rest-types.js";
export { DEFAULT_RETRY } from "./kite-rest-types.js";

/*
 * Kite's REST API through the official client, every call typed and returning a KiteResult
 * (never throwing). Every call waits for its rate-limit class. GETs are retried with
 * exponential back-off on 429, 5xx and network errors; order placement never is retried
 * blindly (see placeOrder). A TokenException clears the access token here and is reported
 * once per token through `onSessionExpired` (the SessionStore de-duplicates by session).
 *
 * The access token, request token and api_secret are never logged: the client's `debug`
 * option (which prints every request, Authorization header included) stays off.
 */

const MAX_QUOTE_INSTRUMENTS = 500;
const MAX_LTP_INSTRUMENTS = 1000;

interface CallSpec<T> {
  cls: RateClass;
  what: string;
  /** Needs an access token (everything but the instrument master and the session exchange). */
  auth: boolean;
  /** A GET that may be repeated. */
  retry: boolean;
  /** False when a TokenException is about something else than the access token (a request token). */
  tokenErrorEndsSession?: boolean;
  send: (kc: Connect) => Promise<unknown>;
  parse: (raw: unknown) => KiteResult<T>;
}

/** Typed, rate-limited Kite REST calls. */
export class KiteRest {
  private readonly kc: Connect;
  private readonly limiter: RateLimiter;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly retry: RetryPolicy;
  private readonly lookupDelays: readonly number[];
  private readonly onSessionExpired: ((accessToken: string) => void) | undefined;
  private readonly algoId: string | undefined;
  private accessToken: string | null = null;
  /** Tags already sent: a tag identifies one order, so it is never sent twice. */
  private readonly usedTags = new Set<string>();

  constructor(options: KiteRestOptions) {
    const KiteConnect = loadKiteConnect();
    this.kc = new KiteConnect({
      api_key: options.apiKey,
      root: options.apiRoot,
      timeout: options.timeoutMs,
      debug: false,
    });
    installStatusKeeper(this.kc);
    this.limiter = options.limiter;
    this.sleep = options.sleep ?? timerSleep;
    this.random = options.random ?? Math.random;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.lookupDelays = options.placeLookupDelaysMs ?? [1000, 2000];
    this.onSessionExpired = options.onSessionExpired;
    this.algoId = options.algoId || undefined;
    this.setAccessToken(options.accessToken ?? null);
  }

  /** Uses `token` for the calls from now on (null: none, calls that need one fail at once). */
  setAccessToken(token: string | null): void {
    this.accessToken = token === "" ? null : token;
    // The client sends no Authorization header while its token is falsy.
    this.kc.setAccessToken(this.accessToken ?? "");
  }

  /** True while a token is set (it may still have expired at Kite). */
  hasAccessToken(): boolean {
    return this.accessToken !== null;
  }

  /** POST /session/token: exchanges a request token; on success its access token is used from then on. Not retried (a request token is single use). */
  async generateSession(requestToken: string, apiSecret: string): Promise<KiteResult<KiteSession>> {
    const result = await this.call({
      cls: "others",
      what: "session",
      auth: false,
      retry: false,
      // Kite's TokenException here says the request token is bad; the session held is not concerned.
      tokenErrorEndsSession: false,
      send: (kc) => kc.generateSession(requestToken, apiSecret),
      parse: schemaParser("session", sessionSchema),
    });
    // The client keeps any access_token it was sent, even one this call then rejects: keep it in step.
    this.setAccessToken(result.ok ? result.value.access_token : this.accessToken);
    return result;
  }

  /** GET /user/profile. */
  profile(): Promise<KiteResult<KiteProfile>> {
    return this.get("others", "profile", (kc) => kc.getProfile(), profileSchema);
  }

  /** GET /user/margins. */
  margins(): Promise<KiteResult<KiteMargins>> {
    return this.get("others", "margins", (kc) => kc.getMargins(), marginsSchema);
  }

  /** GET /instruments/{exchange}: the instrument master as CSV text. */
  instruments(exchange: KiteExchange): Promise<KiteResult<string>> {
    return this.call({
      cls: "others",
      what: "instruments",
      auth: false,
      retry: true,
      send: (kc) => kc.getInstruments(exchange),
      parse: (raw) => {
        const csv = instrumentsCsvOf(raw);
        return csv === null
          ? kiteFail({ kind: "unknown", message: `unexpected instruments payload for ${exchange}` })
          : kiteOk(csv);
      },
    });
  }

  /** GET /quote for `EXCHANGE:SYMBOL` keys (at most 500). */
  quote(instruments: readonly string[]): Promise<KiteResult<KiteQuotes>> {
    return this.quoteCall(
      "quote",
      instruments,
      MAX_QUOTE_INSTRUMENTS,
      (kc, i) => kc.getQuote(i),
      quoteSchema,
    );
  }

  /** GET /quote/ohlc for `EXCHANGE:SYMBOL` keys (at most 1000). */
  ohlc(instruments: readonly string[]): Promise<KiteResult<KiteOhlcQuotes>> {
    return this.quoteCall("ohlc", instruments, MAX_LTP_INSTRUMENTS, (kc, i) => kc.getOHLC(i), ohlcSchema);
  }

  /** GET /quote/ltp for `EXCHANGE:SYMBOL` keys (at most 1000). */
  ltp(instruments: readonly string[]): Promise<KiteResult<KiteLtps>> {
    return this.quoteCall("ltp", instruments, MAX_LTP_INSTRUMENTS, (kc, i) => kc.getLTP(i), ltpSchema);
  }

  /**
   * GET /instruments/historical/{token}/{interval}; `from` and `to` are IST wall-clock texts
   * `YYYY-MM-DD HH:MM:SS` (never Date objects: the client would format those in the host's
   * time zone). One request: `historical.ts` splits long ranges.
   */
  historical(
    instrumentToken: number,
    interval: KiteInterval,
    from: string,
    to: string,
    options: { continuous?: boolean; oi?: boolean } = {},
  ): Promise<KiteResult<KiteHistoricalCandle[]>> {
    return this.get(
      "historical",
      "historical",
      (kc) =>
        kc.getHistoricalData(
          instrumentToken,
          interval,
          from,
          to,
          options.continuous ?? false,
          options.oi ?? false,
        ),
      historicalSchema,
    );
  }

  /** GET /orders: the day's order book. */
  orders(): Promise<KiteResult<KiteOrder[]>> {
    return this.get("others", "orders", (kc) => kc.getOrders(), ordersSchema);
  }

  /** GET /orders/{id}: every state the order went through. */
  orderHistory(orderId: string): Promise<KiteResult<KiteOrder[]>> {
    return this.get("others", "order history", (kc) => kc.getOrderHistory(orderId), ordersSchema);
  }

  /** GET /orders/{id}/trades. */
  orderTrades(orderId: string): Promise<KiteResult<KiteTrade[]>> {
    return this.get("others", "order trades", (kc) => kc.getOrderTrades(orderId), tradesSchema);
  }

  /** GET /trades: the day's fills. */
  trades(): Promise<KiteResult<KiteTrade[]>> {
    return this.get("others", "trades", (kc) => kc.getTrades(), tradesSchema);
  }

  /** GET /portfolio/positions. */
  positions(): Promise<KiteResult<KitePositions>> {
    return this.get("others", "positions", (kc) => kc.getPositions(), positionsSchema);
  }

  /** The order of the day's book that carries `tag` (null when none does). */
  async findOrderByTag(tag: string): Promise<KiteResult<KiteOrder | null>> {
    const book = await this.orders();
    if (!book.ok) return book;
    const found = book.value.find((o) => o.tag === tag || (o.tags ?? []).includes(tag));
    return kiteOk(found ?? null);
  }

  /**
   * POST /orders/regular. Never repeated blindly: when the answer is lost (timeout, network
   * error, 5xx, 429, an unreadable answer) the order is looked up by its tag in the order book
   * after a pause; found → it was placed. Only when the book does not hold it is the order
   * sent once more, and that is the only retry. When the book cannot be read the result says
   * `uncertain`: reconcile by the tag before placing anything again.
   */
  async placeOrder(params: PlaceOrderParams): Promise<KiteResult<PlacedOrder>> {
    const problem = checkOrder(params);
    if (problem) return kiteFail({ kind: "input", message: problem });
    if (this.usedTags.has(params.tag)) {
      return kiteFail({
        kind: "input",
        message: `order tag ${params.tag} was already sent: every order needs a new tag`,
      });
    }
    this.usedTags.add(params.tag);

    const first = await this.sendPlace(params);
    if (first.ok) return kiteOk({ order_id: first.value.order_id, via: "response" });
    if (!isAmbiguous(first.error)) return first;

    const lookup = await this.lookUpPlaced(params.tag);
    if (!lookup.ok) return uncertain(first.error, params.tag, lookup.error);
    if (lookup.value) return kiteOk({ order_id: lookup.value.order_id, via: "lookup", order: lookup.value });

    // The book does not hold the tag after the pauses: Kite never took the first request, so
    // sending it once more cannot make a duplicate. This is the only retry of a placement.
    const second = await this.sendPlace(params);
    if (second.ok) return kiteOk({ order_id: second.value.order_id, via: "retry" });
    if (!isAmbiguous(second.error)) return second;
    const again = await this.lookUpPlaced(params.tag);
    if (!again.ok) return uncertain(second.error, params.tag, again.error);
    if (again.value) return kiteOk({ order_id: again.value.order_id, via: "lookup", order: again.value });
    return kiteFail({
      ...second.error,
      message: `${second.error.message} (sent twice, neither is in the order book)`,
    });
  }

  /** PUT /orders/regular/{id}. Not retried: the caller reads the order book to see what happened. */
  modifyOrder(orderId: string, params: ModifyOrderParams): Promise<KiteResult<KiteOrderId>> {
    return this.call({
      cls: "orders",
      what: "modify order",
      auth: true,
      retry: false,
      send: (kc) => kc.modifyOrder("regular", orderId, { ...params }),
      parse: schemaParser("modify order", orderIdSchema),
    });
  }

  /** DELETE /orders/regular/{id}. Not retried: the caller reads the order book to see what happened. */
  cancelOrder(orderId: string): Promise<KiteResult<KiteOrderId>> {
    return this.call({
      cls: "orders",
      what: "cancel order",
      auth: true,
      retry: false,
      send: (kc) => kc.cancelOrder("regular", orderId),
      parse: schemaParser("cancel order", orderIdSchema),
    });
  }

  private sendPlace(params: PlaceOrderParams): Promise<KiteResult<KiteOrderId>> {
    const body: Record<string, unknown> = { ...params };
    if (
      (params.order_type === "MARKET" || params.order_type === "SL-M") &&
      params.market_protection === undefined
    ) {
      body.market_protection = -1;
    }
    if (this.algoId) body.algo_id = this.algoId;
    return this.call({
      cls: "orders",
      what: "place order",
      auth: true,
      retry: false,
      // A fresh object each time: the client writes `variety` into what it is given.
      send: (kc) => kc.placeOrder("regular", body as unknown as Parameters<Connect["placeOrder"]>[1]),
      parse: schemaParser("place order", orderIdSchema),
    });
  }

  /**
   * Looks the tag up after each pause; stops at the first sighting. A book unreadable at one
   * pause is looked at again at the next (a burst of 429s or 5xx passes): giving up at the first
   * leaves the order's fate unknown, and a protective stop unknown is a position without one.
   * The last reading decides: absent only when the book was read after the last pause.
   */
  private async lookUpPlaced(tag: string): Promise<KiteResult<KiteOrder | null>> {
    let last: KiteResult<KiteOrder | null> = kiteOk(null);
    for (const delay of this.lookupDelays.length > 0 ? this.lookupDelays : [0]) {
      await this.sleep(delay);
      last = await this.findOrderByTag(tag);
      if (last.ok && last.value) return last;
    }
    return last;
  }

  private quoteCall<S extends z.ZodType>(
    what: string,
    instruments: readonly string[],
    max: number,
    send: (kc: Connect, list: string[]) => Promise<unknown>,
    schema: S,
  ): Promise<KiteResult<z.output<S>>> {
    if (instruments.length === 0) return Promise.resolve(kiteOk({} as z.output<S>));
    if (instruments.length > max) {
      return Promise.resolve(
        kiteFail({ kind: "input", message: `${what}: at most ${max} instruments a request` }),
      );
    }
    return this.get("quote", what, (kc) => send(kc, [...instruments]), schema);
  }

  private get<S extends z.ZodType>(
    cls: RateClass,
    what: string,
    send: (kc: Connect) => Promise<unknown>,
    schema: S,
  ): Promise<KiteResult<z.output<S>>> {
    return this.call({ cls, what, auth: true, retry: true, send, parse: schemaParser(what, schema) });
  }

  /** One call, with its retries when it is a GET. */
  private async call<T>(spec: CallSpec<T>): Promise<KiteResult<T>> {
    const attempts = spec.retry ? Math.max(1, this.retry.maxAttempts) : 1;
    for (let attempt = 1; ; attempt++) {
      const result = await this.once(spec);
      if (result.ok || attempt >= attempts || !isRetryable(result.error)) return result;
      await this.sleep(this.backoffMs(attempt, result.error));
    }
  }

  private async once<T>(spec: CallSpec<T>): Promise<KiteResult<T>> {
    if (spec.auth && this.accessToken === null) return noSession();
    await this.limiter.acquire(spec.cls);
    // Read right before sending: the client puts this very token in the request.
    const token = this.accessToken;
    if (spec.auth && token === null) return noSession();
    let raw: unknown;
    try {
      raw = await spec.send(this.kc);
    } catch (e) {
      return this.failed(toKiteFailure(e), spec.tokenErrorEndsSession === false ? null : token);
    }
    // The client resolves (does not reject) with an error object for a body of unknown type.
    if (isErrorObject(raw))
      return this.failed(toKiteFailure(raw), spec.tokenErrorEndsSession === false ? null : token);
    try {
      return spec.parse(raw);
    } catch (e) {
      return kiteFail({ kind: "unknown", message: `cannot read the ${spec.what} payload: ${String(e)}` });
    }
  }

  private failed<T>(error: KiteFailure, token: string | null): KiteResult<T> {
    if (error.kind === "session_expired" && token !== null) {
      const first = this.accessToken === token;
      if (first) this.setAccessToken(null);
      try {
        if (first) this.onSessionExpired?.(token);
      } catch {
        // a listener's failure must not turn into this call's
      }
    }
    return kiteFail(error);
  }

  private backoffMs(attempt: number, failure: KiteFailure): number {
    const exp = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    // "Equal jitter": half fixed, half random, so retries of many callers spread out.
    const delay = exp / 2 + (this.random() * exp) / 2;
    // Kite counts requests a second: after a 429 wait at least that long.
    return failure.kind === "rate_limited" ? Math.max(delay, 1000) : delay;
  }
}

function noSession<T>(): KiteResult<T> {
  return kiteFail({ kind: "session_expired", message: "no Kite session: log in first (pivot login)" });
}
