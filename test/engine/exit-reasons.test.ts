import assert from "node:assert/strict";
import { test } from "node:test";
import { outsideExitReason } from "../../src/engine/outside-exit.js";
import { entered, SYM, TRADE, world } from "./order-manager-world.js";

/*
 * An exit in flight across a restart: the process that decided it dies before the sale fills,
 * the next one (same store, same broker) carries it out and reports the fill with the reason
 * decided before the restart, which the store kept (not MANUAL, the reason of an unknown exit).
 */

test("OrderManager emergency exit started, restarted before the sale fills → the fill reported as EMERGENCY, the sale kept at MARKET", async () => {
  const w = world({ exitOrder: "LIMIT", exitRepriceMs: 1_000 });
  await w.om.enter({ tradeId: TRADE, symbol: SYM, quantity: 20, stopLoss: 200 });
  w.prices.set(SYM, 300); // a stale price: both stops computed from it are refused (LTP 100)
  w.tick(100);
  w.prices.set(SYM, 300);
  await w.om.idle();
  assert.deepEqual(
    w.names("emergency_exit").map((e) => e.tradeId),
    [TRADE],
  );
  assert.equal(w.store.orders.byTag("X20250905001a")?.status, "OPEN", "the sale is out, unfilled");
  w.stop(); // the first process dies here

  const next = w.make();
  await next.om.reconcile();
  await next.om.idle();
  // Unfilled past the reprice delay: the new process reprices it as an emergency (MARKET), not a LIMIT.
  w.clock.advance(2_000);
  next.om.poll();
  await next.om.idle();
  assert.equal(w.store.orders.byTag("X20250905001a")?.type, "MARKET");
  w.tick(99);
  await next.om.idle();
  assert.equal(w.store.positions.byTradeId(TRADE)?.state, "CLOSED");
  const fills = next.names("exit_filled").map((e) => [e.quantity, e.reason]);
  assert.deepEqual(fills, [[20, "EMERGENCY"]]);
  assert.equal(outsideExitReason(String(fills[0]?.[1])), "EMERGENCY", "the trade records EMERGENCY");
});

for (const reason of ["TARGET", "EOD", "PANIC"]) {
  test(`OrderManager exit (${reason}) decided, restarted before it fills → the fill reported as ${reason}`, async () => {
    const w = world();
    await entered(w);
    w.stop();
    await w.om.exit(TRADE, reason);
    await w.om.idle();
    assert.equal(w.store.positions.byTradeId(TRADE)?.state, "CLOSING");
    assert.equal(w.names("exit_filled").length, 0, "not filled before the restart");

    const next = w.make();
    await next.om.reconcile();
    await next.om.idle();
    w.tick(99);
    await next.om.idle();
    assert.equal(w.store.positions.byTradeId(TRADE)?.state, "CLOSED");
    assert.deepEqual(
      next.names("exit_filled").map((e) => [e.quantity, e.reason]),
      [[20, reason]],
    );
  });
}
