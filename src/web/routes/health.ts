import type { FastifyInstance } from "fastify";
import { clientOf, isLoopback } from "../client-address.js";
import type { WebContext } from "../context.js";
import { errorText, sendError } from "../errors.js";

/*
 * GET /health: for nginx, systemd and uptime monitors; public, cheap, never logged.
 * GET /metrics: Prometheus text, for a scraper on the same host only. A request nginx proxied
 * carries the real client in X-Forwarded-For, so "loopback" means the client, not the peer.
 */

/** Registers /health and /metrics. */
export function registerOpsRoutes(app: FastifyInstance, ctx: WebContext): void {
  app.get("/health", { config: { quiet: true } }, (_request, reply) => {
    const { clock, wallClock, startedAtMs, version } = ctx.deps;
    const uptime_s = Math.max(0, Math.floor(((wallClock ?? clock).now() - startedAtMs) / 1000));
    let probe: ReturnType<WebContext["deps"]["health"]>;
    try {
      probe = ctx.deps.health();
    } catch (e) {
      ctx.log.error({ err: errorText(e) }, "the health probe failed");
      probe = { ok: false, reason: "the health probe failed" };
    }
    if (probe.ok) return reply.code(200).send({ status: "ok", uptime_s, version });
    return reply.code(503).send({ status: "unavailable", reason: probe.reason, uptime_s, version });
  });

  app.get("/metrics", (request, reply) => {
    const client = clientOf(request);
    if (!isLoopback(client.address)) return sendError(reply, 403, "metrics are served to loopback only");
    return reply
      .code(200)
      .type("text/plain; version=0.0.4; charset=utf-8")
      .send(ctx.metrics.registry.render());
  });
}
