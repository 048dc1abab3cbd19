import assert from "node:assert/strict";
import { test } from "node:test";
import type { Tick } from "../../src/adapters/kite/ticker-protocol.js";
import type { SessionTimes } from "../../src/domain/calendar.js";
import type { Candle } from "../../src/domain/candle.js";
import { type IsoDate, istEpochMs, parseHhmm } from "../../src/domain/ist.js";
import { CandleBuilder, tickTimeMs } from "../../src/engine/candle-builder.js";

const SESSION: SessionTimes = {
  start: parseHhmm("09:15"),
  end: parseHhmm("15:30"),
  eodExit: parseHhmm("15:15"),
};
const DAY = "2025-09-04";
const CE = 219964165;
const PE = 219964421;
const INDEX = 265;

/** Epoch ms of `HH:MM:SS.mmm` IST on DAY (or another date). */
function at(time: string, date: IsoDate = DAY): number {
  const [hhmm, secs = "0"] = [time.slice(0, 5), time.slice(6)];
  return istEpochMs(date, parseHhmm(hhmm)) + Math.round(Number(secs) * 1000);
}

interface Emitted {
  token: number;
  date: IsoDate;
  candle: Candle;
}

function builder(intervalMinutes = 3): { b: CandleBuilder; out: Emitted[] } {
  const out: Emitted[] = [];
  const b = new CandleBuilder({
    intervalMinutes,
    session: SESSION,
    onCandle: (token, date, candle) => out.push({ token, date, candle }),
  });
  return { b, out };
}

const candle = (start: string, open: number, high: number, low: number, close: number): Candle => ({
  start: parseHhmm(start),
  open,
  high,
  low,
  close,
  volume: 0,
});

test("CandleBuilder given a hand-made tick sequence → exact OHLC (first, max, min, last)", () => {
  const { b, out } = builder();
  b.onTick(CE, 100.5, at("09:15:00.000"));
  b.onTick(CE, 103.25, at("09:15:40"));
  b.onTick(CE, 98.1, at("09:16:10"));
  b.onTick(CE, 101, at("09:17:30"));
  b.onTick(CE, 99.95, at("09:17:59.5"));
  assert.deepEqual(out, [], "nothing closes before a later interval or closeDue");
  b.onTick(CE, 102, at("09:18:01"));
  assert.deepEqual(out, [{ token: CE, date: DAY, candle: candle("09:15", 100.5, 103.25, 98.1, 99.95) }]);
});

test("CandleBuilder tick at 09:17:59.999 vs 09:18:00.000 → first belongs to 09:15, second opens 09:18", () => {
  const { b, out } = builder();
  b.onTick(CE, 10, at("09:15:30"));
  b.onTick(CE, 11, at("09:17:59.999"));
  b.onTick(CE, 12, at("09:18:00.000"));
  b.onTick(CE, 13, at("09:20:59.999"));
  b.onTick(CE, 14, at("09:21:00.000"));
  assert.deepEqual(
    out.map((e) => e.candle),
    [candle("09:15", 10, 11, 10, 11), candle("09:18", 12, 13, 12, 13)],
  );
  assert.deepEqual(b.forming(CE), { date: DAY, candle: candle("09:21", 14, 14, 14, 14) });
});

test("CandleBuilder with an interval without ticks → no candle for the gap, the next one aligned to 09:15", () => {
  const { b, out } = builder();
  b.onTick(CE, 10, at("09:16:00"));
  b.onTick(CE, 20, at("09:25:00")); // 09:18 and 09:21 had no trade; 09:24 is the next candle
  b.closeDue(at("09:27:00"));
  assert.deepEqual(
    out.map((e) => e.candle),
    [candle("09:15", 10, 10, 10, 10), candle("09:24", 20, 20, 20, 20)],
  );
});

test("CandleBuilder closeDue at the close time → emits on time exactly once, not before, not again on the next tick", () => {
  const { b, out } = builder();
  b.onTick(CE, 50, at("09:15:05"));
  b.onTick(CE, 55, at("09:16:05"));
  assert.equal(b.nextCloseAtMs(), at("09:18:00"));
  assert.equal(b.closeDue(at("09:17:59.999")), 0);
  assert.equal(out.length, 0);
  assert.equal(b.closeDue(at("09:18:00")), 1);
  assert.deepEqual(out, [{ token: CE, date: DAY, candle: candle("09:15", 50, 55, 50, 55) }]);
  assert.equal(b.closeDue(at("09:18:30")), 0, "a second closeDue emits nothing");
  b.onTick(CE, 60, at("09:18:10"));
  assert.equal(out.length, 1, "the next interval's tick does not emit the closed candle again");
  assert.equal(b.nextCloseAtMs(), at("09:21:00"));
  b.onTick(CE, 61, at("09:21:10"));
  assert.equal(b.closeDue(at("09:21:00")), 0, "already emitted by the tick path");
  assert.deepEqual(
    out.map((e) => e.candle),
    [candle("09:15", 50, 55, 50, 55), candle("09:18", 60, 60, 60, 60)],
  );
  assert.equal(b.stats.candles, 2);
});

test("CandleBuilder tick for an interval already closed → counted as late, history unchanged", () => {
  const { b, out } = builder();
  b.onTick(CE, 50, at("09:15:05"));
  b.closeDue(at("09:18:00.500"));
  b.onTick(CE, 999, at("09:17:59")); // stamped before the close, arrived after closeDue
  b.onTick(CE, 60, at("09:18:30"));
  b.onTick(CE, 1, at("09:16:00")); // older than the open 09:18 candle
  b.onTick(CE, 61, at("09:21:00"));
  assert.equal(b.stats.late, 2);
  assert.deepEqual(
    out.map((e) => e.candle),
    [candle("09:15", 50, 50, 50, 50), candle("09:18", 60, 60, 60, 60)],
  );
});

test("CandleBuilder ticks before 09:15 or from 15:30 → ignored; the last candle 15:27 closes at 15:30", () => {
  const { b, out } = builder();
  b.onTick(CE, 1, at("09:00:00"));
  b.onTick(CE, 2, at("09:14:59.999"));
  b.onTick(CE, 70, at("15:27:10"));
  b.onTick(CE, 71, at("15:29:59.999"));
  b.onTick(CE, 3, at("15:30:00"));
  b.onTick(CE, 4, at("15:45:00"));
  assert.equal(b.stats.ignoredOutsideSession, 4);
  assert.equal(b.closeDue(at("15:30:00")), 1);
  assert.deepEqual(out, [{ token: CE, date: DAY, candle: candle("15:27", 70, 71, 70, 71) }]);
});

test("CandleBuilder with a session not a multiple of the interval → the last candle closes at the session end", () => {
  const { b, out } = builder(10);
  b.onTick(CE, 5, at("15:26:00")); // candle 15:25, would end 15:35
  assert.equal(b.nextCloseAtMs(), at("15:30:00"));
  assert.equal(b.closeDue(at("15:30:00")), 1);
  assert.deepEqual(
    out.map((e) => e.candle.start),
    [parseHhmm("15:25")],
  );
});

test("CandleBuilder with instruments interleaved → each its own candles, closeDue closes all due", () => {
  const { b, out } = builder();
  b.onTick(CE, 100, at("09:15:01"));
  b.onTick(PE, 200, at("09:15:02"));
  b.onTick(INDEX, 80000, at("09:15:03"));
  b.onTick(CE, 105, at("09:16:00"));
  b.onTick(PE, 190, at("09:16:30"));
  b.onTick(CE, 95, at("09:17:00"));
  b.onTick(PE, 210, at("09:18:05")); // closes PE's 09:15 only
  assert.deepEqual(out, [{ token: PE, date: DAY, candle: candle("09:15", 200, 200, 190, 190) }]);
  assert.equal(b.closeDue(at("09:18:00")), 2);
  const byToken = new Map(out.map((e) => [`${e.token}@${e.candle.start}`, e.candle]));
  assert.deepEqual(byToken.get(`${CE}@555`), candle("09:15", 100, 105, 95, 95));
  assert.deepEqual(byToken.get(`${INDEX}@555`), candle("09:15", 80000, 80000, 80000, 80000));
  assert.equal(out.length, 3);
  assert.deepEqual(b.forming(PE)?.candle, candle("09:18", 210, 210, 210, 210));
  assert.equal(b.forming(CE), null);
});

test("CandleBuilder across two days → candles named by their own date, the new day not late", () => {
  const { b, out } = builder();
  b.onTick(CE, 10, at("15:29:00"));
  b.onTick(CE, 20, at("09:15:00", "2025-09-05"));
  b.closeDue(at("09:18:00", "2025-09-05"));
  assert.deepEqual(
    out.map((e) => [e.date, e.candle.start, e.candle.open]),
    [
      [DAY, parseHhmm("15:27"), 10],
      ["2025-09-05", parseHhmm("09:15"), 20],
    ],
  );
  assert.equal(b.stats.late, 0);
});

test("CandleBuilder with a zero or non-finite price → ignored as invalid, the candle untouched", () => {
  const { b, out } = builder();
  b.onTick(CE, 0, at("09:15:00"));
  b.onTick(CE, 40, at("09:15:01"));
  b.onTick(CE, Number.NaN, at("09:15:02"));
  b.onTick(CE, 0, at("09:15:03"));
  b.closeDue(at("09:18:00"));
  assert.equal(b.stats.invalid, 3);
  assert.deepEqual(
    out.map((e) => e.candle),
    [candle("09:15", 40, 40, 40, 40)],
  );
});

test("tickTimeMs → the last trade time, else the exchange timestamp, else the receive time", () => {
  const base: Tick = { mode: "ltp", tradable: true, instrument_token: CE, last_price: 1 };
  const received = at("09:18:00.400");
  assert.equal(
    tickTimeMs({ ...base, mode: "full", timestamp: at("09:17:59") / 1000 }, received),
    at("09:17:59"),
  );
  assert.equal(tickTimeMs(base, received), received);
  assert.equal(tickTimeMs({ ...base, timestamp: 0 }, received), received);
  // A full option tick counts at its last trade: a depth-only update repeats an old trade time.
  assert.equal(
    tickTimeMs(
      { ...base, mode: "full", last_trade_time: at("09:16:30") / 1000, timestamp: at("09:18:05") / 1000 },
      received,
    ),
    at("09:16:30"),
  );

  const { b, out } = builder();
  b.onMarketTick({ ...base, last_price: 7, mode: "full", timestamp: at("09:17:59") / 1000 }, received);
  b.closeDue(at("09:18:01"));
  assert.deepEqual(
    out.map((e) => e.candle.start),
    [parseHhmm("09:15")],
  );
});
