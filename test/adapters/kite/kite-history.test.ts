import assert from "node:assert/strict";
import { test } from "node:test";
import { KiteHistory } from "../../../src/adapters/kite/kite-history.js";
import type { KiteHistoricalCandle } from "../../../src/adapters/kite/kite-payloads.js";
import { istEpochMs } from "../../../src/domain/ist.js";
import { ManualClock } from "../../../src/ports/clock.js";

const DAY = "2025-09-04";

function history(rows: KiteHistoricalCandle[], ltps: Record<string, { last_price: number }> = {}) {
  const asked: Array<[number, string, string, string]> = [];
  const h = new KiteHistory({
    kite: {
      hasAccessToken: () => true,
      historical: async (token, interval, from, to) => {
        asked.push([token, interval, from, to]);
        return { ok: true, value: rows };
      },
      ltp: async () => ({ ok: true, value: ltps as never }),
      instruments: async () => ({ ok: false, error: { kind: "network", message: "offline" } }),
    },
    cacheDir: "/nonexistent",
    clock: new ManualClock(istEpochMs(DAY, 8 * 60)),
  });
  return { h, asked };
}

test("KiteHistory candles of 3 minutes over a day → Kite's 3minute interval asked, candles by IST day", async () => {
  const row = (minute: number, open: number): KiteHistoricalCandle => ({
    time: istEpochMs(DAY, minute),
    open,
    high: open + 2,
    low: open - 1,
    close: open + 1,
    volume: 10,
  });
  const { h, asked } = history([row(555, 100), row(558, 101)]);
  const got = await h.candles({ instrumentToken: 42, intervalMinutes: 3, from: DAY, to: DAY });
  assert.ok(got.ok);
  assert.deepEqual(asked, [[42, "3minute", `${DAY} 00:00:00`, `${DAY} 23:59:59`]]);
  assert.deepEqual(
    got.value.days.get(DAY)?.map((c) => [c.start, c.open]),
    [
      [555, 100],
      [558, 101],
    ],
  );
});

test("KiteHistory candles of a length Kite has none of → an input failure, Kite not asked", async () => {
  const { h, asked } = history([]);
  const got = await h.candles({ instrumentToken: 42, intervalMinutes: 7, from: DAY, to: DAY });
  assert.equal(got.ok, false);
  assert.equal(got.ok ? null : got.error.kind, "input");
  assert.equal(asked.length, 0);
});

test("KiteHistory lastPrice → Kite's LTP of exchange:symbol; null when Kite lists none", async () => {
  const { h } = history([], { "BSE:SENSEX": { last_price: 81234.5 } });
  assert.deepEqual(await h.lastPrice("BSE", "SENSEX"), { ok: true, value: 81234.5 });
  assert.deepEqual(await h.lastPrice("NSE", "NIFTY 50"), { ok: true, value: null });
});

test("KiteHistory instrumentMaster with no cache and the download failing → a failure with the reason", async () => {
  const { h } = history([]);
  const got = await h.instrumentMaster(["BFO", "BSE"], () => {});
  assert.equal(got.ok, false);
  assert.match(got.ok ? "" : got.message, /offline/);
});
