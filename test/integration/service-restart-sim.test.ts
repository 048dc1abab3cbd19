/**
 * Restarts of the trading service in the middle of 2025-09-05 (LIVE mode against the simulator,
 * see service-harness.ts): the new service finds the day's universe, replays the candles it
 * recorded and Kite's candles of the downtime, and carries on with the same trades as the
 * backtest; a decision already acted on is never acted on again.
 * The day: SENSEX2591180300PE entered 10:15, stopped out 11:33; SENSEX2591180800PE entered 12:03,
 * stopped out 12:06.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { backtestTrades, DATE, dataCandles, ServiceDay, strategyKey, tagBody } from "./service-harness.js";

const root = mkdtempSync(join(tmpdir(), "pivot-service-restart-"));
after(() => rmSync(root, { recursive: true, force: true }));

const backtest = backtestTrades(1);
const [T1, T2] = backtest;
assert.ok(T1 && T2, "the day has its two trades");

async function withDay(name: string, body: (day: ServiceDay) => Promise<void>): Promise<void> {
  const day = await ServiceDay.start({ root, name });
  try {
    await body(day);
  } catch (e) {
    console.log(day.notes.join("\n"));
    throw e;
  } finally {
    await day.stop();
  }
}

function assertDayLikeBacktest(day: ServiceDay): void {
  assert.deepEqual(day.store.trades.byDate(DATE).map(strategyKey as never), backtest.map(strategyKey));
  const tags = day.simOrders().map((o) => String(o.tag));
  assert.equal(new Set(tags).size, tags.length, `one order per tag: ${tags.join()}`);
  for (const t of backtest) {
    assert.equal(tags.filter((x) => x === `E${tagBody(t.trade_id)}`).length, 1, `one entry of ${t.trade_id}`);
  }
  assert.deepEqual(day.store.positions.open(), [], "nothing open in the database");
  day.assertInvariants();
}

test("restart with a position open (10:30 → 10:45) → the day resumes holding it, stop still resting, same trades", async () => {
  await withDay("holding", async (day) => {
    await day.runTo("10:30");
    await day.restart("10:45");
    const stops = day.simOrders().filter((o) => String(o.tag).startsWith(`S${tagBody(T1.trade_id)}`));
    assert.equal(stops.length, 1, "the resting stop is the one placed before the restart");
    assert.equal(stops[0]?.status, "TRIGGER PENDING");
    assert.equal(
      day.service.day?.strategyDay?.openPosition?.trade_id,
      T1.trade_id,
      "the strategy holds T1 again",
    );
    assert.ok(day.notes.some((n) => /resumed the day after \d+ candle/.test(n)));
    await day.runTo("end");
    assertDayLikeBacktest(day);
  });
});

test("restart while down over the exit (11:20 → 11:40) → the missed stop-loss exit is carried out at once", async () => {
  await withDay("missed-exit", async (day) => {
    await day.runTo("11:20");
    await day.restart("11:40");
    // The replay found T1's exit at 11:33: recorded with the strategy's figures and sold now.
    const t1 = day.store.trades.byId(T1.trade_id);
    assert.equal(t1?.status, "CLOSED");
    await day.runTo("end");
    assertDayLikeBacktest(day);
    // The downtime's candles were filled in from Kite's history: the record has the whole day.
    const stored = day.store.candles.day(DATE).get(T1.symbol) ?? [];
    const data = dataCandles(T1.symbol);
    assert.deepEqual(
      stored.map((c) => [c.start, c.open, c.high, c.low, c.close]),
      data.map((c) => [c.start, c.open, c.high, c.low, c.close]),
    );
  });
});

test("restart while flat after a trade (12:30 → 12:40) → no trade repeated, the day's counters kept", async () => {
  await withDay("flat", async (day) => {
    await day.runTo("12:30");
    await day.restart("12:40");
    assert.equal(day.service.day?.strategyDay?.risk.tradesToday, 2, "two trades so far, as before");
    assert.equal(day.service.day?.strategyDay?.risk.stopLossesToday, 2);
    await day.runTo("end");
    assertDayLikeBacktest(day);
  });
});

test("down over a whole entry and exit (12:00 → 12:10) → that trade is not taken late, and is reported", async () => {
  await withDay("missed-trade", async (day) => {
    await day.runTo("12:00");
    await day.restart("12:10");
    await day.runTo("end");
    assert.deepEqual(
      day.store.trades.byDate(DATE).map((t) => t.trade_id),
      [T1.trade_id],
      "only the trade the service was up for",
    );
    assert.ok(day.notes.some((n) => n.includes(T2.trade_id) && /while the service was down/.test(n)));
    assert.equal(
      day.simOrders().filter((o) => String(o.tag).includes(tagBody(T2.trade_id))).length,
      0,
      "nothing of T2 at the broker",
    );
    day.assertInvariants();
  });
});

test("a whole day → the trader is told: pre-market, each entry and exit, the daily summary (and no error)", async () => {
  await withDay("notifications", async (day) => {
    await day.runTo("end");
    const kinds = day.notifications.map((n) => n.kind);
    assert.deepEqual(
      kinds.filter((k) => k !== "weekly_summary" && k !== "monthly_summary"),
      ["pre_market", "entry", "exit", "entry", "exit", "daily_summary"],
    );
    const [entry, exit] = day.notifications.filter((n) => n.kind === "entry" || n.kind === "exit");
    assert.ok(entry?.kind === "entry" && exit?.kind === "exit");
    assert.equal(entry.tradeId, T1.trade_id);
    assert.equal(entry.entry, T1.entry_price, "the model's price beside the fill");
    const stored = day.store.trades.byId(T1.trade_id);
    assert.ok(stored?.entry_fill_price, "the entry filled");
    assert.deepEqual(entry.fill, { quantity: stored.filled_quantity, price: stored.entry_fill_price });
    assert.equal(exit.reason, "STOP_LOSS");
    assert.equal(exit.pnlRupees, T1.pnl_rupees);
    const summary = day.notifications.find((n) => n.kind === "daily_summary");
    assert.ok(summary?.kind === "daily_summary");
    assert.equal(summary.figures.total_trades, 2);
    const pre = day.notifications.find((n) => n.kind === "pre_market");
    assert.ok(pre?.kind === "pre_market");
    assert.equal(pre.universe.length, 20);
    // 2025-09-05 is a Friday: the week's summary follows the day's.
    assert.ok(kinds.includes("weekly_summary"));
  });
});
