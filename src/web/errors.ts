import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import type { WebLogger } from "./web-logger.js";

/*
 * Errors never reach a client as a stack trace or an internal message. A 4xx raised by
 * fastify itself (body too large, an unreadable JSON body) is answered with a fixed wording
 * per status: fastify's own messages can quote the body, which may hold a secret. Anything
 * else is a 500 with a generic message, logged here with what the operator needs.
 */

const CLIENT_ERRORS: Readonly<Record<number, string>> = {
  400: "bad request",
  401: "unauthenticated",
  403: "forbidden",
  404: "not found",
  405: "method not allowed",
  408: "request timeout",
  411: "length required",
  413: "request body too large",
  414: "URI too long",
  415: "unsupported media type",
  429: "too many requests",
  431: "request headers too large",
};

/** Sends `{ "error": message }` with a status. */
export function sendError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).type("application/json; charset=utf-8").send({ error: message });
}

/** The fixed client message of a 4xx status. */
export function clientErrorMessage(status: number): string {
  return CLIENT_ERRORS[status] ?? "bad request";
}

/** Installs the generic error and not-found handlers on the root of the app. */
export function installErrorHandlers(app: FastifyInstance, log: WebLogger): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendError(reply, status, clientErrorMessage(status));
    }
    log.error(
      {
        method: request.method,
        path: request.routeOptions.url ?? "unmatched",
        code: error.code,
        err: errorText(error),
      },
      "request failed",
    );
    return sendError(reply, 500, "internal error");
  });
  app.setNotFoundHandler((_request, reply) => sendError(reply, 404, "not found"));
}

/** An error's name, message and top frames, for the log (redacted by the logger). */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return (error.stack ?? `${error.name}: ${error.message}`).split("\n").slice(0, 6).join("\n");
}
