/**
 * The simulator's modification of a protective SL order into the exit (what the order manager
 * does to leave a position without a moment with nothing resting): to MARKET with market
 * protection or to LIMIT, with a new quantity, before or after the stop has triggered.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { type Kite, type Loose, TINY_SYMBOL, tinySimulators } from "./sim-helpers.js";

const simulators = tinySimulators();
after(() => simulators.close());

type Params = Parameters<Kite["placeOrder"]>[1];
const order = (p: Record<string, unknown>): Params =>
  ({ exchange: "BFO", tradingsymbol: TINY_SYMBOL, quantity: 20, product: "MIS", ...p }) as unknown as Params;
const orderOf = async (kite: Kite, id: string) =>
  (await kite.getOrders()).find((o) => o.order_id === id) as Loose;
const netQuantity = async (kite: Kite) =>
  Number(((await kite.getPositions()) as { net: Loose[] }).net[0]?.quantity ?? 0);

/** A simulator holding 20 (or `quantity`) bought at 100 at 09:18:30, with an SL SELL resting (trigger 95, limit 94). */
async function holdingWithStop(quantity = 20) {
  const { sim, kite } = await simulators.start();
  await kite.placeOrder(
    "regular",
    order({ transaction_type: "BUY", order_type: "MARKET", market_protection: 5, quantity }),
  );
  sim.advanceTo("09:18:30");
  const { order_id: stop } = await kite.placeOrder(
    "regular",
    order({ transaction_type: "SELL", order_type: "SL", trigger_price: 95, price: 94, quantity }),
  );
  assert.equal((await orderOf(kite, stop)).status, "TRIGGER PENDING");
  return { sim, kite, stop };
}

test("modify a resting SL SELL into MARKET with market_protection → OPEN at once, sells on the next trade (100), flat", async () => {
  const { sim, kite, stop } = await holdingWithStop();
  await kite.modifyOrder("regular", stop, { order_type: "MARKET", market_protection: 2 } as never);
  const modified = await orderOf(kite, stop);
  assert.deepEqual([modified.order_type, modified.status, modified.market_protection], ["MARKET", "OPEN", 2]);
  sim.advanceTo("09:19:00");
  const done = await orderOf(kite, stop);
  assert.deepEqual([done.status, done.average_price, done.filled_quantity], ["COMPLETE", 100, 20]);
  assert.equal(await netQuantity(kite), 0);
});

test("modify an SL SELL into a marketable LIMIT with a smaller quantity → sells that quantity on the next trade at the tape's price", async () => {
  const { sim, kite, stop } = await holdingWithStop(40);
  await kite.modifyOrder("regular", stop, { order_type: "LIMIT", price: 99, quantity: 20 } as never);
  sim.advanceTo("09:19:00");
  const done = await orderOf(kite, stop);
  assert.deepEqual(
    [done.order_type, done.status, done.average_price, done.filled_quantity],
    ["LIMIT", "COMPLETE", 100, 20],
  );
  assert.equal(await netQuantity(kite), 20);
});

test("modify a triggered SL resting below the market's gap into MARKET → sells on the next trade (90, within 10 %) instead of waiting for the price to come back to its limit", async () => {
  const { sim, kite, stop } = await holdingWithStop();
  sim.advanceTo("09:24:30"); // 90: triggered, its limit 94 out of reach
  assert.equal((await orderOf(kite, stop)).status, "OPEN");
  await kite.modifyOrder("regular", stop, { order_type: "MARKET", market_protection: 10 } as never);
  sim.advanceTo("09:25:00");
  const done = await orderOf(kite, stop);
  assert.deepEqual([done.status, done.average_price], ["COMPLETE", 90]);
  assert.equal(await netQuantity(kite), 0);
});
