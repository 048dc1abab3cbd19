import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { loadCandleDirectory } from "../src/backtest/candle-directory.js";
import { runBacktest } from "../src/backtest/run-backtest.js";
import { defaultConfig } from "../src/config/load.js";
import { TradingCalendar } from "../src/domain/calendar.js";
import { benchmarkMarket } from "./sample-market.js";
import { type Figure, median } from "./stats.js";

const CLI = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const DAYS = 250;
const RUNS = 5;

/**
 * Backtest throughput over `pivot sample-data --days 250` (22 contracts × 125 candles a day):
 * end to end (a fresh `pivot backtest --json` process: start-up, CSV parsing, strategy, JSON
 * on stdout), the strategy loop alone (in this process, data already loaded), and the CLI's
 * peak RSS.
 */
export function backtestBenchmark(log: (line: string) => void): Figure[] {
  const dir = benchmarkMarket(DAYS, 1);
  const warm = runBacktest({
    config: defaultConfig(),
    data: loadCandleDirectory(dir, () => {}),
    calendar: new TradingCalendar(),
    warn: () => {},
  });
  const candles = warm.summary.candles;
  log(`backtest: ${DAYS} days, ${candles} candles, ${warm.trades.length} trades`);

  const endToEnd: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [CLI, "backtest", "--data", dir, "--json"], {
      env: { ...process.env, PIVOT_BENCH_STATS: "1" },
      maxBuffer: 256 * 1024 * 1024,
      encoding: "utf8",
    });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(`pivot backtest failed: ${r.stderr}`);
    if (JSON.parse(r.stdout).summary.candles !== candles)
      throw new Error("the CLI processed another candle count");
    const stats = /PIVOT_BENCH_STATS (.*)/.exec(r.stderr)?.[1];
    rss.push(stats ? JSON.parse(stats).maxRssKb / 1024 : Number.NaN);
    endToEnd.push(seconds);
  }

  const data = loadCandleDirectory(dir, () => {});
  const loop: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    runBacktest({ config: defaultConfig(), data, calendar: new TradingCalendar(), warn: () => {} });
    loop.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }

  const e2e = candles / median(endToEnd);
  const peak = Math.max(...rss);
  return [
    {
      name: "backtest end to end",
      value: Math.round(e2e),
      unit: "candles/s",
      target: ">= 1,000,000",
      met: e2e >= 1e6,
    },
    { name: "backtest end to end, wall time", value: round3(median(endToEnd)), unit: "s" },
    { name: "backtest strategy loop alone", value: Math.round(candles / median(loop)), unit: "candles/s" },
    { name: "backtest peak RSS", value: Math.round(peak), unit: "MB", target: "< 300", met: peak < 300 },
  ];
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
