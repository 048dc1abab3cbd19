/*
 * What a failed Kite call means for the system, as a discriminated union. The official client
 * rejects with plain objects `{status, message, error_type}` (Kite's error envelope, or one it
 * makes up for network trouble), not Errors, and without the HTTP status; `annotateErrorBody`
 * (installed by KiteRest on the client's axios instance) keeps the status on the envelope.
 */

/** Why a Kite call failed. */
export type KiteFailureKind =
  | "session_expired" // TokenException: the access token is dead, log in again
  | "input" // InputException: the request was wrong (a bug or a bad parameter)
  | "order" // OrderException: the order was rejected or cannot be found
  | "margin" // MarginException: not enough funds
  | "source_ip" // an order request from an address not registered with Kite (static IP rule, 2026)
  | "network" // no answer: timeout, connection refused or reset, DNS
  | "rate_limited" // HTTP 429
  | "server" // HTTP 5xx, or Kite's backend said it is in trouble
  | "unknown";

/** A failed Kite call: the kind decides what to do, the message is Kite's own. */
export interface KiteFailure {
  kind: KiteFailureKind;
  /** Kite's message (kept as Kite wrote it, cut to a sane length). */
  message: string;
  /** Kite's `error_type` (TokenException, InputException, ...), when there is one. */
  errorType?: string;
  /** The HTTP status, when a response arrived. */
  httpStatus?: number;
  /**
   * Only on order placement: the order may or may not have reached Kite (its look-up by tag
   * failed too). Reconcile the order book by the tag before placing anything again.
   */
  uncertain?: boolean;
}

/** The result of a Kite call: its value, or why it failed. */
export type KiteResult<T> = { ok: true; value: T } | { ok: false; error: KiteFailure };

/** A successful result. */
export function kiteOk<T>(value: T): KiteResult<T> {
  return { ok: true, value };
}

/** A failed result. */
export function kiteFail<T = never>(error: KiteFailure): KiteResult<T> {
  return { ok: false, error };
}

/** Where `annotateErrorBody` keeps the HTTP status on an error envelope (a symbol: never sent, never clashes). */
export const HTTP_STATUS: unique symbol = Symbol("kite.httpStatus");

const MAX_MESSAGE = 300;

/** Node/axios codes of requests that got no answer. */
const NETWORK_CODES = new Set([
  "ECONNABORTED",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "ERR_NETWORK",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
]);

const BY_ERROR_TYPE: Readonly<Record<string, KiteFailureKind>> = {
  TokenException: "session_expired",
  InputException: "input",
  OrderException: "order",
  MarginException: "margin",
  // Kite's own words for trouble between its gateway and its order system.
  NetworkException: "network",
  GeneralException: "server",
  DataException: "server",
};

/**
 * Maps whatever a kiteconnect call rejects with (a Kite error envelope, the client's made-up
 * `NetworkException`, an axios error, a plain Error, anything) to a KiteFailure. Never throws.
 */
export function toKiteFailure(reason: unknown): KiteFailure {
  let message = "";
  let errorType: string | undefined;
  let httpStatus: number | undefined;
  let code: string | undefined;
  if (typeof reason === "string") message = reason;
  else if (typeof reason === "object" && reason !== null) {
    const r = reason as Record<PropertyKey, unknown>;
    const response = isObject(r.response) ? r.response : undefined;
    const body = response && isObject(response.data) ? response.data : undefined;
    errorType = stringOf(r.error_type) ?? stringOf(body?.error_type);
    message = stringOf(r.message) ?? stringOf(body?.message) ?? "";
    httpStatus = statusOf(r[HTTP_STATUS]) ?? statusOf(body?.[HTTP_STATUS]) ?? statusOf(response?.status);
    code = stringOf(r.code);
  }
  // kiteconnect reports an unanswered request as "No response from server with error code: ECONNABORTED".
  code ??= /error code: ([A-Z_]+)/.exec(message)?.[1];
  const failure: KiteFailure = {
    kind: classify(errorType, httpStatus, code, message),
    message: cut(message) || (httpStatus ? `HTTP ${httpStatus}` : "unknown error"),
  };
  if (errorType) failure.errorType = errorType;
  if (httpStatus !== undefined) failure.httpStatus = httpStatus;
  return failure;
}

/**
 * Kite's refusal of an order request from an address outside the account's IP whitelist. Its
 * exact wording is not published: any message naming the IP with the whitelist, registration
 * or a static IP counts, whatever the error_type.
 */
export function isSourceAddressRefusal(message: string): boolean {
  if (!/\bIP\b|\bip address\b/i.test(message)) return false;
  return /whitelist|white-list|not registered|unregistered|static ip|not allowed from/i.test(message);
}

function classify(
  errorType: string | undefined,
  status: number | undefined,
  code: string | undefined,
  message: string,
): KiteFailureKind {
  if (status === 429) return "rate_limited";
  if ((status === undefined || status < 500) && isSourceAddressRefusal(message)) return "source_ip";
  if (status === undefined && errorType === "NetworkException" && /too many requests/i.test(message)) {
    return "rate_limited";
  }
  const byType = errorType ? BY_ERROR_TYPE[errorType] : undefined;
  if (byType && byType !== "network" && byType !== "server") return byType;
  if (status !== undefined && status >= 500) return "server";
  if (code && NETWORK_CODES.has(code)) return "network";
  if (byType) return byType;
  return "unknown";
}

/** True for failures that a GET may simply try again after a pause. */
export function isRetryable(failure: KiteFailure): boolean {
  return failure.kind === "network" || failure.kind === "rate_limited" || failure.kind === "server";
}

/**
 * An axios `transformResponse` step, run first on every response: on a non-2xx status it makes
 * sure the body is an error envelope carrying the status under HTTP_STATUS. Kite's JSON
 * envelope is kept (and parsed here); anything else (an HTML 502 page from a proxy) becomes
 * `{status:"error", error_type:"NetworkException", message:"HTTP 502"}`. Without it the client
 * would drop the status, and its historical parser would crash on an HTML body. Success
 * bodies pass untouched.
 */
export function annotateErrorBody(data: unknown, _headers?: unknown, status?: number): unknown {
  if (typeof status !== "number" || (status >= 200 && status < 300)) return data;
  let body: unknown = data;
  if (typeof body === "string" || Buffer.isBuffer(body)) {
    try {
      body = JSON.parse(body.toString());
    } catch {
      body = undefined;
    }
  }
  if (isObject(body) && typeof body.error_type === "string") {
    body[HTTP_STATUS] = status;
    return body;
  }
  return {
    status: "error",
    error_type: "NetworkException",
    message: `HTTP ${status} without a Kite error body`,
    data: null,
    [HTTP_STATUS]: status,
  };
}

function isObject(v: unknown): v is Record<PropertyKey, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function stringOf(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function statusOf(v: unknown): number | undefined {
  return typeof v === "number" && Number.isInteger(v) && v >= 100 && v <= 599 ? v : undefined;
}

function cut(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > MAX_MESSAGE ? `${oneLine.slice(0, MAX_MESSAGE)}…` : oneLine;
}
