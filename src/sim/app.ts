/**
 * `buildSimApp(deps)`: the simulator's HTTP app (Kite's REST API, the login page, the
 * simulator's own endpoints), built without listening so that it can be tested with inject().
 */
import Fastify, { type FastifyInstance } from "fastify";
import { type AdminDeps, registerAdminRoutes } from "./admin-routes.js";
import { type LoginDeps, registerLoginRoutes } from "./login.js";
import { kiteErrorReply, kiteRestRoutes, type RestDeps } from "./rest-routes.js";

export type SimAppDeps = RestDeps & LoginDeps & AdminDeps;

/** Kite sends POST and PUT bodies form-encoded; repeated keys keep their last value. */
export function parseForm(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(body)) out[k] = v;
  return out;
}

/** The simulator's fastify app, not listening yet. */
export function buildSimApp(deps: SimAppDeps): FastifyInstance {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    done(null, parseForm(body as string));
  });
  app.setErrorHandler((error, _req, reply) => kiteErrorReply(error, reply));
  app.setNotFoundHandler((_req, reply) =>
    reply
      .code(404)
      .send({ status: "error", message: "Route not found", error_type: "GeneralException", data: null }),
  );
  registerLoginRoutes(app, deps);
  registerAdminRoutes(app, deps);
  app.register(kiteRestRoutes, deps);
  return app;
}
