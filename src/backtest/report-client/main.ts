/*
 * The backtest report's page script (bundled by scripts/bundle.mjs into dist/web/report.js with
 * its styles, and inlined by report.ts): reads the report's JSON and draws the equity and daily
 * charts at once, each trade's chart as it scrolls into view. A chart that fails says so in its
 * place; the rest of the page stays.
 */

import "./report.css";
import { REPORT_DATA_ID, type ReportData } from "../report-data.js";
import { dailyChart, equityChart, tradeChart } from "./charts.js";

function fail(el: Element, message: string): void {
  el.className = "empty";
  el.textContent = message;
}

function draw(el: Element, render: () => void): void {
  try {
    render();
  } catch (e) {
    fail(el, `Chart failed: ${e instanceof Error && e.message ? e.message : String(e)}`);
  }
}

function start(): void {
  const lwc = window.LightweightCharts;
  const data = JSON.parse(document.getElementById(REPORT_DATA_ID)?.textContent ?? "null") as ReportData;
  if (!lwc) {
    for (const el of document.querySelectorAll(".chart")) fail(el, "The chart library did not load.");
    return;
  }
  const equity = document.getElementById("equity-chart");
  if (equity) draw(equity, () => equityChart(lwc, equity, data));
  const daily = document.getElementById("daily-chart");
  if (daily) draw(daily, () => dailyChart(lwc, daily, data));

  const drawTrade = (el: HTMLElement) => {
    const t = data.trades[Number(el.getAttribute("data-trade"))];
    draw(el, () => {
      if (!t) throw new Error("no data for this trade");
      tradeChart(lwc, el, t, data);
    });
  };
  const pending = document.querySelectorAll<HTMLElement>("[data-trade]");
  if (!("IntersectionObserver" in window)) {
    pending.forEach(drawTrade);
    return;
  }
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        observer.unobserve(entry.target);
        drawTrade(entry.target as HTMLElement);
      }
    },
    { rootMargin: "400px 0px" },
  );
  for (const el of pending) observer.observe(el);
}

start();
