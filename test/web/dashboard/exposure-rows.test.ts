import assert from "node:assert/strict";
import { test } from "node:test";
import { exposureRows } from "../../../src/web/dashboard/client/exposure-rows.js";
import { FAKE_EXPOSURE, FAKE_OPEN_TRADE_SYMBOL, FakeEngine } from "../../support/fake-engine.js";

test("exposureRows of a status without exposures → no row (the panel hidden)", () => {
  assert.deepEqual(exposureRows(new FakeEngine().status(), 0), []);
});

test("exposureRows of an exposure → the contract as the trader reads it, quantities, since to the second in IST, for how long", () => {
  const status = { ...new FakeEngine().status(), exposures: [FAKE_EXPOSURE] };
  assert.deepEqual(exposureRows(status, 0), [
    {
      tradeId: "20250904_002",
      symbol: FAKE_OPEN_TRADE_SYMBOL,
      contract: "80,800 CE",
      held: "40",
      uncovered: "20",
      since: "11:03:17 IST",
      forHow: "3 s",
    },
  ]);
});

test("exposureRows read 62.5 s after the status → 'for' counted on from the status; since in IST from any offset", () => {
  const status = {
    ...new FakeEngine().status(),
    exposures: [{ ...FAKE_EXPOSURE, since: "2025-09-04T05:33:17Z", symbol: "SENSEX_UNKNOWN" }],
  };
  const [row] = exposureRows(status, 62_500);
  assert.equal(row?.forHow, "1 min 05 s");
  assert.equal(row?.since, "11:03:17 IST");
  assert.equal(row?.contract, "SENSEX_UNKNOWN", "a contract not in the universe → its symbol");
});
