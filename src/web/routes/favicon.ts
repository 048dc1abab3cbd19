import type { FastifyInstance } from "fastify";
import { ICON_SVG } from "../dashboard/assets.js";

/*
 * GET /favicon.ico, public: browsers ask for it on every page that names no icon (the login
 * form, /status), and a 404 there is noise in their console and in the logs. The dashboard's
 * own icon, as SVG (which browsers take whatever the name).
 */

const ICON = Buffer.from(ICON_SVG);
const ONE_DAY = "public, max-age=86400";

/** Registers GET /favicon.ico. */
export function registerFavicon(app: FastifyInstance): void {
  app.get("/favicon.ico", (_request, reply) =>
    reply.header("cache-control", ONE_DAY).type("image/svg+xml").send(ICON),
  );
}
