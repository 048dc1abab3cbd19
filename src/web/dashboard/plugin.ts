import type { FastifyPluginAsync } from "fastify";
import { type Asset, type DashboardAssets, loadDashboardAssets } from "./assets.js";
import { renderDashboardPage } from "./page.js";

/** Options of the dashboard plugin. */
export interface DashboardPluginOptions {
  /** The assets to serve (tests); by default the built bundle and the chart library, read at registration. */
  assets?: DashboardAssets;
  /** The dist/ folder holding web/dashboard.js, when `assets` is not given (found beside this module otherwise). */
  bundleDir?: string;
}

/** Assets never change under their hashed names (private: they are served behind the login). */
const ASSET_CACHE = "private, max-age=31536000, immutable";
/** The page names the current assets, so it is fetched fresh every time; it holds no data. */
const PAGE_CACHE = "no-cache";

/**
 * The trader's dashboard: GET / (the page) and GET /assets/:name (its script, its CSS, the
 * chart library and its icon). Authentication is not its concern: register it inside the authenticated
 * scope (GET / must send a logged-out browser to the login form).
 */
export const dashboardPlugin: FastifyPluginAsync<DashboardPluginOptions> = async (app, options) => {
  const assets = options.assets ?? loadDashboardAssets(options.bundleDir);
  const byName = new Map<string, Asset>(
    [assets.script, assets.style, assets.chartLibrary, assets.icon].map((a) => [a.name, a] as const),
  );
  const page = renderDashboardPage({
    script: `/assets/${assets.script.name}`,
    style: `/assets/${assets.style.name}`,
    chartLibrary: `/assets/${assets.chartLibrary.name}`,
    icon: `/assets/${assets.icon.name}`,
  });

  app.get("/", async (_request, reply) => {
    return reply.header("cache-control", PAGE_CACHE).type("text/html; charset=utf-8").send(page);
  });

  app.get<{ Params: { name: string } }>("/assets/:name", async (request, reply) => {
    const asset = byName.get(request.params.name);
    if (!asset) return reply.code(404).send({ error: "no such asset" });
    reply.header("cache-control", ASSET_CACHE).header("etag", asset.etag);
    if (request.headers["if-none-match"] === asset.etag) return reply.code(304).send();
    return reply.type(asset.contentType).send(asset.body);
  });
};

/**
 * The dashboard plugin with its files read now, at start-up: a missing build fails here,
 * before the server listens. Pass it as `buildApp({ ..., dashboard: createDashboard() })`.
 */
export function createDashboard(options: DashboardPluginOptions = {}): FastifyPluginAsync {
  const assets = options.assets ?? loadDashboardAssets(options.bundleDir);
  return (app) => dashboardPlugin(app, { assets });
}
