/** `pivot sim` on a NIFTY market: the index on NSE, the options on NFO, orders in lots of 65. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { writeSampleData } from "../../src/backtest/sample-data.js";
import { type RunningSimulator, startSimulator } from "../../src/sim/simulator.js";
import { type Kite, type Loose, loggedInClient, rejection } from "./sim-helpers.js";

let dir: string;
let sim: RunningSimulator;
let kite: Kite;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "sim-nifty-"));
  writeSampleData({ outDir: dir, days: 2, seed: 5, startDate: "2025-09-08", underlying: "NIFTY" });
  sim = await startSimulator({
    port: 0,
    dataDir: dir,
    date: "2025-09-09",
    startPaused: true,
    rateLimits: false,
  });
  kite = (await loggedInClient(sim)).kite;
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

test("GET /instruments of a NIFTY market → NSE:NIFTY 50 (256265, INDICES) and NFO-OPT contracts (low byte 2, lot 65)", async () => {
  const nse = (await kite.getInstruments("NSE")).filter((r) => r.tradingsymbol) as Loose[];
  assert.deepEqual(
    nse.map((r) => [Number(r.instrument_token), r.tradingsymbol, r.segment, r.exchange]),
    [[256265, "NIFTY 50", "INDICES", "NSE"]],
  );
  const nfo = (await kite.getInstruments("NFO")).filter((r) => r.tradingsymbol) as Loose[];
  assert.ok(nfo.length >= 22, `${nfo.length} NFO rows`);
  for (const r of nfo) {
    assert.equal(Number(r.instrument_token) & 0xff, 2, r.tradingsymbol);
    assert.equal(r.segment, "NFO-OPT");
    assert.equal(r.exchange, "NFO");
    assert.equal(r.name, "NIFTY");
    assert.equal(r.lot_size, 65);
    // The 9 Sep expiry and, as 9 Sep is its expiry day, the next week's contracts too.
    assert.match(String(r.tradingsymbol), /^NIFTY259(09|16)\d+(CE|PE)$/);
  }
  assert.equal((await kite.getInstruments("BFO")).filter((r) => r.tradingsymbol).length, 0);
});

test("the NIFTY 50 LTP after the open → the index candles of the data", async () => {
  sim.advanceTo("09:20:00");
  const ltp = (await kite.getLTP(["NSE:NIFTY 50"])) as Loose;
  const price = ltp["NSE:NIFTY 50"]?.last_price;
  assert.ok(price > 20_000 && price < 30_000, `NIFTY 50 LTP ${price}`);
});

test("an NFO order of one lot (65) → COMPLETE; the same symbol on BFO → not a listed instrument", async () => {
  const symbol = String(
    ((await kite.getInstruments("NFO")) as Loose[]).find((r) => r.tradingsymbol)?.tradingsymbol,
  );
  const order = {
    exchange: "NFO",
    tradingsymbol: symbol,
    transaction_type: "BUY",
    quantity: 65,
    product: "MIS",
    order_type: "MARKET",
    market_protection: -1,
  } as Parameters<Kite["placeOrder"]>[1];
  const { order_id: id } = await kite.placeOrder("regular", order);
  sim.advanceTo("09:23:00");
  const history = (await kite.getOrderHistory(id)) as Loose[];
  assert.equal(history.at(-1)?.status, "COMPLETE");
  assert.equal(history.at(-1)?.exchange, "NFO");
  const wrong = await rejection(kite.placeOrder("regular", { ...order, exchange: "BFO" }));
  assert.match(wrong.message, /not a listed instrument/);
});
