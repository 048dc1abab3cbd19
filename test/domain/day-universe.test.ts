import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { dayUniverse, InstrumentMaster, parseInstrumentMaster } from "../../src/domain/instruments.js";
import { REAL_BFO_MASTER } from "../support/paths.js";

const master = new InstrumentMaster(parseInstrumentMaster(readFileSync(REAL_BFO_MASTER, "utf8")));

test("dayUniverse on 2025-09-04 with spot 80,449 → 11 strikes around 80,400, CE and PE, expiring 2025-09-11", () => {
  const u = dayUniverse(master, "SENSEX", "2025-09-04", 80_449, 500, 100);
  assert.ok(u);
  assert.equal(u.expiry, "2025-09-11");
  assert.equal(u.atm, 80_400);
  assert.deepEqual(u.missing, []);
  assert.equal(u.contracts.length, 22);
  assert.equal(u.contracts[0]?.tradingsymbol, "SENSEX2591179900CE");
  assert.equal(u.contracts[21]?.tradingsymbol, "SENSEX2591180900PE");
  assert.ok(u.contracts.every((c) => c.lotSize === 20 && c.exchange === "BFO"));
});

test("dayUniverse in the week of the 2025-10-02 holiday → the expiry moved to Wednesday 2025-10-01", () => {
  const u = dayUniverse(master, "SENSEX", "2025-09-26", 81_000, 500, 100);
  assert.equal(u?.expiry, "2025-10-01");
  assert.equal(u?.contracts[0]?.tradingsymbol, "SENSEX25O0180500CE");
});

test("dayUniverse far from the listed strikes → reports the missing contracts", () => {
  const u = dayUniverse(master, "SENSEX", "2025-09-04", 10_000, 100, 100);
  assert.equal(u?.contracts.length, 0);
  assert.deepEqual(u?.missing, ["9900CE", "9900PE", "10000CE", "10000PE", "10100CE", "10100PE"]);
});

test("dayUniverse after the last expiry of the master → null", () => {
  assert.equal(dayUniverse(master, "SENSEX", "2031-01-01", 80_000, 500, 100), null);
});
