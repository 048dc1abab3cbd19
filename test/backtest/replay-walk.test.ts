import assert from "node:assert/strict";
import { test } from "node:test";
import { runBacktest } from "../../src/backtest/run-backtest.js";
import { defaultConfig } from "../../src/config/load.js";
import { TradingCalendar } from "../../src/domain/calendar.js";
import { CandleSeries } from "../../src/domain/candle-series.js";

const BULL = "SENSEX2591180500CE";
const BEAR = "SENSEX2591180500PE";
const candle = (start: number, open: number, high: number, low: number, close: number) => ({
  start,
  open,
  high,
  low,
  close,
  volume: 1,
});

test("a day whose non-bullish contract has candles at closes the bullish one has none → every candle counted, those closes too", () => {
  const data = {
    byDay: new Map([
      [
        "2025-09-03",
        new Map([
          // Previous day: H 120, L 80, C 110 → BULLISH; C 85 → BEARISH.
          [BULL, CandleSeries.of([candle(555, 100, 120, 80, 110)])],
          [BEAR, CandleSeries.of([candle(555, 100, 120, 80, 85)])],
        ]),
      ],
      [
        "2025-09-04",
        new Map([
          [BULL, CandleSeries.of([candle(555, 100, 101, 99, 100), candle(558, 100, 101, 99, 100)])],
          [BEAR, CandleSeries.of([candle(561, 90, 91, 89, 90), candle(570, 90, 91, 89, 90)])],
        ]),
      ],
    ]),
    files: 4,
    candles: 6,
  };
  const result = runBacktest({
    config: defaultConfig(),
    data,
    calendar: new TradingCalendar(),
    warn: () => {},
  });
  const day = result.days.find((d) => d.date === "2025-09-04");
  assert.equal(day?.bullish_contracts, 1);
  assert.equal(day?.candles, 4);
  assert.equal(day?.closes, 4);
});
