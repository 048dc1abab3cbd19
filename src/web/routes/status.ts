import type { FastifyInstance } from "fastify";
import { hasApiToken, sessionOf } from "../auth.js";
import type { WebContext } from "../context.js";
import { sendError } from "../errors.js";

/** GET /status: the engine's StatusSnapshot, for the API token or a dashboard session. */
export function registerStatusRoute(app: FastifyInstance, ctx: WebContext): void {
  app.get("/status", (request, reply) => {
    if (!hasApiToken(ctx, request) && !sessionOf(ctx, request)) {
      reply.header("www-authenticate", 'Bearer realm="pivot"');
      return sendError(reply, 401, "unauthenticated: send Authorization: Bearer <server.api_token>");
    }
    return reply.code(200).send(ctx.deps.engine.status());
  });
}
