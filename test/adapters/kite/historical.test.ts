import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import {
  fetchHistoricalCandles,
  historicalChunks,
  intervalOfMinutes,
  MAX_DAYS_PER_REQUEST,
} from "../../../src/adapters/kite/historical.js";
import { type KiteInterval, KiteRest } from "../../../src/adapters/kite/kite-rest.js";
import { RateLimiter } from "../../../src/adapters/kite/rate-limiter.js";
import { addDays, dayNumber, istEpochMs } from "../../../src/domain/ist.js";
import { ManualClock } from "../../../src/ports/clock.js";
import { FakeKite, kiteData, kiteError } from "./fake-kite.js";

/** Days covered by a chunk, both ends included. */
const span = (c: { from: string; to: string }) =>
  dayNumber(c.to.slice(0, 10)) - dayNumber(c.from.slice(0, 10)) + 1;

test("historicalChunks for each interval → no chunk longer than Kite's limit, the range covered without gaps", () => {
  for (const interval of Object.keys(MAX_DAYS_PER_REQUEST) as KiteInterval[]) {
    const limit = MAX_DAYS_PER_REQUEST[interval];
    const from = "2020-01-01";
    const to = addDays(from, limit * 2 + 6); // two full chunks and a bit
    const chunks = historicalChunks(interval, from, to);
    assert.equal(chunks.length, 3, interval);
    assert.deepEqual(chunks.map(span), [limit, limit, 7], interval);
    assert.equal(chunks[0]?.from, `${from} 00:00:00`);
    assert.equal(chunks.at(-1)?.to, `${to} 23:59:59`);
    for (let i = 1; i < chunks.length; i++) {
      assert.equal(
        chunks[i]?.from.slice(0, 10),
        addDays((chunks[i - 1] as { to: string }).to.slice(0, 10), 1),
      );
    }
  }
});

test("historicalChunks at the limit → one request; one day more → two", () => {
  assert.equal(historicalChunks("minute", "2025-01-01", addDays("2025-01-01", 59)).length, 1);
  assert.equal(historicalChunks("minute", "2025-01-01", addDays("2025-01-01", 60)).length, 2);
  assert.deepEqual(historicalChunks("3minute", "2025-09-04", "2025-09-04"), [
    { from: "2025-09-04 00:00:00", to: "2025-09-04 23:59:59" },
  ]);
});

test("intervalOfMinutes → Kite's interval names, null for others", () => {
  assert.equal(intervalOfMinutes(1), "minute");
  assert.equal(intervalOfMinutes(3), "3minute");
  assert.equal(intervalOfMinutes(60), "60minute");
  assert.equal(intervalOfMinutes(4), null);
});

let fake: FakeKite;
before(async () => {
  fake = await FakeKite.start();
});
after(() => fake.close());
beforeEach(() => fake.clearRequests());

/** The fake answers each request with two candles (09:15, 15:27 IST) on each day of its range. */
function candlesPerDay(): void {
  fake.route("GET /instruments/historical/:token/:interval", (req) => {
    const from = (req.query.get("from") ?? "").slice(0, 10);
    const to = (req.query.get("to") ?? "").slice(0, 10);
    const candles: unknown[] = [];
    for (let d = from; d <= to; d = addDays(d, 1)) {
      candles.push([`${d}T09:15:00+0530`, 100, 110, 95, 105, 1000]);
      candles.push([`${d}T15:27:00+0530`, 105, 106, 101, 102, 500]);
    }
    return kiteData({ candles });
  });
}

function setup() {
  const clock = new ManualClock(istEpochMs("2025-09-04", 16 * 60));
  const sleep = async (ms: number) => clock.advance(ms);
  const kite = new KiteRest({
    apiKey: "k",
    apiRoot: fake.url,
    timeoutMs: 1000,
    limiter: new RateLimiter({ clock, sleep, safetyMarginMs: 0 }),
    sleep,
    accessToken: "t",
  });
  return { kite, clock };
}

test("fetchHistoricalCandles over 250 days of 3-minute candles → 3 requests, candles by IST day and minute", async () => {
  candlesPerDay();
  const { kite } = setup();
  const r = await fetchHistoricalCandles(kite, {
    instrumentToken: 219952901,
    interval: "3minute",
    from: "2025-01-01",
    to: addDays("2025-01-01", 249),
  });
  assert.equal(r.ok, true);
  if (!r.ok) return;
  assert.deepEqual(
    fake.requests.map((q) => `${q.query.get("from")} → ${q.query.get("to")}`),
    [
      "2025-01-01 00:00:00 → 2025-04-10 23:59:59",
      "2025-04-11 00:00:00 → 2025-07-19 23:59:59",
      "2025-07-20 00:00:00 → 2025-09-07 23:59:59",
    ],
  );
  assert.equal(fake.requests[0]?.path, "/instruments/historical/219952901/3minute");
  assert.equal(r.value.days.size, 250);
  assert.deepEqual(r.value.days.get("2025-03-04"), [
    { start: 555, open: 100, high: 110, low: 95, close: 105, volume: 1000 },
    { start: 927, open: 105, high: 106, low: 101, close: 102, volume: 500 },
  ]);
});

test("fetchHistoricalCandles with many chunks → kept to 3 requests a second by the limiter", async () => {
  candlesPerDay();
  const { kite, clock } = setup();
  const started = clock.now();
  const r = await fetchHistoricalCandles(kite, {
    instrumentToken: 1,
    interval: "minute",
    from: "2025-01-01",
    to: addDays("2025-01-01", 60 * 7 - 1), // 7 chunks
  });
  assert.equal(r.ok, true);
  assert.equal(fake.requests.length, 7);
  // 7 requests at 3 a second: the 7th cannot leave before 2 s.
  assert.ok(clock.now() - started >= 2000);
});

test("fetchHistoricalCandles with a failing chunk → the failure, no partial result", async () => {
  fake.route("GET /instruments/historical/:token/:interval", (_req, n) =>
    n === 1
      ? kiteData({ candles: [["2025-01-01T09:15:00+0530", 1, 1, 1, 1, 1]] })
      : kiteError(400, "InputException", "interval exceeds max limit"),
  );
  const { kite } = setup();
  const r = await fetchHistoricalCandles(kite, {
    instrumentToken: 1,
    interval: "minute",
    from: "2025-01-01",
    to: "2025-04-01",
  });
  assert.deepEqual(!r.ok && [r.error.kind, r.error.message], ["input", "interval exceeds max limit"]);
});

test("fetchHistoricalCandles with repeated and out-of-order rows → sorted, repeats dropped and counted", async () => {
  fake.route(
    "GET /instruments/historical/:token/:interval",
    kiteData({
      candles: [
        ["2025-09-04T09:18:00+0530", 2, 2, 2, 2, 2],
        ["2025-09-04T09:15:00+0530", 1, 1, 1, 1, 1],
        ["2025-09-04T09:18:00+0530", 3, 3, 3, 3, 3],
      ],
    }),
  );
  const { kite } = setup();
  const r = await fetchHistoricalCandles(kite, {
    instrumentToken: 1,
    interval: "3minute",
    from: "2025-09-04",
    to: "2025-09-04",
  });
  assert.equal(r.ok, true);
  if (!r.ok) return;
  assert.deepEqual(
    r.value.days.get("2025-09-04")?.map((c) => [c.start, c.open]),
    [
      [555, 1],
      [558, 2],
    ],
  );
  assert.equal(r.value.skipped, 1);
});
