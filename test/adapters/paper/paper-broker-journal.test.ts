/**
 * PaperBroker with its journal in the paper database: a new broker on the same file (a restart)
 * finds the day's orders, its resting stop, its positions and P&L, and goes on matching.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { PaperBroker } from "../../../src/adapters/paper/paper-broker.js";
import type { PaperJournal } from "../../../src/adapters/paper/paper-journal.js";
import { PaperOrdersRepository } from "../../../src/adapters/sqlite/paper-orders-repo.js";
import { Store } from "../../../src/adapters/sqlite/store.js";
import { istEpochMs } from "../../../src/domain/ist.js";
import type { OrderRequest } from "../../../src/ports/broker.js";
import { ManualClock } from "../../../src/ports/clock.js";

const S = "SENSEX2591180500CE";
const T0 = istEpochMs("2025-09-05", 9 * 60 + 30);
const req = (fields: Partial<OrderRequest> & Pick<OrderRequest, "type" | "side" | "tag">): OrderRequest => ({
  exchange: "BFO",
  tradingsymbol: S,
  quantity: 20,
  product: "MIS",
  ...fields,
});

function brokerOn(path: string, clock: ManualClock): { broker: PaperBroker; store: Store } {
  const store = Store.open(path, { clock });
  const broker = new PaperBroker({
    clock,
    slippage: { ticks: 1 },
    journal: new PaperOrdersRepository(store.db),
  });
  return { broker, store };
}

async function placed(broker: PaperBroker, r: OrderRequest): Promise<string> {
  const result = await broker.placeOrder(r);
  assert.ok(result.ok, JSON.stringify(result));
  return result.value.orderId;
}

test("PaperBroker restarted mid-position → the same orders, position and P&L; the resting stop still fills; ids and tags go on", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "paper-journal-")), "paper-trading.db");
  const clock = new ManualClock(T0);
  const first = brokerOn(path, clock);
  first.broker.onTick(S, 100, T0 - 1000);
  await placed(first.broker, req({ type: "MARKET", side: "BUY", tag: "E1" }));
  clock.advance(1000);
  first.broker.onTick(S, 100, clock.now()); // bought at 100.05
  const stopId = await placed(
    first.broker,
    req({ type: "SL", side: "SELL", triggerPrice: 90, price: 88, tag: "S1" }),
  );
  clock.advance(1000);
  first.broker.onTick(S, 104, clock.now());
  const before = { orders: await first.broker.orders(), positions: await first.broker.positions() };
  first.store.close();

  clock.advance(60_000);
  const second = brokerOn(path, clock);
  const orders = await second.broker.orders();
  assert.ok(orders.ok && before.orders.ok);
  assert.deepEqual(
    orders.value.map((o) => [o.orderId, o.tag, o.status, o.filledQuantity, o.averagePrice]),
    [
      ["PAPER000001", "E1", "COMPLETE", 20, 100.05],
      [stopId, "S1", "TRIGGER PENDING", 0, 0],
    ],
  );
  const positions = await second.broker.positions();
  assert.ok(positions.ok);
  assert.deepEqual(
    positions.value.map((p) => [p.quantity, p.averagePrice]),
    [[20, 100.05]],
  );
  const reused = await second.broker.placeOrder(req({ type: "MARKET", side: "BUY", tag: "E1" }));
  assert.ok(!reused.ok && /already sent/.test(reused.error.message));
  assert.equal(
    await placed(second.broker, req({ type: "LIMIT", side: "BUY", price: 50, tag: "L1" })),
    "PAPER000003",
  );

  clock.advance(1000);
  second.broker.onTick(S, 89.5, clock.now()); // the stop triggers and sells at 89.45
  const flat = await second.broker.positions();
  assert.ok(flat.ok);
  assert.equal(flat.value[0]?.quantity, 0);
  assert.equal(flat.value[0]?.pnl, -212); // (89.45 - 100.05) × 20
  assert.equal(second.broker.realisedPnl().gross, -212);
  second.store.close();
});

test("PaperBroker journal after a partial fill → the filled part and the rest found again; another day's book is not", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "paper-journal-")), "paper-trading.db");
  const clock = new ManualClock(T0);
  const first = brokerOn(path, clock);
  first.broker.onTick(S, 100, T0 - 1000);
  const id = await placed(first.broker, req({ type: "MARKET", side: "BUY", quantity: 60, tag: "P1" }));
  clock.advance(1000);
  first.broker.onTick(S, 100, clock.now(), { bestAsk: { price: 100.1, quantity: 20 } });
  first.store.close();

  const second = brokerOn(path, clock);
  const orders = await second.broker.orders();
  assert.ok(orders.ok);
  assert.deepEqual(
    orders.value.map((o) => [o.orderId, o.status, o.filledQuantity, o.pendingQuantity]),
    [[id, "OPEN", 20, 40]],
  );
  clock.advance(1000);
  second.broker.onTick(S, 100.2);
  const done = await second.broker.orders();
  assert.ok(done.ok);
  assert.deepEqual(
    done.value.map((o) => [o.status, o.filledQuantity, o.averagePrice]),
    [["COMPLETE", 60, 100.2]], // (20 × 100.10 + 40 × 100.25) / 60
  );
  second.store.close();

  const nextDay = brokerOn(path, new ManualClock(T0 + 86_400_000));
  const none = await nextDay.broker.orders();
  assert.ok(none.ok);
  assert.deepEqual(none.value, []);
  assert.equal(
    await placed(nextDay.broker, req({ type: "LIMIT", side: "BUY", price: 50, tag: "N1" })),
    "PAPER000002",
  );
  nextDay.store.close();
});

test("PaperBroker journal that cannot be written → a request fails with nothing changed; a fill still happens and the failure is reported, not thrown", async () => {
  const clock = new ManualClock(T0);
  let failing = false;
  const errors: string[] = [];
  const journal: PaperJournal = {
    loadDay: () => ({ orders: [], fills: [] }),
    lastOrderId: () => null,
    saveOrder: () => {
      if (failing) throw new Error("disk full");
    },
    saveFill: () => {
      if (failing) throw new Error("disk full");
    },
  };
  const broker = new PaperBroker({
    clock,
    journal,
    onJournalError: (e, id) => errors.push(`${id}: ${String(e)}`),
  });
  broker.onTick(S, 100, T0 - 1000);
  const stop = await placed(
    broker,
    req({ type: "SL", side: "SELL", triggerPrice: 90, price: 88, tag: "S1" }),
  );
  failing = true;
  const refused = await broker.placeOrder(req({ type: "MARKET", side: "BUY", tag: "E1" }));
  assert.ok(!refused.ok && /could not be written/.test(refused.error.message));
  const modify = await broker.modifyOrder(stop, { triggerPrice: 95, price: 94 });
  assert.ok(!modify.ok);
  const orders = await broker.orders();
  assert.ok(orders.ok);
  assert.deepEqual(
    orders.value.map((o) => [o.orderId, o.triggerPrice]),
    [[stop, 90]],
  );
  clock.advance(1000);
  assert.doesNotThrow(() => broker.onTick(S, 89, clock.now()));
  const filled = await broker.orders();
  assert.ok(filled.ok);
  assert.equal(filled.value[0]?.status, "COMPLETE");
  // Each failure reported: the refused placement (its id is never used again), the refused modification, the fill.
  assert.deepEqual(errors, [
    "PAPER000002: Error: disk full",
    `${stop}: Error: disk full`,
    `${stop}: Error: disk full`,
  ]);
});
