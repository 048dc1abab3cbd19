/*
 * The dashboard's HTML: a static skeleton that the browser script fills in. Nothing from the
 * server is written into it (the script sets every value with textContent), and it carries
 * no inline script or style, so the strict Content-Security-Policy holds.
 */

/** The URLs of the page's assets (content-hashed names under /assets/). */
export interface PageAssetUrls {
  script: string;
  style: string;
  chartLibrary: string;
  icon: string;
}

/** Renders the dashboard page. */
export function renderDashboardPage(urls: PageAssetUrls): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="referrer" content="no-referrer">
<title>Pivot · dashboard</title>
<link rel="icon" href="${urls.icon}" type="image/svg+xml">
<link rel="stylesheet" href="${urls.style}">
<script src="${urls.chartLibrary}" defer></script>
<script src="${urls.script}" defer></script>
</head>
<body>
<header class="top">
  <div id="mode-banner" class="mode-banner mode-unknown" role="status">
    <strong id="mode-title">…</strong> <span id="mode-detail">connecting</span>
  </div>
  <div class="status-bar">
    <h1 class="brand">Pivot</h1>
    <span id="day-date" class="muted"></span>
    <span id="market-time" class="muted"></span>
    <span id="phase" class="pill"></span>
    <span id="market" class="pill"></span>
    <span id="connection" class="pill conn-connecting" role="status" aria-live="polite">Connecting…</span>
    <span id="updated" class="muted updated"></span>
    <button id="logout" type="button" class="btn btn-quiet">Log out</button>
  </div>
</header>
<noscript><p class="notice">The dashboard needs JavaScript.</p></noscript>
<div id="alerts" class="alerts" aria-live="assertive"></div>
<section id="exposures" class="exposures" aria-labelledby="exposures-h" hidden>
  <h2 id="exposures-h">Held without a resting stop <span id="exposures-count"></span></h2>
  <p class="exposures-hint">Held at the broker with no protective stop or exit resting. The system puts one back or sells within seconds; if this stays, act at the broker.</p>
  <div class="table-scroll"><table id="exposures-table" class="data cards">
    <thead><tr><th>Contract</th><th>Held</th><th>Uncovered</th><th>Since</th><th>For</th><th>Trade</th></tr></thead>
    <tbody></tbody>
  </table></div>
</section>
<main class="grid">
  <section class="card area-position" aria-labelledby="position-h">
    <h2 id="position-h">Position</h2>
    <div id="position"></div>
  </section>
  <section class="card area-controls" aria-labelledby="controls-h">
    <h2 id="controls-h">Controls</h2>
    <div class="control-row">
      <div>
        <div class="label">New entries</div>
        <div id="entries-state" class="state"></div>
      </div>
      <button id="entries-toggle" type="button" class="btn" disabled>…</button>
    </div>
    <form id="lots-form" class="control-row" novalidate>
      <label for="lots-input"><span class="label">Lots per trade</span>
        <span id="lots-hint" class="hint"></span></label>
      <span class="lots-inputs">
        <input id="lots-input" name="lots" type="number" inputmode="numeric" min="1" step="1" required>
        <button id="lots-set" type="submit" class="btn">Set</button>
      </span>
    </form>
    <div class="control-row" id="panic-row">
      <div>
        <div class="label">Panic</div>
        <div id="panic-state" class="state"></div>
      </div>
      <button id="panic-open" type="button" class="btn btn-danger">Panic…</button>
      <button id="panic-clear" type="button" class="btn" hidden>Clear panic</button>
    </div>
    <div id="panic-confirm" class="confirm" hidden role="alertdialog" aria-labelledby="panic-confirm-text">
      <p id="panic-confirm-text">Cancel every open order, exit the open position at market and disable new entries?</p>
      <div class="confirm-buttons">
        <button id="panic-confirm-yes" type="button" class="btn btn-danger">Yes, exit everything</button>
        <button id="panic-confirm-no" type="button" class="btn">Cancel</button>
      </div>
    </div>
    <p id="control-message" class="control-message" role="status" aria-live="polite"></p>
  </section>
  <section class="card area-day" aria-labelledby="day-h">
    <h2 id="day-h">Today</h2>
    <div id="day-summary"></div>
  </section>
  <section class="card area-session" aria-labelledby="session-h">
    <h2 id="session-h">Broker</h2>
    <div id="session"></div>
  </section>
  <section class="card area-chart" aria-labelledby="chart-h">
    <div class="card-head">
      <h2 id="chart-h">Chart <span id="chart-symbol" class="muted"></span></h2>
      <span id="chart-legend" class="legend"></span>
    </div>
    <div id="chart" class="chart" role="img" aria-label="Candles of the selected contract"></div>
    <p id="chart-message" class="muted chart-message"></p>
  </section>
  <section class="card area-universe" aria-labelledby="universe-h">
    <div class="card-head">
      <h2 id="universe-h">Universe</h2>
      <span id="universe-meta" class="muted"></span>
    </div>
    <p class="hint">Tap a row to chart it.</p>
    <div class="table-scroll"><table id="universe" class="data universe">
      <thead><tr><th>Strike</th><th>Type</th><th>LTP</th><th>Structure</th><th>PP</th><th>R1</th><th>R2</th><th>R3</th><th>R4</th><th>R5</th><th>S1</th><th>S2</th><th>S3</th></tr></thead>
      <tbody></tbody>
    </table></div>
  </section>
  <section class="card area-trades" aria-labelledby="trades-h">
    <h2 id="trades-h">Trades</h2>
    <div class="table-scroll"><table id="trades" class="data cards">
      <thead><tr><th>Entry</th><th>Contract</th><th>Net P&amp;L</th><th>Price</th><th>Exit</th><th>Price</th><th>Reason</th><th>Slippage</th><th>Stop</th><th>Target</th><th>Trade</th></tr></thead>
      <tbody></tbody>
    </table></div>
  </section>
  <section class="card area-signals" aria-labelledby="signals-h">
    <h2 id="signals-h">Signals</h2>
    <div class="table-scroll"><table id="signals" class="data cards">
      <thead><tr><th>Time</th><th>Contract</th><th>Action</th><th>Why</th><th>Close</th><th>Size / threshold</th><th>Scenario</th></tr></thead>
      <tbody></tbody>
    </table></div>
  </section>
  <section class="card area-month" aria-labelledby="month-h">
    <h2 id="month-h">This month</h2>
    <div id="month-summary"></div>
  </section>
  <section class="card area-health" aria-labelledby="health-h">
    <h2 id="health-h">Health</h2>
    <div id="health"></div>
  </section>
  <section class="card area-reminders" aria-labelledby="reminders-h">
    <h2 id="reminders-h">Reminders</h2>
    <div id="reminders"></div>
  </section>
</main>
<div id="stale-banner" class="stale-banner" hidden role="alert">Disconnected from the server: reconnecting… The figures above may be out of date.</div>
<footer class="foot">
  <span id="version" class="muted"></span>
  <span class="muted">Charts by <a href="https://www.tradingview.com/" rel="noopener noreferrer" target="_blank">TradingView Lightweight Charts</a></span>
</footer>
</body>
</html>
`;
}
