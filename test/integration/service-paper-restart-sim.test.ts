/**
 * Paper mode restarted in the middle of a position (2025-09-05 on the simulator's ticks, see
 * service-harness.ts): the paper broker's book lives in the paper database, so the new service
 * finds the position, its resting stop and its P&L, and carries on with the backtest's trades.
 * Before, the new process had an empty in-memory book and closed the position as MANUAL.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { PaperBroker } from "../../src/adapters/paper/paper-broker.js";
import { backtestTrades, DATE, ServiceDay, strategyKey, tagBody } from "./service-harness.js";

const root = mkdtempSync(join(tmpdir(), "pivot-paper-restart-"));
after(() => rmSync(root, { recursive: true, force: true }));

const backtest = backtestTrades(1);
const [T1] = backtest;
assert.ok(T1, "the day's first trade");

async function bookOf(paper: PaperBroker | null) {
  assert.ok(paper, "paper mode");
  const orders = await paper.orders();
  const positions = await paper.positions();
  assert.ok(orders.ok && positions.ok);
  return { orders: orders.value, positions: positions.value };
}

test("PAPER mode restarted with a position open (10:30 → 10:45) → position, resting stop and P&L kept, no MANUAL close, same trades", async () => {
  const day = await ServiceDay.start({ root, name: "paper-holding", paper: true });
  try {
    await day.runTo("10:30");
    const before = await bookOf(day.paper);
    const stopTag = `S${tagBody(T1.trade_id)}a`;
    const stopBefore = before.orders.find((o) => o.tag === stopTag);
    assert.equal(stopBefore?.status, "TRIGGER PENDING", "the stop rests before the restart");
    const held = before.positions.find((p) => p.tradingsymbol === T1.symbol);
    assert.equal(held?.quantity, T1.quantity);

    await day.restart("10:45");
    const after = await bookOf(day.paper);
    assert.deepEqual(
      after.orders.map((o) => [o.orderId, o.tag, o.status, o.filledQuantity, o.averagePrice]),
      before.orders.map((o) => [o.orderId, o.tag, o.status, o.filledQuantity, o.averagePrice]),
      "the same orders, the stop still resting",
    );
    const resumed = after.positions.find((p) => p.tradingsymbol === T1.symbol);
    assert.equal(resumed?.quantity, T1.quantity, "the position is still held");
    assert.equal(resumed?.averagePrice, held?.averagePrice);
    // Its P&L: marked to the market's price after the restart from the same average price.
    assert.equal(
      resumed?.pnl,
      Math.round(T1.quantity * ((resumed?.lastPrice ?? 0) - (held?.averagePrice ?? 0)) * 100) / 100,
    );
    assert.equal(day.service.day?.strategyDay?.openPosition?.trade_id, T1.trade_id, "the strategy holds T1");
    assert.equal(day.store.trades.byDate(DATE).find((t) => t.trade_id === T1.trade_id)?.status, "OPEN");

    await day.runTo("end");
    const trades = day.store.trades.byDate(DATE);
    assert.deepEqual(trades.map(strategyKey as never), backtest.map(strategyKey));
    assert.deepEqual(
      trades.filter((t) => t.status === "CLOSED" && t.exit_reason === "MANUAL"),
      [],
      "no MANUAL close",
    );
    assert.ok(
      day.notes.some((n) => /reconciled: 1 trade\(s\) resumed, 0 closed by hand/.test(n)),
      "the restart resumed the trade, closed nothing by hand",
    );
    const end = await bookOf(day.paper);
    assert.deepEqual(
      end.positions.filter((p) => p.quantity !== 0),
      [],
      "flat at the paper broker",
    );
    const tags = end.orders.map((o) => o.tag);
    assert.equal(new Set(tags).size, tags.length, "one order per tag across the restart");
    assert.deepEqual(day.simOrders(), [], "paper mode sends nothing to Kite");
  } catch (e) {
    console.log(day.notes.join("\n"));
    throw e;
  } finally {
    await day.stop();
  }
});
