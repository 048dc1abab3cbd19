import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CACHE_FILE } from "../src/backtest/candle-cache.js";
import { DAY_SETUPS_FILE } from "../src/backtest/day-setup-store.js";
import { benchmarkMarket } from "./sample-market.js";
import { type Figure, median } from "./stats.js";

const CLI = fileURLToPath(new URL("../pivot.js", import.meta.url));
const DAYS = 250;
const SETTINGS = 200;
const RUNS = 3;
/** The strikes an archive records around the money (archive.strike_range's default). */
const ARCHIVE_STRIKE_RANGE = 1000;

/**
 * The strategy lab (issue 15), each figure a ratio of runs made here, one after the other:
 * - `pivot optimize` of 200 settings over the 250-day sample market against one `pivot
 *   backtest` of the same data (both parse the CSVs: the cache is off for this pair);
 * - a `pivot backtest` run again over unchanged data, reading the parsed-candle cache, against
 *   a first run that parses the CSVs and writes it: over the sample market, and over a market
 *   shaped like the recorded archive (ATM ± 1,000 each day, the backtest trading ATM ± 500).
 */
export function labBenchmark(log: (line: string) => void): Figure[] {
  const loadBefore = loadavg()[0] ?? 0;
  const dir = benchmarkMarket(DAYS, 1);
  const space = join(tmpdir(), "pivot-bench-space.json");
  // 200 sets: 10 percentiles × 4 re-entry limits × 5 trade limits.
  writeFileSync(
    space,
    JSON.stringify({
      candle_size_percentile: { min: 50, max: 95, step: 5 },
      max_re_entries: [0, 1, 2, 3],
      max_trades_per_day: [1, 2, 3, 4, 5],
    }),
  );
  const off = { PIVOT_CANDLE_CACHE: "off" };
  const backtestArgs = ["backtest", "--data", dir, "--json"];
  const backtest = median(Array.from({ length: RUNS }, () => timed(backtestArgs, off)));
  const optimize = timed(["optimize", "--data", dir, "--space", space, "--json"], off, (stdout) => {
    const evaluated = JSON.parse(stdout).evaluated;
    if (evaluated !== SETTINGS) throw new Error(`optimize evaluated ${evaluated} sets, not ${SETTINGS}`);
  });
  const ratio = optimize / backtest;
  log(
    `lab: one backtest ${backtest.toFixed(3)} s, optimize of ${SETTINGS} settings ${optimize.toFixed(3)} s (${ratio.toFixed(2)} backtests)`,
  );

  const round = (x: number, d = 100) => Math.round(x * d) / d;
  const sample = cacheSpeedup(dir);
  // The archive's shape: ATM ± 1,000 recorded each day (archive.strike_range), the backtest
  // trading its ATM ± 500.
  const archive = cacheSpeedup(benchmarkMarket(DAYS, 1, ARCHIVE_STRIKE_RANGE));
  log(
    `candle cache: sample market first run ${sample.cold.toFixed(3)} s, second ${sample.warm.toFixed(3)} s; ` +
      `archive-shaped (ATM ± ${ARCHIVE_STRIKE_RANGE}) first ${archive.cold.toFixed(3)} s, second ${archive.warm.toFixed(3)} s`,
  );
  return [
    { name: `optimize of ${SETTINGS} settings, wall time`, value: round(optimize, 1000), unit: "s" },
    {
      name: `optimize of ${SETTINGS} settings / one backtest`,
      value: round(ratio),
      unit: "x",
      target: "<= 10",
      met: ratio <= 10,
    },
    {
      name: "backtest of the sample market, first run / second (candle cache)",
      value: round(sample.cold / sample.warm),
      unit: "x",
    },
    {
      name: `backtest of a ${DAYS}-day archive (ATM ± ${ARCHIVE_STRIKE_RANGE}), second run (cache)`,
      value: round(archive.warm, 1000),
      unit: "s",
    },
    {
      name: `backtest of a ${DAYS}-day archive (ATM ± ${ARCHIVE_STRIKE_RANGE}), first run / second`,
      value: round(archive.cold / archive.warm),
      unit: "x",
      target: ">= 3",
      met: archive.cold / archive.warm >= 3,
    },
    // Both ratios compare runs of different parallelism: other processes on the machine skew them.
    {
      name: "  machine load average during the lab runs",
      value: round(Math.max(loadBefore, loadavg()[0] ?? 0)),
      unit: `of ${cpus().length} cores`,
    },
  ];
}

/**
 * Median wall seconds of a `pivot backtest` that parses (and writes the candle cache and the
 * day setups) and of the next (reads them).
 */
function cacheSpeedup(dir: string): { cold: number; warm: number } {
  // Both files kept beside the data: the first run of each pair finds neither.
  const forget = () => {
    for (const file of [CACHE_FILE, DAY_SETUPS_FILE]) rmSync(join(dir, file), { force: true });
  };
  const args = ["backtest", "--data", dir, "--json"];
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    forget();
    cold.push(timed(args, {}));
    warm.push(timed(args, {}));
  }
  forget();
  return { cold: median(cold), warm: median(warm) };
}

/** Wall seconds of one `pivot` run (fails loudly when the command does). */
function timed(args: string[], env: Record<string, string>, check?: (stdout: string) => void): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    maxBuffer: 512 * 1024 * 1024,
    encoding: "utf8",
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`pivot ${args[0]} failed: ${r.stderr}`);
  check?.(r.stdout);
  return seconds;
}
