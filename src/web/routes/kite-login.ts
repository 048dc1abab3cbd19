import type { FastifyInstance } from "fastify";
import { sessionOf } from "../auth.js";
import { clientOf } from "../client-address.js";
import type { WebContext } from "../context.js";
import { errorText, sendError } from "../errors.js";
import { kiteLoginFailurePage, kiteLoginRefusedPage, kiteLoginSuccessPage } from "../pages.js";

/*
 * The daily Kite login through the browser. GET /login hands out a fresh login URL (its state
 * remembered by the LoginPort) and redirects to it; Kite sends the browser back to GET
 * /callback with a request token, which the LoginPort exchanges. The request token is in the
 * callback's query: the request log never holds a query string, and the page never holds a
 * token. Both are rate limited per address: each /login writes a pending state.
 *
 * /login is not public: it takes a dashboard session, or a single-use link signed by the
 * service (the one the Telegram "login needed" reminder carries, `?link=`). Anyone else gets
 * a page saying so, no redirect to Kite, and nothing written to disk.
 */

/** Registers GET /login and GET /callback. */
export function registerKiteLoginRoutes(app: FastifyInstance, ctx: WebContext): void {
  // No automatic HEAD route: a HEAD request (a link checker, a preview) must not use a link up.
  app.get("/login", { exposeHeadRoute: false }, (request, reply) => {
    const limited = ctx.kiteLoginLimiter.hit(clientOf(request).address);
    if (!limited.allowed) {
      reply.header("retry-after", String(limited.retryAfterS));
      return sendError(reply, 429, `too many login links: try again in ${limited.retryAfterS} s`);
    }
    if (!sessionOf(ctx, request)) {
      const link = ((request.query ?? {}) as Record<string, unknown>).link;
      const verdict = ctx.deps.loginLinks?.take(link) ?? "missing";
      if (verdict !== "ok") {
        ctx.log.warn(
          { verdict, client: clientOf(request).address },
          "Kite login refused: no session, no valid link",
        );
        return reply.code(403).type("text/html; charset=utf-8").send(kiteLoginRefusedPage(verdict));
      }
    }
    let url: string;
    try {
      url = ctx.deps.login.start().url;
    } catch (e) {
      ctx.log.error({ err: errorText(e) }, "could not start a Kite login");
      return sendError(reply, 500, "the Kite login could not be started");
    }
    return reply.code(302).header("location", url).send();
  });

  app.get("/callback", async (request, reply) => {
    const client = clientOf(request).address;
    const limited = ctx.kiteLoginLimiter.hit(client);
    if (!limited.allowed) {
      reply.header("retry-after", String(limited.retryAfterS));
      return sendError(reply, 429, `too many attempts: try again in ${limited.retryAfterS} s`);
    }
    const query = (request.query ?? {}) as Record<string, string | string[] | undefined>;
    const outcome = await ctx.deps.login.handleCallback(query);
    reply.type("text/html; charset=utf-8");
    if (outcome.ok) {
      ctx.log.info({ userId: outcome.userId, expiresAt: outcome.expiresAt, client }, "Kite login complete");
      return reply.code(200).send(kiteLoginSuccessPage(outcome));
    }
    ctx.log.warn({ reason: outcome.reason, detail: outcome.message, client }, "Kite login failed");
    return reply.code(400).send(kiteLoginFailurePage(outcome));
  });
}
