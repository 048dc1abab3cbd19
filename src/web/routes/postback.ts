import { performance } from "node:perf_hooks";
import type { FastifyError, FastifyInstance } from "fastify";
import { clientOf } from "../client-address.js";
import type { WebContext } from "../context.js";
import { clientErrorMessage, errorText, sendError } from "../errors.js";
import { countPostback, type PostbackOutcome } from "../service-metrics.js";

/*
 * POST /postback: Kite's order updates. The body is read raw whatever the content type (Kite
 * does not promise one, and the checksum is checked on the text as received). Anyone can POST
 * here, so:
 * - invalid JSON → 400; no or wrong checksum → 401, logged with the client's address;
 * - an address that keeps failing is answered 429 and no longer logged one by one, but its
 *   valid updates still go through: a valid checksum is never refused, whatever came before;
 * - over 64 KB → 413, before the body is even read in full;
 * - valid updates are limited per order id (429): the checksum covers only the order id and
 *   timestamp, so a captured postback can be replayed, or doctored, any number of times;
 * - a valid update is handed to the PostbackSink, which stores it durably (grouping the
 *   updates of one event-loop turn in one commit) and resolves once it is committed: the 200,
 *   sent only then, means "stored" (not "applied": the sink has the order book confirm it
 *   first, after the answer).
 * Bad input never ends in a 5xx: a 503 means our database failed to take a valid update.
 */

export const POSTBACK_BODY_LIMIT = 64 * 1024;

/** The answer to a stored update, serialized once. */
const STORED = JSON.stringify({ status: "ok" });

/** Failed postbacks an address may send a minute before it is answered 429. */
export const POSTBACK_FAILURES_A_MINUTE = 20;

/**
 * Valid postbacks one order may get a minute. A real order has a handful (open, a few partial
 * fills, modifications, the end); past this it is a replay, answered 429 and not stored.
 */
export const POSTBACK_UPDATES_A_MINUTE_PER_ORDER = 30;

/** Registers POST /postback in its own scope (its own body parsing and error answers). */
export async function postbackRoutes(app: FastifyInstance, options: { ctx: WebContext }): Promise<void> {
  const { ctx } = options;
  // The declared type is irrelevant (the body is read raw), and one fastify cannot parse
  // (";;;") would otherwise be refused with a 415 before the checksum is even looked at.
  app.addHook("onRequest", (request, _reply, done) => {
    if (request.headers["content-type"] !== undefined)
      request.headers["content-type"] = "application/octet-stream";
    done();
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string", bodyLimit: POSTBACK_BODY_LIMIT }, (_req, body, done) => {
    done(null, body);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 400;
    countPostback(ctx.metrics, status === 413 ? "too_large" : "invalid_json");
    if (status >= 500 || error.statusCode === undefined) {
      ctx.log.warn({ client: clientOf(request).address, err: errorText(error) }, "postback unreadable");
    }
    return sendError(reply, status, clientErrorMessage(status));
  });

  app.post("/postback", { bodyLimit: POSTBACK_BODY_LIMIT }, async (request, reply) => {
    const started = performance.now();
    const raw = typeof request.body === "string" ? request.body : "";
    const result = ctx.deps.checkPostback(raw);
    if (!result.ok) {
      const client = clientOf(request).address;
      const limited = ctx.postbackFailureLimiter.hit(client);
      if (!limited.allowed) {
        countPostback(ctx.metrics, "rate_limited");
        // Logged once when an address trips the limit, not for each request after.
        if (limited.count === POSTBACK_FAILURES_A_MINUTE + 1) {
          ctx.log.warn({ client, retryAfterS: limited.retryAfterS }, "postback failures rate limited");
        }
        reply.header("retry-after", String(limited.retryAfterS));
        return sendError(reply, 429, "too many invalid postbacks");
      }
      countPostback(ctx.metrics, result.reason);
      switch (result.reason) {
        case "invalid_json":
          return sendError(reply, 400, "invalid JSON");
        case "missing_fields":
          ctx.log.warn({ client, reason: result.reason }, "postback without the order's fields");
          return sendError(reply, 400, "missing or unreadable order fields");
        default:
          ctx.log.warn({ client, reason: result.reason }, "postback refused: checksum");
          return sendError(reply, 401, "missing or wrong checksum");
      }
    }
    const { orderId } = result;
    const perOrder = ctx.postbackOrderLimiter.hit(orderId);
    if (!perOrder.allowed) {
      countPostback(ctx.metrics, "rate_limited");
      if (perOrder.count === POSTBACK_UPDATES_A_MINUTE_PER_ORDER + 1) {
        ctx.log.warn(
          { orderId, client: clientOf(request).address, retryAfterS: perOrder.retryAfterS },
          "valid postbacks of one order rate limited (a replay?)",
        );
      }
      reply.header("retry-after", String(perOrder.retryAfterS));
      return sendError(reply, 429, "too many updates of this order");
    }
    let outcome: PostbackOutcome;
    try {
      outcome = await ctx.deps.postbacks.accept(result.update);
    } catch (e) {
      countPostback(ctx.metrics, "sink_failed");
      ctx.log.error(
        { orderId, status: result.status, err: errorText(e) },
        "a valid postback could not be stored",
      );
      return sendError(reply, 503, "the update could not be stored");
    }
    countPostback(ctx.metrics, outcome);
    ctx.metrics.postbackSeconds.observe((performance.now() - started) / 1000);
    return reply.code(200).type("application/json; charset=utf-8").send(STORED);
  });
}
