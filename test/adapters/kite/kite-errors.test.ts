import assert from "node:assert/strict";
import { test } from "node:test";
import {
  annotateErrorBody,
  HTTP_STATUS,
  isRetryable,
  toKiteFailure,
} from "../../../src/adapters/kite/kite-errors.js";

test("toKiteFailure of Kite envelopes → the kind of each error_type, Kite's message kept", () => {
  const cases: Array<[string, string]> = [
    ["TokenException", "session_expired"],
    ["InputException", "input"],
    ["OrderException", "order"],
    ["MarginException", "margin"],
    ["NetworkException", "network"],
    ["GeneralException", "server"],
    ["DataException", "server"],
    ["PermissionException", "unknown"],
  ];
  for (const [errorType, kind] of cases) {
    const f = toKiteFailure({ status: "error", message: `says ${errorType}`, error_type: errorType });
    assert.deepEqual(f, { kind, message: `says ${errorType}`, errorType }, errorType);
  }
});

test("toKiteFailure of an envelope with HTTP 429 or 5xx → rate_limited or server, with the status", () => {
  const limited = annotateErrorBody(
    JSON.stringify({ status: "error", message: "Too many requests", error_type: "NetworkException" }),
    {},
    429,
  );
  assert.deepEqual(toKiteFailure(limited), {
    kind: "rate_limited",
    message: "Too many requests",
    errorType: "NetworkException",
    httpStatus: 429,
  });
  const down = annotateErrorBody("<html>502 Bad Gateway</html>", {}, 502);
  assert.equal(toKiteFailure(down).kind, "server");
  assert.equal(toKiteFailure(down).httpStatus, 502);
  // A TokenException stays a TokenException whatever the status.
  const token = annotateErrorBody(
    { status: "error", message: "expired", error_type: "TokenException" },
    {},
    403,
  );
  assert.equal(toKiteFailure(token).kind, "session_expired");
});

test("toKiteFailure of axios-style errors → by response status or network code", () => {
  assert.equal(
    toKiteFailure({ message: "Request failed", response: { status: 429, data: "" } }).kind,
    "rate_limited",
  );
  assert.equal(
    toKiteFailure({ message: "Request failed", response: { status: 504, data: "" } }).kind,
    "server",
  );
  const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
  assert.equal(toKiteFailure(refused).kind, "network");
  assert.equal(
    toKiteFailure({
      error_type: "NetworkException",
      message: "No response from server with error code: ETIMEDOUT",
    }).kind,
    "network",
  );
  assert.equal(
    toKiteFailure({ error_type: "NetworkException", message: "Too many requests" }).kind,
    "rate_limited",
  );
});

test("toKiteFailure of anything else → unknown, never a throw", () => {
  for (const odd of [null, undefined, 42, "boom", new TypeError("x is undefined"), [], {}]) {
    const f = toKiteFailure(odd);
    assert.equal(f.kind, "unknown");
    assert.equal(typeof f.message, "string");
    assert.ok(f.message.length > 0);
  }
  assert.equal(toKiteFailure("x".repeat(5000)).message.length <= 301, true);
});

test("annotateErrorBody of a 2xx body → untouched", () => {
  assert.equal(annotateErrorBody('{"status":"success"}', {}, 200), '{"status":"success"}');
  const csv = "instrument_token,exchange_token\n1,2\n";
  assert.equal(annotateErrorBody(csv, {}, 200), csv);
  const env = annotateErrorBody(
    '{"status":"error","error_type":"InputException","message":"m"}',
    {},
    400,
  ) as Record<symbol, unknown>;
  assert.equal(env[HTTP_STATUS], 400);
});

test("isRetryable → network, rate_limited and server only", () => {
  const kinds = [
    "session_expired",
    "input",
    "order",
    "margin",
    "network",
    "rate_limited",
    "server",
    "unknown",
  ] as const;
  assert.deepEqual(
    kinds.filter((kind) => isRetryable({ kind, message: "" })),
    ["network", "rate_limited", "server"],
  );
});

test("toKiteFailure of a refusal for the source address (static IP rule) → source_ip, whatever the error_type; other order refusals stay order", () => {
  const refusals = [
    {
      status: "error",
      error_type: "PermissionException",
      message:
        "Order requests are not allowed from IP 198.51.100.23: it is not in the IP whitelist of this Kite Connect account (developers.kite.trade, Profile, IP Whitelist).",
    },
    {
      status: "error",
      error_type: "InputException",
      message: "Orders from an unregistered IP address are not allowed.",
    },
    {
      status: "error",
      error_type: "OrderException",
      message: "Please place orders from a static IP registered with your app.",
    },
  ];
  for (const r of refusals) assert.equal(toKiteFailure(r).kind, "source_ip", r.message);
  assert.equal(
    toKiteFailure({
      status: "error",
      error_type: "OrderException",
      message: "Insufficient funds. Required margin is 1000.",
    }).kind,
    "order",
  );
  assert.equal(
    toKiteFailure({
      status: "error",
      error_type: "NetworkException",
      message: "HTTP 502 without a Kite error body",
      [HTTP_STATUS]: 502,
    }).kind,
    "server",
  );
});
