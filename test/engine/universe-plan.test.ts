import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  InstrumentMaster,
  type OptionContract,
  parseInstrumentMaster,
} from "../../src/domain/instruments.js";
import type { HighLowClose } from "../../src/domain/pivots.js";
import {
  contractSetups,
  gapAdditions,
  planUniverse,
  type UniverseConfig,
} from "../../src/engine/universe-plan.js";
import { REAL_BFO_MASTER } from "../support/paths.js";

const master = new InstrumentMaster(parseInstrumentMaster(readFileSync(REAL_BFO_MASTER, "utf8")));
const CFG: UniverseConfig = {
  underlying: "SENSEX",
  strikeRange: 500,
  strikeInterval: 100,
  lots: 1,
  neutralBand: 5,
};
const DAY = "2025-09-04";

function premarket() {
  const plan = planUniverse(master, DAY, 80_449, CFG);
  assert.ok(plan);
  return plan;
}

test("planUniverse on 2025-09-04 with spot 80,449 → 22 contracts 79,900–80,900 expiring 2025-09-11", () => {
  const plan = premarket();
  assert.equal(plan.expiry, "2025-09-11");
  assert.equal(plan.atm, 80_400);
  assert.deepEqual(plan.missing, []);
  assert.equal(plan.contracts.length, 22);
  const strikes = [...new Set(plan.contracts.map((c) => c.strike))];
  assert.deepEqual(
    strikes,
    [79_900, 80_000, 80_100, 80_200, 80_300, 80_400, 80_500, 80_600, 80_700, 80_800, 80_900],
  );
  for (const c of plan.contracts) {
    assert.equal(c.expiry, "2025-09-11");
    assert.equal(c.lotSize, 20);
    assert.ok(Number.isInteger(c.instrumentToken) && c.instrumentToken > 0, c.tradingsymbol);
    assert.equal(c.tradingsymbol, `SENSEX25911${c.strike}${c.instrumentType}`);
  }
  assert.deepEqual(
    plan.contracts.slice(0, 2).map((c) => c.instrumentType),
    ["CE", "PE"],
  );
});

test("planUniverse after the master's last expiry → null", () => {
  assert.equal(planUniverse(master, "2031-01-01", 80_000, CFG), null);
});

test("gapAdditions with the open 320 above the pre-market ATM → 81,000 … 81,200 CE and PE of the same expiry", () => {
  const g = gapAdditions(master, premarket(), 80_720, CFG);
  assert.equal(g.gapped, true);
  assert.equal(g.openAtm, 80_700);
  assert.deepEqual(
    g.added.map((c) => c.tradingsymbol),
    [
      "SENSEX2591181000CE",
      "SENSEX2591181000PE",
      "SENSEX2591181100CE",
      "SENSEX2591181100PE",
      "SENSEX2591181200CE",
      "SENSEX2591181200PE",
    ],
  );
  assert.ok(g.added.every((c) => c.expiry === "2025-09-11" && c.lotSize === 20));
  assert.deepEqual(g.missing, []);
});

test("gapAdditions with the open 320 below the pre-market ATM → 79,600 … 79,800 added", () => {
  const g = gapAdditions(master, premarket(), 80_080, CFG);
  assert.equal(g.openAtm, 80_100);
  assert.deepEqual([...new Set(g.added.map((c) => c.strike))], [79_600, 79_700, 79_800]);
});

test("gapAdditions with the open 200 away (within strike_range / 2) → nothing added", () => {
  const g = gapAdditions(master, premarket(), 80_600, CFG);
  assert.equal(g.gapped, false);
  assert.deepEqual(g.added, []);
});

test("gapAdditions with the open exactly strike_range / 2 away → nothing added", () => {
  assert.deepEqual(gapAdditions(master, premarket(), 80_650, CFG).added, []);
});

const contract = (symbol: string, strike: number, type: "CE" | "PE", lotSize = 20): OptionContract => ({
  instrumentToken: 1,
  exchangeToken: 1,
  tradingsymbol: symbol,
  name: "SENSEX",
  lastPrice: 0,
  expiry: "2025-09-11",
  strike,
  tickSize: 0.05,
  lotSize,
  instrumentType: type,
  segment: "BFO-OPT",
  exchange: "BFO",
});

test("contractSetups with hand-computed bars → pivots, structure, quantity and the last 20 sizes", () => {
  const universe = [
    contract("A", 80_400, "CE"),
    contract("B", 80_400, "PE"),
    contract("C", 80_500, "CE"),
    contract("D", 80_500, "PE"),
  ];
  const bars = new Map<string, HighLowClose>([
    ["A", { high: 120, low: 80, close: 110 }], // PP 310/3: a = 70/3, b = 50/3 → BULLISH
    ["B", { high: 100, low: 80, close: 90 }], // PP 90: a = b = 10 → NEUTRAL
    ["C", { high: 120, low: 80, close: 85 }], // PP 95: a = 15, b = 25 → BEARISH
  ]);
  const sizes = Array.from({ length: 25 }, (_, i) => i);
  const setups = contractSetups(universe, bars, new Map([["A", sizes]]), { lots: 2, neutralBand: 5 });

  const a = setups[0];
  assert.ok(a?.pivots);
  const expected = { PP: 310, R1: 380, R2: 430, R3: 500, R4: 550, R5: 620, S1: 260, S2: 190, S3: 140 };
  for (const [k, thirds] of Object.entries(expected)) {
    const got = a.pivots[k as keyof typeof expected];
    assert.ok(Math.abs(got - thirds / 3) < 1e-9, `${k}: ${got} vs ${thirds / 3}`);
  }
  assert.equal(a.structure, "BULLISH");
  assert.equal(a.quantity, 40);
  assert.equal(a.optionType, "CE");
  assert.equal(a.strike, 80_400);
  assert.deepEqual(a.priorSizes, sizes.slice(5));

  assert.equal(setups[1]?.structure, "NEUTRAL");
  assert.equal(setups[1]?.pivots?.PP, 90);
  assert.deepEqual(setups[1]?.priorSizes, []);
  assert.equal(setups[2]?.structure, "BEARISH");
  assert.deepEqual(
    { pivots: setups[3]?.pivots, structure: setups[3]?.structure, symbol: setups[3]?.symbol },
    { pivots: null, structure: null, symbol: "D" },
  );
});

test("contractSetups with a neutral band of 7 → the 20/3-point asymmetry becomes NEUTRAL", () => {
  const setups = contractSetups(
    [contract("A", 80_400, "CE")],
    new Map([["A", { high: 120, low: 80, close: 110 }]]),
    new Map(),
    { lots: 1, neutralBand: 7 },
  );
  assert.equal(setups[0]?.structure, "NEUTRAL");
});

test("contractSetups with a contract of lot size 0 → throws", () => {
  assert.throws(
    () => contractSetups([contract("Z", 1, "CE", 0)], new Map(), new Map(), { lots: 1, neutralBand: 5 }),
    /lot size/,
  );
});
