import { createRequire } from "node:module";
import type { Connect, KiteConnectParams } from "kiteconnect";
import type { z } from "zod";
import { annotateErrorBody, type KiteResult, kiteFail, kiteOk } from "./kite-errors.js";
import { describePayloadIssue } from "./kite-payloads.js";

/* The official Kite client as KiteRest uses it: loaded late, the HTTP status kept, its answers read. */

/**
 * The official client, required from node_modules when the first REST client is made rather
 * than imported: bundled into dist/pivot.js it (with axios, papaparse, crypto-js and ws, about
 * 1 MB) would be parsed at the start of every command, the backtest's included.
 */
export function loadKiteConnect(): new (params: KiteConnectParams) => Connect {
  const load = createRequire(import.meta.url);
  return (load("kiteconnect") as typeof import("kiteconnect")).KiteConnect;
}

/**
 * Puts `annotateErrorBody` first in every request's response transforms, so that error
 * envelopes keep their HTTP status. It reaches into the client's axios instance
 * (`requestInstance`, not part of its types); should a later version rename it, failures are
 * still mapped, only without the status.
 */
export function installStatusKeeper(kc: Connect): void {
  type Transform = (data: unknown, headers?: unknown, status?: number) => unknown;
  type Config = { transformResponse?: Transform | Transform[] };
  const instance = (kc as unknown as { requestInstance?: unknown }).requestInstance as
    | { interceptors?: { request?: { use?: (f: (c: Config) => Config) => unknown } } }
    | undefined;
  instance?.interceptors?.request?.use?.((config) => {
    const t = config.transformResponse;
    const list = Array.isArray(t) ? t : t ? [t] : [];
    config.transformResponse = [annotateErrorBody, ...list];
    return config;
  });
}

/** The client resolves (does not reject) with an error object for a body of unknown type. */
export function isErrorObject(raw: unknown): boolean {
  return (
    typeof raw === "object" &&
    raw !== null &&
    !Array.isArray(raw) &&
    typeof (raw as { error_type?: unknown }).error_type === "string"
  );
}

/** A parser of a payload by its schema, failing with what did not match. */
export function schemaParser<S extends z.ZodType>(
  what: string,
  schema: S,
): (raw: unknown) => KiteResult<z.output<S>> {
  return (raw) => {
    const parsed = schema.safeParse(raw);
    return parsed.success
      ? kiteOk(parsed.data)
      : kiteFail({ kind: "unknown", message: describePayloadIssue(what, parsed.error) });
  };
}
