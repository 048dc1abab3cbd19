import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { FastifyInstance } from "fastify";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { checkKitePostback } from "../../../src/adapters/kite/postback-check.js";
import { loadCandleDirectory } from "../../../src/backtest/candle-directory.js";
import { writeReportFile } from "../../../src/backtest/report-file.js";
import { runBacktest } from "../../../src/backtest/run-backtest.js";
import { writeSampleData } from "../../../src/backtest/sample-data.js";
import { defaultConfig, parseConfig } from "../../../src/config/load.js";
import { TradingCalendar } from "../../../src/domain/calendar.js";
import type { LoginPort, PostbackSink } from "../../../src/ports/app.js";
import { buildApp } from "../../../src/web/app.js";
import { createDashboard } from "../../../src/web/dashboard/plugin.js";
import { hashPassword } from "../../../src/web/password-hash.js";
import {
  FAKE_CLOSED_TRADE_SYMBOL,
  FAKE_EXPOSURE,
  FAKE_OPEN_TRADE_SYMBOL,
  FakeEngine,
} from "../../support/fake-engine.js";

/*
 * The dashboard in real Chromium (Debian's `chromium`, driven by playwright-core) against the
 * real web app (buildApp) over the fake engine's day: log in, the universe and the chart,
 * live updates, the controls (panic only after its confirmation), a dropped event stream,
 * log out, and a phone-sized screen with trades and signals as cards; then the charts' labels
 * of the dashboard and of a backtest report, desktop and phone: none overlaps another or leaves
 * its chart. Screenshots (test artefacts, git-ignored under dist/) land in
 * dist/test/web/dashboard/screenshots/: look at them when the charts change.
 */

const CHROMIUM = "/usr/bin/chromium";
const PASSWORD = "browser test password";
const WAIT_MS = 20_000;
const SCREENSHOTS = fileURLToPath(new URL("./screenshots/", import.meta.url));
/** Cheap scrypt parameters: the test logs in twice. */
const PASSWORD_HASH = await hashPassword(PASSWORD, { ln: 4, r: 8, p: 1 });
/** The dashboard's files are read once for every app of this file. */
const dashboard = createDashboard();
const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing: install Debian's chromium package to run the browser test (CI does)`;

/*
 * The callbacks given to page.evaluate and waitForFunction run in the page. Node's compiler
 * has no DOM types (the Node build keeps them out), so the few names they use are declared here.
 */
interface PageElement {
  id: string;
  textContent: string | null;
  scrollWidth: number;
  clientWidth: number;
  offsetParent: unknown;
  parentElement: PageElement | null;
  dataset: Record<string, string | undefined>;
  getBoundingClientRect(): { height: number; width: number; left: number; top: number };
  querySelectorAll<T = PageElement>(selector: string): ArrayLike<T> & Iterable<T>;
}
interface PageCanvas extends PageElement {
  width: number;
  height: number;
  getContext(
    kind: "2d",
  ): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
declare const document: {
  querySelector(selector: string): PageElement | null;
  querySelectorAll<T = PageElement>(selector: string): ArrayLike<T> & Iterable<T>;
  getElementById(id: string): PageElement | null;
  documentElement: PageElement;
  body: PageElement;
};
declare const window: { innerWidth: number; scrollTo(x: number, y: number): void };
declare function getComputedStyle(el: PageElement, pseudo?: string): { content: string };
declare function requestAnimationFrame(callback: () => void): number;

/** What the page reported that it should not: script errors, CSP violations, failed requests. */
interface PageProblems {
  errors: string[];
}

describe("dashboard in Chromium", { skip }, () => {
  let browser: Browser;

  before(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
  });

  /** The real web app over a fresh fake engine, listening on a free loopback port. */
  async function startApp(): Promise<{ app: FastifyInstance; engine: FakeEngine; base: string }> {
    const parsed = parseConfig({ server: { password_hash: PASSWORD_HASH } });
    if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
    const engine = new FakeEngine({ mode: "PAPER" });
    const postbacks: PostbackSink = { accept: async () => "ignored" };
    const login: LoginPort = {
      start: () => ({ url: "https://kite.example/connect/login" }),
      handleCallback: async () => ({ ok: false, reason: "bad_state", message: "not in this test" }),
    };
    const app = buildApp({
      engine,
      postbacks,
      login,
      checkPostback: (raw) => checkKitePostback(raw, "browser-test-secret"),
      config: parsed.config,
      clock: engine.clock,
      log: () => {},
      version: "0.1.0",
      startedAtMs: engine.clock.now(),
      health: () => ({ ok: true }),
      dashboard,
    });
    await app.listen({ host: "127.0.0.1", port: 0 });
    return { app, engine, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
  }

  /** A fresh browser context (its own cookies) in a zone far from India, and its page. */
  async function openPage(
    viewport: { width: number; height: number },
    phone = false,
  ): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
    const context = await browser.newContext({
      viewport,
      timezoneId: "America/New_York",
      isMobile: phone,
      hasTouch: phone,
    });
    context.setDefaultTimeout(WAIT_MS);
    const page = await context.newPage();
    const problems: PageProblems = { errors: [] };
    // Every CSP violation the page reports (the CSP has no 'unsafe-inline': an inline style the
    // login page or the chart library brought in would show here), not only those logged.
    await page.exposeFunction("reportCspViolation", (text: string) =>
      problems.errors.push(`CSP violation: ${text}`),
    );
    await context.addInitScript({
      content: `document.addEventListener("securitypolicyviolation", (e) =>
        reportCspViolation(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.documentURI));`,
    });
    page.on("pageerror", (e) => problems.errors.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      // The stream cut on purpose below ends mid-chunk; that one is expected.
      if (/ERR_INCOMPLETE_CHUNKED_ENCODING/.test(m.text())) return;
      if (m.type() === "error" || /Content Security Policy/i.test(m.text())) {
        problems.errors.push(`console ${m.type()}: ${m.text()} (${m.location().url})`);
      }
    });
    page.on("response", (r) => {
      if (r.status() >= 400) problems.errors.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`);
    });
    return { context, page, problems };
  }

  async function logIn(page: Page, base: string): Promise<void> {
    await page.goto(`${base}/`);
    assert.match(
      page.url(),
      /\/auth\/login$/,
      "logged out, the dashboard sends the browser to the login form",
    );
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL(`${base}/`), page.click('button[type="submit"]')]);
    await page.waitForSelector("#universe tbody tr[data-symbol]");
  }

  /** How many pixels of the chart's canvases are painted (neither transparent nor white). */
  function paintedChartPixels(page: Page): Promise<number> {
    return page.evaluate(() => {
      let painted = 0;
      for (const canvas of document.querySelectorAll<PageCanvas>("#chart canvas")) {
        if (canvas.width === 0 || canvas.height === 0) continue;
        const data = canvas.getContext("2d")?.getImageData(0, 0, canvas.width, canvas.height).data;
        if (!data) continue;
        for (let i = 0; i < data.length; i += 4) {
          const white =
            (data[i] as number) > 245 && (data[i + 1] as number) > 245 && (data[i + 2] as number) > 245;
          if ((data[i + 3] as number) > 0 && !white) painted++;
        }
      }
      return painted;
    });
  }

  /**
   * The labels of every chart on the page (chart-labels.ts) that overlap another or leave their
   * chart's pane, and how many labels there are (a check of nothing must not pass).
   */
  async function chartLabelProblems(page: Page): Promise<{ labels: number; problems: string[] }> {
    // Labels are drawn at the frame after the chart's: wait for two frames.
    await page.evaluate(
      () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(null)))),
    );
    return page.evaluate(() => {
      const problems: string[] = [];
      let labels = 0;
      for (const overlay of document.querySelectorAll(".chart-labels")) {
        const pane = overlay.getBoundingClientRect();
        const width = Number(overlay.dataset.paneWidth);
        const height = Number(overlay.dataset.paneHeight);
        const boxes = [...overlay.querySelectorAll(".chart-label")].map((el) => ({
          text: el.textContent ?? "",
          r: el.getBoundingClientRect(),
        }));
        labels += boxes.length;
        for (const b of boxes) {
          const inside =
            b.r.left >= pane.left - 0.5 &&
            b.r.top >= pane.top - 0.5 &&
            b.r.left + b.r.width <= pane.left + width + 0.5 &&
            b.r.top + b.r.height <= pane.top + height + 0.5;
          if (!inside)
            problems.push(`"${b.text}" leaves its chart (${JSON.stringify(b.r)} in ${width}×${height})`);
        }
        for (let i = 0; i < boxes.length; i++) {
          for (let j = i + 1; j < boxes.length; j++) {
            const a = (boxes[i] as (typeof boxes)[number]).r;
            const b = (boxes[j] as (typeof boxes)[number]).r;
            const overlap =
              a.left < b.left + b.width - 0.5 &&
              b.left < a.left + a.width - 0.5 &&
              a.top < b.top + b.height - 0.5 &&
              b.top < a.top + a.height - 0.5;
            if (overlap) problems.push(`"${boxes[i]?.text}" overlaps "${boxes[j]?.text}"`);
          }
        }
      }
      return { labels, problems };
    });
  }

  it("log in → the universe, the chart, live updates and the controls; log out", async () => {
    const { app, engine, base } = await startApp();
    const { context, page, problems } = await openPage({ width: 1440, height: 1000 });
    try {
      await logIn(page, base);

      // The banner, the universe table and the position.
      assert.equal((await page.textContent("#mode-title"))?.trim(), "PAPER");
      assert.match((await page.getAttribute("#mode-banner", "class")) ?? "", /mode-paper/);
      assert.equal(await page.locator("#universe tbody tr[data-symbol]").count(), 22);
      const row = page.locator(`#universe tr[data-symbol="${FAKE_CLOSED_TRADE_SYMBOL}"]`);
      assert.match((await row.textContent()) ?? "", /80,700\s*CE/);
      assert.match((await page.textContent("#position")) ?? "", new RegExp(FAKE_OPEN_TRADE_SYMBOL));
      assert.equal(await page.locator("#trades tbody tr").count(), 2);
      assert.equal(await page.locator("#signals tbody tr").count(), 4);
      assert.match((await page.textContent("#signals")) ?? "", /another contract ranked higher/);

      // The chart of the open position's contract, drawn.
      await page.waitForFunction(() => document.querySelectorAll("#chart canvas").length > 0);
      await page.waitForFunction(() => document.getElementById("chart-message")?.textContent === "");
      assert.equal((await page.textContent("#chart-symbol"))?.trim(), FAKE_OPEN_TRADE_SYMBOL);
      assert.ok((await paintedChartPixels(page)) > 2000, "the chart's canvas is painted");

      // A row click charts that contract.
      await row.click();
      await page.waitForFunction(
        (s) => document.getElementById("chart-symbol")?.textContent === s,
        FAKE_CLOSED_TRADE_SYMBOL,
      );
      await page.waitForSelector(`#universe tr.selected[data-symbol="${FAKE_CLOSED_TRADE_SYMBOL}"]`);
      await page.waitForFunction(() => document.querySelectorAll("#chart .chart-label-marker").length >= 2);
      const labels = await chartLabelProblems(page);
      assert.ok(labels.labels >= 6, `the levels and the trade's texts are labelled: ${labels.labels}`);
      assert.deepEqual(labels.problems, []);
      await page.screenshot({ path: join(SCREENSHOTS, "desktop.png"), fullPage: true });
      await (await page.$("#chart"))?.screenshot({ path: join(SCREENSHOTS, "desktop-chart.png") });

      // Live updates over SSE: a tick moves the LTP; an alert shows as text, never as markup.
      engine.tick(FAKE_OPEN_TRADE_SYMBOL, 432.1);
      await page.waitForFunction(
        (s) => document.querySelector(`#universe tr[data-symbol="${s}"]`)?.textContent?.includes("432.10"),
        FAKE_OPEN_TRADE_SYMBOL,
      );
      const hostile = `<img src=x id=injected onerror="document.title='pwned'">`;
      engine.emit({ type: "alert", level: "critical", message: hostile });
      await page.waitForSelector(".alert-critical");
      assert.equal((await page.textContent(".alert-critical .alert-text"))?.trim(), hostile);
      assert.equal(await page.locator("#injected").count(), 0);

      // Disable entries: the state follows the engine.
      assert.equal((await page.textContent("#entries-state"))?.trim(), "Enabled");
      await page.click("#entries-toggle");
      await page.waitForFunction(() => document.getElementById("entries-state")?.textContent === "Disabled");
      assert.deepEqual(
        engine.calls.map((c) => [c.action, c.value]),
        [["setEntriesEnabled", false]],
      );
      assert.equal((await page.textContent("#entries-toggle"))?.trim(), "Enable entries");

      // Lots: a bad value is refused with a message, a good one is applied.
      await page.fill("#lots-input", "99");
      await page.click("#lots-set");
      await page.waitForFunction(() =>
        /whole number from 1 to 10/.test(document.getElementById("control-message")?.textContent ?? ""),
      );
      await page.fill("#lots-input", "3");
      await page.click("#lots-set");
      await page.waitForFunction(() =>
        /Lots set to 3/.test(document.getElementById("control-message")?.textContent ?? ""),
      );
      assert.equal(engine.status().risk.lots, 3);

      // Panic needs its confirmation: cancel sends nothing, confirm sends it.
      await page.click("#panic-open");
      assert.equal(await page.isVisible("#panic-confirm"), true);
      await page.click("#panic-confirm-no");
      assert.equal(await page.isVisible("#panic-confirm"), false);
      assert.equal(
        engine.calls.some((c) => c.action === "panic"),
        false,
        "no panic without confirmation",
      );
      await page.click("#panic-open");
      await page.click("#panic-confirm-yes");
      await page.waitForFunction(() =>
        /PANIC/.test(document.getElementById("panic-state")?.textContent ?? ""),
      );
      assert.equal(engine.calls.filter((c) => c.action === "panic").length, 1);
      await page.waitForFunction(() => /Flat/.test(document.getElementById("position")?.textContent ?? ""));
      assert.equal(await page.isVisible("#panic-clear"), true);

      // The event stream drops: the page says so, and recovers by itself.
      app.server.closeAllConnections();
      await page.waitForSelector("#stale-banner", { state: "visible" });
      assert.match((await page.textContent("#connection")) ?? "", /Disconnected, reconnecting/);
      await page.waitForFunction(() => document.getElementById("connection")?.textContent === "Connected");
      await page.waitForSelector("#stale-banner", { state: "hidden" });

      // Log out: back to the login form, and the dashboard is closed to this browser.
      await Promise.all([page.waitForURL(/\/auth\/login$/), page.click("#logout")]);
      await page.goto(`${base}/`);
      assert.match(page.url(), /\/auth\/login$/);
      assert.deepEqual(problems.errors, []);
    } finally {
      await context.close();
      await app.close();
    }
  });

  it("a quantity held without a resting stop → a warning panel above the cards lists it (contract, held, uncovered, since in IST, for how long, counting); hidden when covered", async () => {
    const { app, engine, base } = await startApp();
    const { context, page, problems } = await openPage({ width: 1440, height: 1000 });
    try {
      await logIn(page, base);
      assert.equal(await page.isVisible("#exposures"), false, "hidden while every quantity is covered");
      engine.setExposures([FAKE_EXPOSURE]);
      await page.waitForSelector("#exposures", { state: "visible" });
      assert.match(
        (await page.textContent("#exposures h2")) ?? "",
        /Held without a resting stop · 1 position/,
      );
      const cells = await page.$$eval("#exposures-table tbody tr td", (tds) =>
        tds.map((td) => (td.textContent ?? "").trim()),
      );
      assert.deepEqual(cells.slice(0, 4), [
        `80,800 CE ${FAKE_OPEN_TRADE_SYMBOL}`,
        "40",
        "20",
        "11:03:17 IST",
      ]);
      assert.match(cells[4] ?? "", /^\d+ s$/);
      assert.equal(cells[5], "20250904_002");
      // Above the cards: the first thing under the header and the alerts.
      const [panelTop, gridTop] = await page.evaluate(() => [
        document.getElementById("exposures")?.getBoundingClientRect().top ?? 0,
        document.querySelector("main")?.getBoundingClientRect().top ?? 0,
      ]);
      assert.ok(panelTop < gridTop, `the panel (${panelTop}) is above the cards (${gridTop})`);
      // "For" keeps counting between statuses (the browser's clock, a status every 5 s).
      await page.waitForFunction(() =>
        /^([5-9]|\d\d+) s$/.test(
          document.querySelector("#exposures-table tbody tr td:nth-child(5)")?.textContent ?? "",
        ),
      );
      await page.screenshot({ path: join(SCREENSHOTS, "exposures.png") });
      // On a phone: a labelled card, nothing to scroll sideways.
      await page.setViewportSize({ width: 390, height: 844 });
      // The chart follows the new width at its next resize callback.
      await page.waitForFunction(() => document.documentElement.scrollWidth <= window.innerWidth);
      const phone = await page.evaluate(() => {
        const table = document.getElementById("exposures-table") as PageElement;
        const box = table.parentElement as PageElement;
        return {
          viewport: window.innerWidth,
          document: document.documentElement.scrollWidth,
          overflow: box.scrollWidth - box.clientWidth,
          labels: [...table.querySelectorAll("tbody td")].map((td) => td.dataset.label ?? ""),
        };
      });
      assert.ok(phone.document <= phone.viewport, `page overflows sideways: ${JSON.stringify(phone)}`);
      assert.ok(phone.overflow <= 0, `the panel scrolls sideways: ${JSON.stringify(phone)}`);
      assert.deepEqual(phone.labels, ["Contract", "Held", "Uncovered", "Since", "For", "Trade"]);
      await page.screenshot({ path: join(SCREENSHOTS, "exposures-phone.png") });
      engine.setExposures([]);
      await page.waitForSelector("#exposures", { state: "hidden" });
      assert.deepEqual(problems.errors, []);
    } finally {
      await context.close();
      await app.close();
    }
  });

  it("a phone-sized screen → no sideways scrolling of the page, trades and signals as labelled cards, the universe scrolls inside, taps of 44 px", async () => {
    const { app, base } = await startApp();
    const { context, page, problems } = await openPage({ width: 390, height: 844 }, true);
    try {
      await logIn(page, base);
      await page.waitForFunction(() => document.getElementById("chart-message")?.textContent === "");
      const widths = await page.evaluate(() => ({
        viewport: window.innerWidth,
        document: document.documentElement.scrollWidth,
        body: document.body.scrollWidth,
        universe: document.querySelector("#universe")?.parentElement?.scrollWidth ?? 0,
        universeBox: document.querySelector("#universe")?.parentElement?.clientWidth ?? 0,
      }));
      assert.ok(widths.document <= widths.viewport, `page overflows sideways: ${JSON.stringify(widths)}`);
      assert.ok(widths.body <= widths.viewport, `body overflows sideways: ${JSON.stringify(widths)}`);
      assert.ok(widths.universe > widths.universeBox, "the universe table scrolls inside its box");
      // Trades and signals: cards, every field labelled with its column, nothing to scroll.
      const cards = await page.evaluate(() =>
        ["trades", "signals"].map((id) => {
          const table = document.getElementById(id) as PageElement;
          const box = table.parentElement as PageElement;
          const cells = [...table.querySelectorAll("tbody td")];
          return {
            id,
            overflow: box.scrollWidth - box.clientWidth,
            cells: cells.length,
            labelled: cells.filter(
              (td) => !!td.dataset.label && getComputedStyle(td, "::before").content !== "none",
            ).length,
            reason: cells.some((td) => td.dataset.label === "Reason" || td.dataset.label === "Why"),
          };
        }),
      );
      for (const c of cards) {
        assert.ok(c.overflow <= 0, `${c.id} scrolls sideways: ${JSON.stringify(c)}`);
        assert.ok(c.cells > 0 && c.labelled === c.cells, `${c.id} cells labelled: ${JSON.stringify(c)}`);
        assert.ok(c.reason, `${c.id}: the reason / why is on the card`);
      }
      const small = await page.evaluate(() =>
        [...document.querySelectorAll(".btn, #universe tbody tr, #lots-input")]
          .filter((el) => el.offsetParent !== null)
          .map((el) => ({
            what: el.id || el.textContent?.trim().slice(0, 20),
            h: el.getBoundingClientRect().height,
          }))
          .filter((t) => t.h < 44),
      );
      assert.deepEqual(small, [], "tap targets of at least 44 px");
      const labels = await chartLabelProblems(page);
      assert.ok(labels.labels >= 3, `labels on the phone's chart: ${labels.labels}`);
      assert.deepEqual(labels.problems, []);
      await (await page.$("#chart"))?.screenshot({ path: join(SCREENSHOTS, "phone-chart.png") });
      await (await page.$(".area-trades"))?.screenshot({ path: join(SCREENSHOTS, "phone-trades.png") });
      await page.screenshot({ path: join(SCREENSHOTS, "phone.png"), fullPage: true });
      await page.screenshot({ path: join(SCREENSHOTS, "phone-top.png") });
      assert.ok((await paintedChartPixels(page)) > 1000, "the chart is drawn on a phone too");
      assert.deepEqual(problems.errors, []);
    } finally {
      await context.close();
      await app.close();
    }
  });
  it("a backtest report, desktop and phone → every trade chart's labels inside the chart and apart; the equity axis one kind of label", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pivot-report-browser-"));
    try {
      const calendar = new TradingCalendar();
      writeSampleData({ outDir: dir, days: 8, seed: 1, calendar });
      const config = defaultConfig();
      const data = loadCandleDirectory(dir, () => {});
      const result = runBacktest({ config, data, calendar, warn: () => {} });
      assert.ok(result.trades.length >= 2, "the sample market trades");
      const file = join(dir, "report.html");
      writeReportFile(file, result, data, config);
      for (const [name, viewport, phone] of [
        ["report-desktop", { width: 1440, height: 1000 }, false],
        ["report-phone", { width: 390, height: 844 }, true],
      ] as const) {
        const { context, page, problems } = await openPage(viewport, phone);
        try {
          await page.goto(pathToFileURL(file).href);
          // Trade charts draw when scrolled near: scroll through the page.
          const charts = await page.locator("[data-trade]").count();
          for (let i = 0; i < charts; i++) await page.locator("[data-trade]").nth(i).scrollIntoViewIfNeeded();
          await page.waitForFunction(
            (n) => document.querySelectorAll("[data-trade] .chart-labels").length === n,
            charts,
          );
          const labels = await chartLabelProblems(page);
          assert.ok(labels.labels >= charts * 4, `${name}: ${labels.labels} labels on ${charts} charts`);
          assert.deepEqual(labels.problems, [], name);
          await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
          await (await page.$("[data-trade]"))?.screenshot({ path: join(SCREENSHOTS, `${name}-trade.png`) });
          await (await page.$("#equity-chart"))?.screenshot({
            path: join(SCREENSHOTS, `${name}-equity.png`),
          });
          assert.deepEqual(problems.errors, []);
        } finally {
          await context.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
