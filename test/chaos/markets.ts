/**
 * The days a chaos case trades, and the parts of each that are played: windows around the
 * day's trades and the end of the day (the 15:15 exit, flat by 15:30). Between windows the
 * market jumps (its ticks are played at once), which keeps a case to a few seconds.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeSignalMarket } from "../../bench/signal-market.js";
import type { IsoDate } from "../../src/domain/ist.js";
import { istEpochMs, parseHhmm } from "../../src/domain/ist.js";
import { REAL_CANDLES_DIR } from "../support/paths.js";
import type { MarketName } from "./schedule.js";

export interface ChaosMarket {
  dataDir: string;
  date: IsoDate;
  /** Market time the simulator starts at (the service prepares the day before the first window). */
  startTime: string;
  /** Played windows, `HH:MM` IST, in order. */
  windows: Array<[string, string]>;
  /** Trades a day the configuration allows (the signal market would trade all day). */
  maxTrades: number;
  /**
   * A process case replays in real time (at speed): one trade and the end of the day only,
   * from its own start time.
   */
  process: { startTime: string; windows: Array<[string, string]> };
}

/** Epoch ms of `HH:MM[:SS]` on `date`. */
export function marketMs(date: IsoDate, time: string): number {
  return istEpochMs(date, parseHhmm(time.slice(0, 5))) + Number(time.slice(6) || 0) * 1000;
}

let signalDir: { dir: string; days: IsoDate[] } | null = null;

/** The signal market (bench/signal-market.ts), written once into the temp folder and reused. */
function signalMarket(): { dir: string; days: IsoDate[] } {
  if (signalDir) return signalDir;
  const dir = join(tmpdir(), "pivot-chaos-signal-market-v1");
  const marker = join(dir, ".days");
  if (existsSync(marker)) {
    signalDir = { dir, days: JSON.parse(readFileSync(marker, "utf8")) as IsoDate[] };
    return signalDir;
  }
  const written = writeSignalMarket(dir, 2);
  writeFileSync(marker, JSON.stringify(written.benchDays));
  signalDir = { dir, days: written.benchDays };
  return signalDir;
}

/**
 * The real 2025-09-05: SENSEX2591180300PE entered 10:15 and stopped out 11:33,
 * SENSEX2591180800PE entered 12:03 and stopped out 12:06 (the backtest's trades). A signal
 * day: an entry at a candle close every 6 minutes, its target the next candle (3 trades).
 */
export function chaosMarket(name: MarketName): ChaosMarket {
  if (name === "real-2025-09-05")
    return {
      dataDir: REAL_CANDLES_DIR,
      date: "2025-09-05",
      startTime: "10:04",
      windows: [
        ["10:08", "10:22"],
        ["11:29", "11:37"],
        ["11:58", "12:10"],
        ["15:10", "15:30"],
      ],
      maxTrades: 3,
      process: {
        startTime: "11:54",
        windows: [
          ["12:00", "12:08"],
          ["15:13", "15:17"],
        ],
      },
    };
  const { dir, days } = signalMarket();
  return {
    dataDir: dir,
    date: days[name === "signal-1" ? 0 : 1] as IsoDate,
    startTime: "09:05",
    windows: [
      ["09:14", "09:42"],
      ["15:10", "15:30"],
    ],
    maxTrades: 3,
    process: {
      startTime: "09:08",
      windows: [
        ["09:17", "09:27"],
        ["15:13", "15:17"],
      ],
    },
  };
}

/** The market time of a schedule position (0 to 1 of the played time of `windows`). */
export function timeOfPosition(
  m: ChaosMarket,
  position: number,
  windows: ReadonlyArray<[string, string]> = m.windows,
): number {
  const spans = windows.map(([a, b]) => [marketMs(m.date, a), marketMs(m.date, b)] as const);
  let left = Math.floor(position * spans.reduce((n, [a, b]) => n + b - a, 0));
  for (const [from, to] of spans) {
    if (left < to - from) return from + left;
    left -= to - from;
  }
  return (spans[spans.length - 1] as readonly [number, number])[1];
}
