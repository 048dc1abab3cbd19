/** The simulator's onOrderRequest hook (the entry-latency benchmark stamps order arrivals with it). */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { type Kite, rejection, TINY_SYMBOL, tinySimulators } from "./sim-helpers.js";

const simulators = tinySimulators();
after(() => simulators.close());

type Params = Parameters<Kite["placeOrder"]>[1];
const order = (p: Record<string, unknown>): Params =>
  ({ exchange: "BFO", tradingsymbol: TINY_SYMBOL, quantity: 20, product: "MIS", ...p }) as unknown as Params;

test("onOrderRequest → called once per order POST with its form fields, before the order is in the book, also for one refused", async () => {
  const seen: Array<{ tag: string | undefined; booked: number }> = [];
  let booked = () => -1;
  const { sim, kite } = await simulators.start({
    onOrderRequest: (fields) => seen.push({ tag: fields.tag, booked: booked() }),
  });
  booked = () => sim.state().orders.length;
  await kite.placeOrder(
    "regular",
    order({ transaction_type: "BUY", order_type: "MARKET", market_protection: 5, tag: "E1" }),
  );
  await rejection(
    kite.placeOrder(
      "regular",
      order({ transaction_type: "BUY", order_type: "LIMIT", price: 100.01, tag: "E2" }),
    ),
  );
  await kite.getOrders(); // not an order POST: not reported
  assert.deepEqual(seen, [
    { tag: "E1", booked: 0 },
    { tag: "E2", booked: 1 },
  ]);
  assert.equal(sim.state().orders.length, 1, "the refused order is not booked");
});

test("without onOrderRequest → orders are placed as before", async () => {
  const { sim, kite } = await simulators.start();
  await kite.placeOrder(
    "regular",
    order({ transaction_type: "BUY", order_type: "MARKET", market_protection: 5, tag: "E3" }),
  );
  assert.equal(sim.state().orders.length, 1);
});
