import assert from "node:assert/strict";
import { test } from "node:test";
import { renderBacktestReport } from "../../src/backtest/report.js";
import type { BacktestResult, CandleLookup, DayResult, SummaryFigures } from "../../src/backtest/types.js";
import type { Candle } from "../../src/domain/candle.js";
import { isoIst } from "../../src/domain/ist.js";
import { performanceMetrics } from "../../src/lab/metrics.js";
import type { Trade } from "../../src/strategy/types.js";

const EVIL = "</script><img src=x onerror=alert(1)>";
const INTERVAL = 3;
const PIVOTS = { PP: 100, R1: 110, R2: 120, R3: 130, R4: 140, R5: 150, S1: 90, S2: 80, S3: 70 };

const ZERO_FIGURES: SummaryFigures = {
  total_trades: 0,
  wins: 0,
  losses: 0,
  win_rate: 0,
  gross_pnl: 0,
  charges: 0,
  net_pnl: 0,
  max_drawdown: 0,
  trades_by_scenario: { "1": 0, "2": 0, "3": 0 },
  first_candle_entries: 0,
  intraday_entries: 0,
  stop_losses: 0,
  targets: 0,
  timeouts: 0,
  eod_exits: 0,
  max_daily_loss_exits: 0,
};

function trade(date: string, n: number, symbol: string, entry: number, exit: number, win: boolean): Trade {
  const gross = win ? 600 : -300;
  return {
    trade_id: `${date.replaceAll("-", "")}_00${n}`,
    date,
    symbol,
    strike: 81000,
    option_type: "CE",
    scenario: 1,
    first_candle_entry: true,
    structure: "BULLISH",
    re_entry: false,
    entry_time: isoIst(date, entry),
    entry_price: 112,
    stop_loss: 98,
    target: 130,
    quantity: 20,
    candles_held: (exit - entry) / INTERVAL,
    pivots: PIVOTS,
    exit_time: isoIst(date, exit),
    exit_price: win ? 142 : 97,
    exit_reason: win ? "TARGET" : "STOP_LOSS",
    pnl_points: gross / 20,
    pnl_rupees: gross,
    charges: 50,
    net_pnl_rupees: gross - 50,
  };
}

function day(date: string, net: number): DayResult {
  return {
    ...ZERO_FIGURES,
    total_trades: 1,
    net_pnl: net,
    date,
    universe_source: "ALL_CONTRACTS",
    spot_open: null,
    atm: null,
    expiry: null,
    contracts: 1,
    contracts_with_pivots: 1,
    bullish_contracts: 1,
    signals: 1,
    candles: 20,
    closes: 20,
  };
}

function sampleResult(symbol = "SENSEX2590481000CE"): BacktestResult {
  const trades = [
    trade("2025-09-01", 1, symbol, 558, 582, true),
    trade("2025-09-02", 1, symbol, 600, 615, false),
  ];
  return {
    trades,
    signals: [],
    days: [day("2025-09-01", 550), day("2025-09-02", -350)],
    summary: {
      ...ZERO_FIGURES,
      ...performanceMetrics(trades, [day("2025-09-01", 550), day("2025-09-02", -350)]),
      total_trades: 2,
      wins: 1,
      losses: 1,
      win_rate: 50,
      gross_pnl: 300,
      charges: 100,
      net_pnl: 200,
      max_drawdown: 300,
      days: 2,
      from: "2025-09-01",
      to: "2025-09-02",
      candles: 40,
    },
  };
}

/** Twenty 3-minute candles from 09:15 that climb from 100. */
const fakeCandles: CandleLookup = () =>
  Array.from({ length: 20 }, (_, i): Candle => {
    const open = 100 + i * 2;
    return { start: 555 + i * INTERVAL, open, high: open + 3, low: open - 1, close: open + 2, volume: 10 };
  });

const render = (result: BacktestResult, lookup: CandleLookup = fakeCandles) =>
  renderBacktestReport(result, lookup, {
    intervalMinutes: INTERVAL,
    generatedAt: "2025-09-03T18:00:00+05:30",
  });

interface EmbeddedData {
  equity: { time: number; net: number }[];
  daily: { time: string; value: number }[];
  trades: ({ symbol: string; entry: number; exit: number; levels: { title: string }[] } | null)[];
  candles: number[][][];
}

function embeddedData(html: string): EmbeddedData {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m?.[1], "the data script is present");
  return JSON.parse(m[1]) as EmbeddedData;
}

/** Chart seconds of an IST wall-clock time read as UTC. */
const wallClock = (date: string, hh: number, mm: number) =>
  Date.parse(`${date}T00:00:00Z`) / 1000 + hh * 3600 + mm * 60;

test("renderBacktestReport with trades → self-contained page with no external resources", () => {
  const html = render(sampleResult());
  assert.match(html, /^<!DOCTYPE html>/);
  assert.doesNotMatch(html, /(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
  assert.doesNotMatch(html, /<link\b/i);
  assert.doesNotMatch(html, /<script[^>]*\bsrc=/i);
  assert.doesNotMatch(html, /@import|url\(\s*["']?https?:/i);
});

test("renderBacktestReport → inlines the Lightweight Charts library", () => {
  const html = render(sampleResult());
  assert.ok(html.includes("createChart"));
  assert.ok(html.includes("TradingView Lightweight Charts"));
  assert.ok(html.length > 150_000, "the library code is embedded, not referenced");
});

test("renderBacktestReport with two trades → table rows link each trade id to its chart", () => {
  const html = render(sampleResult());
  assert.match(html, /<td><a href="#trade-1">20250901_001<\/a><\/td>/);
  assert.match(html, /<td><a href="#trade-2">20250902_001<\/a><\/td>/);
  assert.match(html, /<article class="trade" id="trade-1">/);
  assert.match(html, /data-trade="1"/);
  assert.ok(html.includes("Generated 2025-09-03T18:00:00+05:30."));
});

test("renderBacktestReport summary → figures shown as cards with P&L colour", () => {
  const html = render(sampleResult());
  assert.match(html, /<div class="label">Win rate<\/div><div class="value">50\.0%<\/div>/);
  assert.match(html, /<div class="label">Net P&amp;L<\/div><div class="value pos">₹200\.00<\/div>/);
  assert.match(html, /<div class="label">Max drawdown<\/div><div class="value neg">₹300\.00<\/div>/);
});

test("renderBacktestReport trade times → markers on the candle whose close is the trade time, IST as UTC", () => {
  const data = embeddedData(render(sampleResult()));
  const first = data.trades[0];
  assert.ok(first);
  // Entry closes at 09:18 (558): its candle starts at 09:15; exit closes at 09:42, candle 09:39.
  assert.equal(first.entry, wallClock("2025-09-01", 9, 15));
  assert.equal(first.exit, wallClock("2025-09-01", 9, 39));
  assert.equal(data.candles[0]?.[0]?.[0], wallClock("2025-09-01", 9, 15));
  assert.deepEqual(
    first.levels.map((l) => l.title),
    ["R5", "R4", "R3", "R2", "R1", "PP", "S1", "S2", "S3", "SL"],
  );
});

test("renderBacktestReport equity and daily data → cumulative net from 0 and one bar per day", () => {
  const data = embeddedData(render(sampleResult()));
  assert.deepEqual(
    data.equity.map((p) => p.net),
    [0, 550, 200],
  );
  assert.deepEqual(data.daily, [
    { time: "2025-09-01", value: 550 },
    { time: "2025-09-02", value: -350 },
  ]);
});

test("renderBacktestReport with a malicious symbol → escaped in the HTML and in the JSON", () => {
  const html = render(sampleResult(EVIL));
  assert.ok(!html.includes(EVIL), "the raw markup never appears");
  assert.ok(!html.includes("<img"), "no injected element");
  assert.ok(html.includes("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"));
  assert.equal(
    (html.match(/<\/script/gi) ?? []).length,
    4,
    "only the four script elements close (data, library, chart labels, page)",
  );
  assert.equal(embeddedData(html).trades[0]?.symbol, EVIL);
});

test("renderBacktestReport with trades sharing a contract day → one candle set each, shared", () => {
  const result = sampleResult();
  const again = trade("2025-09-01", 2, "SENSEX2590481000CE", 600, 615, false);
  result.trades.push(again);
  const calls: string[] = [];
  const lookup: CandleLookup = (symbol, date) => {
    calls.push(`${symbol} ${date}`);
    return fakeCandles(symbol, date);
  };
  const data = embeddedData(render(result, lookup));
  assert.equal(data.candles.length, 2);
  assert.equal(calls.length, 2);
});

test("renderBacktestReport without candles for a trade → says so instead of a chart", () => {
  const html = render(sampleResult(), () => []);
  assert.ok(html.includes("No candles for this contract on this day"));
  assert.doesNotMatch(html, /data-trade=/);
  assert.deepEqual(embeddedData(html).trades, [null, null]);
});

test("renderBacktestReport with zero trades → renders and says no trades in this period", () => {
  const result: BacktestResult = {
    trades: [],
    signals: [],
    days: [],
    summary: { ...ZERO_FIGURES, ...performanceMetrics([], []), days: 0, from: null, to: null, candles: 0 },
  };
  const html = render(result);
  assert.ok(html.includes("No trades in this period"));
  assert.ok(html.includes("</html>"));
  assert.doesNotMatch(html, /<table/);
  assert.doesNotMatch(html, /id="equity-chart"/);
});

test("renderBacktestReport twice → identical output", () => {
  assert.equal(render(sampleResult()), render(sampleResult()));
});
