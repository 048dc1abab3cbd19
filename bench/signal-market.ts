import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TradingCalendar } from "../src/domain/calendar.js";
import type { Candle } from "../src/domain/candle.js";
import { formatHhmm, type IsoDate } from "../src/domain/ist.js";
import { formatWeeklySymbol } from "../src/domain/symbols.js";

/*
 * A market made to give the entry-latency benchmark many entries. The synthetic sample market
 * gives about one taken entry every two or three days (the strategy is selective), so 200
 * entries would take hundreds of simulated days. Here a few contracts repeat the strategy's
 * scenario 1 all day: each previous day closes near its high (BULLISH pivots), each bench day
 * opens in zone Z1, then alternates an entry candle (green, significant, closing above R1) and
 * a target candle (closing above R3): one entry every two candles, about 59 a day. The rest of
 * the 22 contracts and the index are quiet. Only the market is made up: every entry then goes
 * through the real ticker, candle builder, strategy, order manager, KiteBroker and KiteRest.
 */

const UNDERLYING = "SENSEX";
const SPOT = 80_000;
const STRIKES = [-500, -400, -300, -200, -100, 0, 100, 200, 300, 400, 500];
/** Contracts (strike offset, type, price scale) that carry the entry pattern on bench days. */
const PATTERN = [
  { offset: 0, type: "CE", scale: 2 },
  { offset: -200, type: "PE", scale: 1.5 },
  { offset: 300, type: "CE", scale: 1 },
] as const;
const CANDLES = 125; // 09:15 to 15:30 in 3-minute candles
const VOLUME = 2_000;

/** The market's days: bench days (replayed) and the previous day of each (their pivots). */
export interface SignalMarket {
  dir: string;
  benchDays: IsoDate[];
  /** Contracts a day (the universe: ATM ± 5 strikes, CE and PE). */
  contracts: number;
}

/**
 * Writes `benchDays` bench days (each after a previous day of its own) to `dir`, in the backtest
 * CSV format (one file per symbol and day). Deterministic.
 */
export function writeSignalMarket(dir: string, benchDays: number): SignalMarket {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const calendar = new TradingCalendar();
  // Pairs of trading days (previous, bench) from the first Monday of 2025, all before one expiry.
  const days: IsoDate[] = calendar.tradingDaysBetween("2025-01-06", "2025-03-31").slice(0, 2 * benchDays);
  const expiry = calendar
    .tradingDaysBetween("2025-01-06", "2025-03-31")
    .find(
      (d) => d > (days[days.length - 1] as IsoDate) && new Date(`${d}T00:00:00Z`).getUTCDay() === 4,
    ) as IsoDate;
  const bench: IsoDate[] = [];
  days.forEach((day, i) => {
    const isBench = i % 2 === 1;
    if (isBench) bench.push(day);
    writeCsv(dir, UNDERLYING, day, flatCandles(SPOT, 10));
    for (const offset of STRIKES) {
      for (const type of ["CE", "PE"] as const) {
        const symbol = formatWeeklySymbol(UNDERLYING, expiry, SPOT + offset, type);
        const pattern = PATTERN.find((p) => p.offset === offset && p.type === type);
        const scale = pattern?.scale ?? 1 + (offset + 500) / 1000;
        const candles = !isBench
          ? previousDay(scale)
          : pattern
            ? patternDay(scale)
            : flatCandles(100 * scale, 0.5 * scale);
        writeCsv(dir, symbol, day, candles);
      }
    }
  });
  return { dir, benchDays: bench, contracts: STRIKES.length * 2 };
}

/**
 * A previous day rising from 95 to close at 109 (× scale), low 90, high 110: pivots PP 103,
 * R1 116, S1 96, R3 136 (× scale), BULLISH; small bodies, so the significance window is low.
 */
function previousDay(scale: number): Candle[] {
  const out: Candle[] = [];
  let last = 95;
  for (let k = 0; k < CANDLES; k++) {
    const close = 95 + (14 * k) / (CANDLES - 1);
    let high = Math.max(last, close) + 0.2;
    let low = Math.min(last, close) - 0.2;
    if (k === 10) low = 90;
    if (k === CANDLES - 5) high = 110;
    out.push(scaled({ start: 0, open: last, high, low, close, volume: VOLUME }, scale, k));
    last = close;
  }
  return out;
}

/**
 * A bench day: opens at 100 (zone Z1), then odd candles enter (106 → 118, above R1, target R3
 * 136 above the close, a body far above the window's 75th percentile) and even candles reach
 * the target (136.5 → 137.5, above R3, never near the entry candle's low, the stop).
 */
function patternDay(scale: number): Candle[] {
  const out: Candle[] = [
    scaled({ start: 0, open: 100, high: 100.6, low: 99.6, close: 100.2, volume: VOLUME }, scale, 0),
  ];
  for (let k = 1; k < CANDLES; k++) {
    const c =
      k % 2 === 1
        ? { start: 0, open: 106, high: 118.4, low: 106, close: 118, volume: VOLUME }
        : { start: 0, open: 136.5, high: 137.6, low: 136.2, close: 137.5, volume: VOLUME };
    out.push(scaled(c, scale, k));
  }
  return out;
}

/** Quiet candles around `level`, inside ± `range`. */
function flatCandles(level: number, range: number): Candle[] {
  return Array.from({ length: CANDLES }, (_, k) => {
    const wave = Math.sin(k / 5) * range * 0.5;
    const open = level + wave;
    const close = level + Math.sin((k + 1) / 5) * range * 0.5;
    return {
      start: 9 * 60 + 15 + 3 * k,
      open,
      high: Math.max(open, close) + range * 0.2,
      low: Math.min(open, close) - range * 0.2,
      close,
      volume: VOLUME,
    };
  });
}

function scaled(c: Candle, scale: number, k: number): Candle {
  const r = (x: number) => Math.round(x * scale * 20) / 20; // the 0.05 tick grid
  return {
    start: 9 * 60 + 15 + 3 * k,
    open: r(c.open),
    high: r(c.high),
    low: r(c.low),
    close: r(c.close),
    volume: c.volume,
  };
}

function writeCsv(dir: string, symbol: string, day: IsoDate, candles: readonly Candle[]): void {
  const rows = candles.map(
    (c) =>
      `${day} ${formatHhmm(c.start)}:00+05:30,${c.open.toFixed(2)},${c.high.toFixed(2)},${c.low.toFixed(2)},${c.close.toFixed(2)},${c.volume}`,
  );
  writeFileSync(
    join(dir, `${symbol}_${day}.csv`),
    `timestamp,open,high,low,close,volume\n${rows.join("\n")}\n`,
  );
}
