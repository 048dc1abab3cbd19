import type { ServerResponse } from "node:http";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { sessionOf } from "../auth.js";
import type { WebContext } from "../context.js";
import { sendError } from "../errors.js";
import { fallbackHomePage } from "../pages.js";
import type { Session } from "../sessions.js";
import { registerDashboardApi } from "./dashboard-api.js";
import { registerEventStream } from "./events.js";

/*
 * Everything behind the dashboard login: the page itself (the dashboard plugin: GET / and its
 * assets), its JSON API and its event stream. One onRequest hook guards the whole scope: a
 * browser asking for a page without a session is sent to the login form; an API call gets a
 * 401 it can act on.
 */

/** The authenticated scope; `streams` holds the open event streams. */
export async function dashboardScope(
  app: FastifyInstance,
  options: { ctx: WebContext; streams: Set<ServerResponse> },
): Promise<void> {
  const { ctx, streams } = options;
  const sessions = new WeakMap<FastifyRequest, Session>();

  app.addHook("onRequest", async (request, reply) => {
    const current = sessionOf(ctx, request);
    if (current) {
      sessions.set(request, current.session);
      return;
    }
    const path = request.url.split("?", 1)[0] ?? "/";
    const isApi = path.startsWith("/api/") || path === "/events";
    if (!isApi && (request.method === "GET" || request.method === "HEAD")) {
      return reply.code(302).header("location", "/auth/login").send();
    }
    return sendError(reply, 401, "unauthenticated: log in at /auth/login");
  });

  const sessionOfRequest = (request: FastifyRequest): Session => {
    const session = sessions.get(request);
    // The hook above let the request in only with a session; reaching here without one is a bug.
    if (!session) throw new Error("a dashboard route ran without a session");
    return session;
  };

  registerDashboardApi(app, ctx, sessionOfRequest);
  registerEventStream(app, ctx, streams);
  if (ctx.deps.dashboard) {
    await app.register(ctx.deps.dashboard);
  } else {
    app.get("/", (request, reply) =>
      reply.type("text/html; charset=utf-8").send(fallbackHomePage(sessionOfRequest(request).csrfToken)),
    );
  }
}
