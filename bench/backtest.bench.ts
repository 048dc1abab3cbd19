import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadCandleDirectory } from "../src/backtest/candle-directory.js";
import { runBacktest } from "../src/backtest/run-backtest.js";
import { defaultConfig } from "../src/config/load.js";
import { TradingCalendar } from "../src/domain/calendar.js";
import { benchmarkMarket } from "./sample-market.js";
import { type Figure, median } from "./stats.js";

const CLI = fileURLToPath(new URL("../pivot.js", import.meta.url));
const DAYS = 250;
const RUNS = 5;
/** The issue asks for the figure on one core: the process is pinned to CPU 0 where taskset exists. */
const TASKSET = "/usr/bin/taskset";

/**
 * Backtest throughput over `pivot sample-data --days 250`: end to end (a fresh
 * `pivot backtest --json` process: start-up, CSV parsing, strategy, JSON on stdout, pinned to
 * one core), the strategy loop alone (in this process, data already loaded), and the CLI's
 * peak RSS. The headline counts the candles fed to the strategy (the day's 22-contract
 * universe: those of a contract the strategy says it cannot act on that day,
 * StrategyDay.needsCandles, are counted at their closes without the call that would return at
 * once); every row read is more, because on expiry days the sample market also holds next
 * week's contracts. The parsed-candle cache is off here: every run parses the CSVs (the lab
 * benchmark measures the cache).
 */
export function backtestBenchmark(log: (line: string) => void): Figure[] {
  const dir = benchmarkMarket(DAYS, 1);
  const data = loadCandleDirectory(dir, () => {});
  const run = () =>
    runBacktest({ config: defaultConfig(), data, calendar: new TradingCalendar(), warn: () => {} });
  const warm = run();
  const strategyCandles = warm.summary.candles;
  const files = readdirSync(dir).filter((n) => n.endsWith(".csv")).length;
  log(
    `backtest: ${DAYS} days, ${files} files, ${data.candles} candles in the data set, ${strategyCandles} through the strategy, ${warm.trades.length} trades`,
  );

  const pinned = existsSync(TASKSET);
  const pinnedRuns = timeCli(dir, strategyCandles, pinned);
  const freeRuns = pinned ? timeCli(dir, strategyCandles, false) : pinnedRuns;

  const loop: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    run();
    loop.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }

  const wall = median(pinnedRuns.seconds);
  const e2e = data.candles / wall;
  const peak = Math.max(...pinnedRuns.rssMb, ...freeRuns.rssMb);
  const core = pinned ? "one core" : "unpinned";
  return [
    {
      name: `backtest end to end, ${core}, candles fed to the strategy`,
      value: Math.round(strategyCandles / wall),
      unit: "candles/s",
      target: ">= 1,000,000",
      met: strategyCandles / wall >= 1e6,
    },
    {
      name: `backtest end to end, ${core}, every row read`,
      value: Math.round(e2e),
      unit: "candles/s",
    },
    { name: `backtest end to end, ${core}, wall time`, value: Math.round(wall * 1000) / 1000, unit: "s" },
    ...(pinned
      ? [
          {
            name: "backtest end to end, both cores, candles fed to the strategy",
            value: Math.round(strategyCandles / median(freeRuns.seconds)),
            unit: "candles/s",
          },
        ]
      : []),
    {
      name: "backtest strategy loop alone",
      value: Math.round(strategyCandles / median(loop)),
      unit: "candles/s",
    },
    { name: "backtest peak RSS", value: Math.round(peak), unit: "MB", target: "< 300", met: peak < 300 },
  ];
}

/** Times `pivot backtest --json` over the data set RUNS times, pinned to one core or not. */
function timeCli(
  dir: string,
  strategyCandles: number,
  pinned: boolean,
): { seconds: number[]; rssMb: number[] } {
  const seconds: number[] = [];
  const rssMb: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const args = [CLI, "backtest", "--data", dir, "--json"];
    const t0 = process.hrtime.bigint();
    const r = pinned
      ? spawnSync(TASKSET, ["-c", "0", process.execPath, ...args], spawnOptions())
      : spawnSync(process.execPath, args, spawnOptions());
    seconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
    if (r.status !== 0) throw new Error(`pivot backtest failed: ${r.stderr}`);
    if (JSON.parse(r.stdout).summary.candles !== strategyCandles)
      throw new Error("the CLI fed another candle count");
    const stats = /PIVOT_BENCH_STATS (.*)/.exec(r.stderr)?.[1];
    rssMb.push(stats ? JSON.parse(stats).maxRssKb / 1024 : Number.NaN);
  }
  return { seconds, rssMb };
}

function spawnOptions() {
  return {
    env: { ...process.env, PIVOT_BENCH_STATS: "1", PIVOT_CANDLE_CACHE: "off" },
    maxBuffer: 256 * 1024 * 1024,
    encoding: "utf8" as const,
  };
}
