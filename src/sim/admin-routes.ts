/**
 * The simulator's own endpoints, which Kite does not have: `/__sim/state`, `/__sim/clock`, `/__sim/fault`,
 * `/__sim/start`, `/__sim/pause`, and `/__sim/callback`, a landing page that shows the request
 * token when no redirect URL is configured.
 */
import type { FastifyInstance } from "fastify";
import { escapeHtml } from "./login.js";

export interface AdminDeps {
  state: () => unknown;
  /** The replay's clock, cheap (a service following the simulator's time polls it). */
  clock: () => { marketTimeMs: number; running: boolean; speed: number };
  /** Applies a fault given as JSON; returns an error message when it is not a valid fault. */
  injectFault: (fault: unknown) => string | null;
  start: () => void;
  pause: () => void;
}

/** Registers the `/__sim/*` endpoints. */
export function registerAdminRoutes(app: FastifyInstance, deps: AdminDeps): void {
  app.get("/__sim/state", async () => deps.state());
  app.get("/__sim/clock", async () => deps.clock());
  app.post("/__sim/fault", async (req, reply) => {
    const error = deps.injectFault(req.body);
    if (error)
      return reply
        .code(400)
        .send({ status: "error", message: error, error_type: "InputException", data: null });
    return { status: "success", data: true };
  });
  app.post("/__sim/start", async () => {
    deps.start();
    return { status: "success", data: true };
  });
  app.post("/__sim/pause", async () => {
    deps.pause();
    return { status: "success", data: true };
  });
  app.get<{ Querystring: Record<string, string> }>("/__sim/callback", async (req, reply) => {
    const rows = Object.entries(req.query)
      .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td><code>${escapeHtml(String(v))}</code></td></tr>`)
      .join("\n");
    return reply
      .type("text/html; charset=utf-8")
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Kite simulator — logged in</title></head><body><h1>Logged in</h1><p>No redirect URL is configured, so the simulator shows what Kite would have sent to it:</p><table>${rows}</table></body></html>\n`,
      );
  });
}
