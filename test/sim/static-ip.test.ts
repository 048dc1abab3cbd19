import assert from "node:assert/strict";
import { after, test } from "node:test";
import { KiteBroker } from "../../src/adapters/kite/kite-broker.js";
import { KiteRest } from "../../src/adapters/kite/kite-rest.js";
import { RateLimiter } from "../../src/adapters/kite/rate-limiter.js";
import { allowedIpsOption } from "../../src/cli/commands/sim.js";
import type { BrokerFailure } from "../../src/ports/broker.js";
import { systemClock } from "../../src/ports/clock.js";
import { UNTHROTTLED_LIMITS } from "../support/hand-timers.js";
import { type Kite, openSocket, rejection, TINY_SYMBOL, tinySimulators } from "./sim-helpers.js";

/*
 * Issue 13 §6: `pivot sim --allowed-ips` plays Kite's static IP rule. Tests run on loopback, so
 * an allow-list without 127.0.0.1 is "this server is not registered" and one with it is
 * "registered".
 */

const simulators = tinySimulators();
after(() => simulators.close());

type Params = Parameters<Kite["placeOrder"]>[1];
const limitBuy = (tag: string): Params =>
  ({
    exchange: "BFO",
    tradingsymbol: TINY_SYMBOL,
    quantity: 20,
    product: "MIS",
    transaction_type: "BUY",
    order_type: "LIMIT",
    price: 50,
    tag,
  }) as unknown as Params;

test("simulator allowing only other addresses → placement, modification and cancellation refused 403 PermissionException naming the IP; quotes, order book and socket still answer", async () => {
  const resting = "250905000000001";
  const { sim, kite, accessToken } = await simulators.start({ allowedIps: ["203.0.113.7", "2001:db8::1"] });

  const placed = await rejection(kite.placeOrder("regular", limitBuy("try1")));
  assert.equal(placed.error_type, "PermissionException");
  assert.match(placed.message, /IP 127\.0\.0\.1.*IP whitelist/);
  const modified = await rejection(kite.modifyOrder("regular", resting, { price: 51 }));
  assert.equal(modified.error_type, "PermissionException");
  const cancelled = await rejection(kite.cancelOrder("regular", resting));
  assert.equal(cancelled.error_type, "PermissionException");

  assert.deepEqual(await kite.getOrders(), []);
  assert.ok(Object.keys(await kite.getLTP([`BFO:${TINY_SYMBOL}`])).length === 1);
  const socket = await openSocket(sim, accessToken);
  socket.ws.close();
  assert.deepEqual(
    sim.state().orderRequests.map((r) => [r.action, r.accepted, r.sourceAddress]),
    [
      ["place", false, "127.0.0.1"],
      ["modify", false, "127.0.0.1"],
      ["cancel", false, "127.0.0.1"],
    ],
  );
});

test("simulator allowing 127.0.0.1 → orders from loopback accepted, each with its algo_id recorded", async () => {
  const { sim, kite } = await simulators.start({ allowedIps: ["10.0.0.1", "127.0.0.1"] });
  const { order_id } = await kite.placeOrder("regular", { ...limitBuy("ok1"), algo_id: "ALGO42" } as Params);
  await kite.cancelOrder("regular", order_id);
  assert.deepEqual(
    sim.state().orderRequests.map((r) => [r.action, r.accepted, r.orderId, r.algoId]),
    [
      ["place", true, order_id, "ALGO42"],
      ["cancel", true, order_id, null],
    ],
  );
});

function restFor(sim: { apiKey: string; url: string }, accessToken: string, algoId?: string): KiteRest {
  return new KiteRest({
    apiKey: sim.apiKey,
    apiRoot: sim.url,
    timeoutMs: 3000,
    limiter: new RateLimiter({ clock: systemClock, limits: UNTHROTTLED_LIMITS }),
    accessToken,
    placeLookupDelaysMs: [0],
    ...(algoId !== undefined ? { algoId } : {}),
  });
}

test("KiteBroker placing from an address Kite refuses → failure kind source_ip (not a generic rejection), told to its listener, placed once", async () => {
  const { sim, accessToken } = await simulators.start({ allowedIps: ["203.0.113.7"] });
  const told: Array<[string, BrokerFailure]> = [];
  const broker = new KiteBroker({
    rest: restFor(sim, accessToken),
    onSourceAddressRefused: (action, failure) => told.push([action, failure]),
  });
  const r = await broker.placeOrder({
    exchange: "BFO",
    tradingsymbol: TINY_SYMBOL,
    side: "BUY",
    type: "LIMIT",
    quantity: 20,
    price: 50,
    product: "MIS",
    tag: "E1",
  });
  assert.equal(!r.ok && r.error.kind, "source_ip");
  assert.equal(told.length, 1);
  assert.equal(told[0]?.[0], "place");
  assert.match(told[0]?.[1].message ?? "", /IP whitelist/);
  assert.equal(sim.state().orderRequests.length, 1, "a refusal is not retried");
});

test("execution.algo_id set → KiteRest sends algo_id with every order; unset → none", async () => {
  const { sim, accessToken } = await simulators.start();
  const withAlgo = restFor(sim, accessToken, "ALGO7");
  const without = restFor(sim, accessToken, "");
  const params = {
    exchange: "BFO",
    tradingsymbol: TINY_SYMBOL,
    transaction_type: "BUY",
    order_type: "LIMIT",
    quantity: 20,
    product: "MIS",
    price: 50,
  } as const;
  assert.equal((await withAlgo.placeOrder({ ...params, tag: "A1" })).ok, true);
  assert.equal(
    (await withAlgo.placeOrder({ ...params, order_type: "MARKET", price: undefined, tag: "A2" })).ok,
    true,
  );
  assert.equal((await without.placeOrder({ ...params, tag: "A3" })).ok, true);
  assert.deepEqual(
    sim.state().orderRequests.map((r) => r.algoId),
    ["ALGO7", "ALGO7", null],
  );
});

test("pivot sim --allowed-ips LIST → addresses split on commas; a name or an empty list is refused", () => {
  assert.deepEqual(allowedIpsOption("203.0.113.7, 2001:db8::1"), ["203.0.113.7", "2001:db8::1"]);
  assert.throws(() => allowedIpsOption("pivot.example.net"), /--allowed-ips: .*"pivot\.example\.net"/);
  assert.throws(() => allowedIpsOption(" , "), /--allowed-ips/);
});
