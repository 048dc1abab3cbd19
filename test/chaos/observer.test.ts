/**
 * The chaos suite's own checks, on made-up simulator states and databases: each property can
 * fail (a check that cannot fail proves nothing), and the schedules replay from their seed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import { Store } from "../../src/adapters/sqlite/store.js";
import type { SimState } from "../../src/sim/simulator.js";
import { chaosMarket, marketMs, timeOfPosition } from "./markets.js";
import { brokenProperties, checkEnd, NakedWatch, TagLedger } from "./observer.js";
import { generateCase } from "./schedule.js";

const root = mkdtempSync(join(tmpdir(), "pivot-chaos-observer-"));
after(() => rmSync(root, { recursive: true, force: true }));

const T0 = marketMs("2025-09-05", "10:15");
const SYMBOL = "SENSEX2591180300PE";

interface Order {
  tag: string;
  side: "BUY" | "SELL";
  type: string;
  status: string;
  quantity: number;
  filled: number;
  price?: number;
}

/** A simulator state with these orders (positions and trades follow from their fills). */
function stateAt(ms: number, orders: Order[]): SimState {
  const held = orders.reduce((n, o) => n + (o.side === "BUY" ? o.filled : -o.filled), 0);
  return {
    marketTimeMs: ms,
    orders: orders.map((o, i) => ({
      order_id: String(i + 1),
      tag: o.tag,
      tradingsymbol: SYMBOL,
      transaction_type: o.side,
      order_type: o.type,
      status: o.status,
      quantity: o.quantity,
      filled_quantity: o.filled,
      pending_quantity: ["OPEN", "TRIGGER PENDING"].includes(o.status) ? o.quantity - o.filled : 0,
      average_price: o.filled > 0 ? (o.price ?? 100) : 0,
    })),
    trades: orders
      .filter((o) => o.filled > 0)
      .map((o) => ({ transaction_type: o.side, quantity: o.filled, average_price: o.price ?? 100 })),
    positions: { net: [{ tradingsymbol: SYMBOL, quantity: held, average_price: 100, pnl: 0 }], day: [] },
  } as unknown as SimState;
}

const entry: Order = { tag: "E1", side: "BUY", type: "MARKET", status: "COMPLETE", quantity: 20, filled: 20 };
const stop: Order = {
  tag: "S1a",
  side: "SELL",
  type: "SL",
  status: "TRIGGER PENDING",
  quantity: 20,
  filled: 0,
};

test("NakedWatch: a held quantity without a resting SELL for 3 s → a breach naming the orders at its onset; 2 s → none", () => {
  const watch = new NakedWatch();
  watch.sample(stateAt(T0, [entry]));
  watch.sample(stateAt(T0 + 2_000, [entry, stop]));
  assert.deepEqual(watch.breaches, []);
  assert.equal(watch.longestMs, 2_000);
  watch.sample(stateAt(T0 + 10_000, [entry, { ...stop, status: "CANCELLED" }]));
  watch.sample(
    stateAt(T0 + 13_000, [
      entry,
      { ...stop, status: "CANCELLED" },
      { ...stop, tag: "X1a", type: "MARKET", status: "OPEN" },
    ]),
  );
  assert.equal(watch.breaches.length, 1);
  assert.match(
    String(watch.breaches[0]),
    /uncovered 3\.0 s from 10:15:10 \(held 20; orders: E1 BUY MARKET COMPLETE 20\/20, S1a SELL SL CANCELLED/,
  );
});

test("NakedWatch: a stop for part of the holding counts as uncovered; downtime is not counted, the time after the restart is", () => {
  const watch = new NakedWatch();
  watch.sample(stateAt(T0, [entry, { ...stop, quantity: 10 }]));
  watch.goDown(T0 + 1_000);
  watch.sample(stateAt(T0 + 60_000, [entry]));
  watch.up();
  watch.sample(stateAt(T0 + 61_000, [entry]));
  watch.finish(T0 + 65_000);
  assert.equal(
    watch.longestMs,
    4_000,
    "1 s before the crash, 4 s after the restart; the minute down not counted",
  );
  assert.equal(watch.breaches.length, 1);
});

function database(
  name: string,
  orders: Array<{ tag: string; side: "BUY" | "SELL"; filled: number; price: number }>,
): string {
  const path = join(root, `${name}.db`);
  const store = Store.open(path, { clock: { now: () => T0 } });
  for (const o of orders)
    store.orders.insertNew(
      {
        exchange: "BFO",
        tradingsymbol: SYMBOL,
        side: o.side,
        type: "MARKET",
        product: "MIS",
        quantity: 20,
        tag: o.tag,
      },
      { purpose: o.side === "BUY" ? "ENTRY" : "EXIT" },
    );
  store.close();
  // The fills as the service would have written them from the broker's updates.
  const db = new Database(path);
  for (const o of orders)
    db.prepare("UPDATE orders SET filled_quantity = ?, average_price = ? WHERE tag = ?").run(
      o.filled,
      o.price,
      o.tag,
    );
  db.close();
  return path;
}

test("checkEnd: the same fills in the database and at the simulator, flat → nothing broken", () => {
  const exit = {
    tag: "X1a",
    side: "SELL" as const,
    type: "MARKET",
    status: "COMPLETE",
    quantity: 20,
    filled: 20,
    price: 110,
  };
  const path = database("same", [
    { tag: "E1", side: "BUY", filled: 20, price: 100 },
    { tag: "X1a", side: "SELL", filled: 20, price: 110 },
  ]);
  const ledger = new TagLedger();
  ledger.record({ tag: "E1" });
  ledger.record({ tag: "X1a" });
  const f = checkEnd(stateAt(T0, [entry, exit]), path, ledger, new NakedWatch());
  assert.deepEqual(brokenProperties(f), []);
  assert.equal(f.simPnl, 200);
});

test("checkEnd: a tag sent twice, a fill missing from the database, a position left, P&L apart → each property broken", () => {
  const path = database("apart", [{ tag: "E1", side: "BUY", filled: 20, price: 100.05 }]);
  const ledger = new TagLedger();
  ledger.record({ tag: "E1" });
  ledger.record({ tag: "E1" });
  ledger.record({ tag: "X1a" });
  const exit = {
    tag: "X1a",
    side: "SELL" as const,
    type: "MARKET",
    status: "COMPLETE",
    quantity: 20,
    filled: 10,
    price: 110,
  };
  const f = checkEnd(stateAt(T0, [entry, exit]), path, ledger, new NakedWatch());
  assert.equal(f.duplicateOrders, 1);
  assert.equal(f.fillsLost, 1, "X1a's fill is not in the database");
  assert.equal(f.priceMismatches, 1, "E1 at 100.05 in the database, 100 at the simulator");
  assert.equal(f.flat, false);
  assert.equal(f.pnlDiffPaise, 110_100);
  assert.deepEqual(
    brokenProperties(f).map((b) => b.split(":")[0]),
    ["duplicate orders", "fills", "flat at the end", "P&L"],
  );
});

test("generateCase: the same seed and number → the same case; schedule positions map into the market's windows", () => {
  assert.deepEqual(generateCase(7, 3, 0.05), generateCase(7, 3, 0.05));
  assert.notDeepEqual(generateCase(7, 3, 0.05), generateCase(7, 4, 0.05));
  assert.equal(generateCase(7, 3, 1).runner, "process");
  const runners = Array.from({ length: 200 }, (_, n) => generateCase(1, n, 0.05).runner);
  const share = runners.filter((r) => r === "process").length / runners.length;
  assert.ok(
    share > 0.01 && share < 0.12,
    `about 5% of the cases run pivot start in its own process (${share})`,
  );
  const m = chaosMarket("real-2025-09-05");
  assert.equal(timeOfPosition(m, 0), marketMs(m.date, "10:08"));
  // 14 minutes in the first window: the position just after falls at the start of the second.
  assert.equal(timeOfPosition(m, 14 / 54), marketMs(m.date, "11:29"));
});
