import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { findBundleDir, loadDashboardAssets } from "../../../src/web/dashboard/assets.js";
import { createDashboard, dashboardPlugin } from "../../../src/web/dashboard/plugin.js";
import { REPO_ROOT } from "../../support/paths.js";

async function appWithDashboard(): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(dashboardPlugin);
  return app;
}

/** The URLs of the page's `src` and `href` attributes under /assets/. */
function assetUrls(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
}

describe("dashboard plugin", () => {
  const apps: FastifyInstance[] = [];
  after(async () => {
    for (const app of apps) await app.close();
  });

  it("GET / → the page, HTML, not cached, loading its script, style, chart library and icon from /assets/", async () => {
    const app = await appWithDashboard();
    apps.push(app);
    const res = await app.inject({ method: "GET", url: "/" });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers["content-type"]), /^text\/html; charset=utf-8/);
    assert.equal(res.headers["cache-control"], "no-cache");
    const urls = assetUrls(res.body);
    assert.equal(urls.length, 4, urls.join(" "));
    assert.ok(urls.some((u) => /^\/assets\/dashboard-[0-9a-f]{12}\.js$/.test(u)));
    assert.ok(urls.some((u) => /^\/assets\/dashboard-[0-9a-f]{12}\.css$/.test(u)));
    assert.ok(urls.some((u) => /^\/assets\/lightweight-charts-[0-9a-f]{12}\.js$/.test(u)));
    assert.ok(urls.some((u) => /^\/assets\/icon-[0-9a-f]{12}\.svg$/.test(u)));
    assert.match(res.body, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
  });

  it("the page → no inline script, no inline style, no event-handler attribute (the CSP forbids them)", async () => {
    const app = await appWithDashboard();
    apps.push(app);
    const html = (await app.inject({ method: "GET", url: "/" })).body;
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 2);
    for (const [, attrs, body] of scripts) {
      assert.match(attrs as string, /\bsrc="\/assets\//);
      assert.equal((body as string).trim(), "");
    }
    assert.doesNotMatch(html, /<style\b/i);
    assert.doesNotMatch(html, /\sstyle=/i);
    assert.doesNotMatch(html, /\son[a-z]+=/i);
    assert.doesNotMatch(html, /javascript:/i);
  });

  it("every element the browser script looks up by id → present in the page", async () => {
    const app = await appWithDashboard();
    apps.push(app);
    const html = (await app.inject({ method: "GET", url: "/" })).body;
    const clientDir = join(REPO_ROOT, "src/web/dashboard/client");
    const ids = new Set<string>();
    for (const file of readdirSync(clientDir).filter((f) => f.endsWith(".ts"))) {
      const source = readFileSync(join(clientDir, file), "utf8");
      for (const m of source.matchAll(/byId(?:<[^>]+>)?\("([a-z0-9-]+)"\)/g)) ids.add(m[1] as string);
    }
    assert.ok(ids.size > 20, `found only ${ids.size} ids`);
    for (const id of ids) assert.match(html, new RegExp(`id="${id}"`), `#${id} is missing from the page`);
  });

  it("GET /assets/<name> → the file with its content type, cached for good, revalidated by ETag", async () => {
    const app = await appWithDashboard();
    apps.push(app);
    const html = (await app.inject({ method: "GET", url: "/" })).body;
    const expected: Record<string, RegExp> = {
      js: /^text\/javascript; charset=utf-8$/,
      css: /^text\/css; charset=utf-8$/,
      svg: /^image\/svg\+xml/,
    };
    for (const url of assetUrls(html)) {
      const res = await app.inject({ method: "GET", url });
      assert.equal(res.statusCode, 200, url);
      assert.match(
        String(res.headers["content-type"]),
        expected[url.split(".").pop() as string] as RegExp,
        url,
      );
      assert.equal(res.headers["cache-control"], "private, max-age=31536000, immutable");
      assert.ok(res.rawPayload.length > 100, url);
      const etag = String(res.headers.etag);
      const again = await app.inject({ method: "GET", url, headers: { "if-none-match": etag } });
      assert.equal(again.statusCode, 304, url);
      assert.equal(again.rawPayload.length, 0);
    }
  });

  it("the assets → the built bundle and lightweight-charts' standalone production build, byte for byte", async () => {
    const assets = loadDashboardAssets();
    const dist = findBundleDir();
    assert.deepEqual(assets.script.body, readFileSync(join(dist, "web/dashboard.js")));
    assert.deepEqual(assets.style.body, readFileSync(join(dist, "web/dashboard.css")));
    assert.deepEqual(
      assets.chartLibrary.body,
      readFileSync(
        join(REPO_ROOT, "node_modules/lightweight-charts/dist/lightweight-charts.standalone.production.js"),
      ),
    );
    assert.match(assets.chartLibrary.body.toString("utf8", 0, 200), /TradingView Lightweight Charts/);
  });

  it("an unknown asset → 404 JSON, nothing read from disk", async () => {
    const app = await appWithDashboard();
    apps.push(app);
    for (const url of ["/assets/nope.js", "/assets/..%2F..%2Fpackage.json", "/assets/dashboard.js"]) {
      const res = await app.inject({ method: "GET", url });
      assert.equal(res.statusCode, 404, url);
      assert.deepEqual(JSON.parse(res.body), { error: "no such asset" });
    }
  });

  it("no built bundle → a clear error at start-up naming the file and the fix", () => {
    const dir = mkdtempSync(join(tmpdir(), "pivot-dash-"));
    try {
      assert.throws(() => findBundleDir(dir), /web\/dashboard\.js\) was not found .*npm run build/);
      mkdirSync(join(dir, "web"));
      writeFileSync(join(dir, "web/dashboard.js"), "void 0;");
      assert.equal(findBundleDir(join(dir, "web")), dir);
      assert.throws(
        () => createDashboard({ bundleDir: dir }),
        /cannot read the dashboard file .*dashboard\.css.*npm run build/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
