import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { parseInstrumentMaster } from "../../src/domain/instruments.js";
import { formatMonthlySymbol, formatWeeklySymbol, parseOptionSymbol } from "../../src/domain/symbols.js";

// Compiled to dist/test/domain/: four levels up is the directory that holds main/ and shared/.
const BFO_MASTER = new URL("../../../../shared/data/instruments/instruments_bfo.csv", import.meta.url);

test("parseOptionSymbol of a September weekly → expiry 2025-09-11, strike 80500, CE", () => {
  assert.deepEqual(parseOptionSymbol("SENSEX2591180500CE"), {
    underlying: "SENSEX",
    strike: 80500,
    optionType: "CE",
    kind: "weekly",
    expiry: "2025-09-11",
    expiryMonth: "2025-09",
  });
  assert.deepEqual(parseOptionSymbol("SENSEX2591881200PE"), {
    underlying: "SENSEX",
    strike: 81200,
    optionType: "PE",
    kind: "weekly",
    expiry: "2025-09-18",
    expiryMonth: "2025-09",
  });
});

test("parseOptionSymbol of weeklies with month codes O, N, D → October, November, December", () => {
  assert.deepEqual(parseOptionSymbol("SENSEX25O0180700CE"), {
    underlying: "SENSEX",
    strike: 80700,
    optionType: "CE",
    kind: "weekly",
    expiry: "2025-10-01",
    expiryMonth: "2025-10",
  });
  const nov = parseOptionSymbol("SENSEX25N0679000PE");
  assert.equal(nov?.expiry, "2025-11-06");
  assert.equal(nov?.strike, 79000);
  assert.equal(nov?.optionType, "PE");
  const dec = parseOptionSymbol("SENSEX25D1882000CE");
  assert.equal(dec?.expiry, "2025-12-18");
  assert.equal(dec?.expiryMonth, "2025-12");
  const jan = parseOptionSymbol("SENSEX2610880000CE");
  assert.equal(jan?.expiry, "2026-01-08");
});

test("parseOptionSymbol of a monthly → kind monthly, month only, no expiry date", () => {
  const p = parseOptionSymbol("SENSEX25SEP80500CE");
  assert.deepEqual(p, {
    underlying: "SENSEX",
    strike: 80500,
    optionType: "CE",
    kind: "monthly",
    expiryMonth: "2025-09",
  });
  assert.equal(p !== null && "expiry" in p, false);
  assert.equal(parseOptionSymbol("SENSEX26DEC90000PE")?.expiryMonth, "2026-12");
  assert.equal(parseOptionSymbol("BANKEX25OCT62000PE")?.underlying, "BANKEX");
});

test("parseOptionSymbol of SENSEX50 with the underlying hint → SENSEX50 monthly", () => {
  assert.deepEqual(parseOptionSymbol("SENSEX5025SEP26000CE", "SENSEX50"), {
    underlying: "SENSEX50",
    strike: 26000,
    optionType: "CE",
    kind: "monthly",
    expiryMonth: "2025-09",
  });
});

test("parseOptionSymbol of SENSEX50 without the hint → null, never misread as SENSEX", () => {
  assert.equal(parseOptionSymbol("SENSEX5025SEP26000CE"), null);
});

test("parseOptionSymbol with a hint that is not the prefix → null", () => {
  assert.equal(parseOptionSymbol("SENSEX2591180500CE", "BANKEX"), null);
  assert.equal(parseOptionSymbol("SENSEX2591180500CE", "SENSEX50"), null);
});

test("parseOptionSymbol of garbage → null", () => {
  for (const bad of [
    "",
    "SENSEX",
    "SENSEX25SEPFUT",
    "SENSEX25SEP80500XE",
    "SENSEX25SEP80500",
    "sensex25SEP80500CE",
    "SENSEX2591180500",
    "SENSEX2501180500CE", // month code 0
    "SENSEX2593280500CE", // day 32
    "SENSEX2590080500CE", // day 00
    "SENSEX25911CE", // no strike
    "SENSEX25SEPT80500CE",
    "25SEP80500CE",
    "SENSEX2591180500CEX",
    "NSE:SENSEX2591180500CE",
  ]) {
    assert.equal(parseOptionSymbol(bad), null, bad);
  }
});

test("parseOptionSymbol of an impossible weekly date (30 Feb) → null", () => {
  assert.equal(parseOptionSymbol("SENSEX2523080500CE"), null);
  assert.equal(parseOptionSymbol("SENSEX2522980500CE"), null); // 2025 is not a leap year
});

test("formatWeeklySymbol → SENSEX + YY + month code + DD + strike + type", () => {
  assert.equal(formatWeeklySymbol("SENSEX", "2025-09-11", 80500, "CE"), "SENSEX2591180500CE");
  assert.equal(formatWeeklySymbol("SENSEX", "2025-10-01", 80700, "CE"), "SENSEX25O0180700CE");
  assert.equal(formatWeeklySymbol("SENSEX", "2025-11-06", 79000, "PE"), "SENSEX25N0679000PE");
  assert.equal(formatWeeklySymbol("SENSEX", "2025-12-18", 82000, "CE"), "SENSEX25D1882000CE");
  assert.equal(formatWeeklySymbol("SENSEX", "2026-01-08", 80000, "PE"), "SENSEX2610880000PE");
});

test("formatMonthlySymbol → SENSEX + YY + MON + strike + type", () => {
  assert.equal(formatMonthlySymbol("SENSEX", "2025-09-25", 80500, "CE"), "SENSEX25SEP80500CE");
  assert.equal(formatMonthlySymbol("SENSEX", "2025-10-30", 80500, "PE"), "SENSEX25OCT80500PE");
  assert.equal(formatMonthlySymbol("SENSEX50", "2025-11-27", 26000, "CE"), "SENSEX5025NOV26000CE");
  assert.equal(formatMonthlySymbol("SENSEX", "2030-06-27", 100000, "PE"), "SENSEX30JUN100000PE");
});

test("format(parse(x)) for every SENSEX option of the real BFO master → x, with the master's expiry", () => {
  const rows = parseInstrumentMaster(readFileSync(BFO_MASTER, "utf8")).filter(
    (i) => i.name === "SENSEX" && (i.instrumentType === "CE" || i.instrumentType === "PE"),
  );
  assert.equal(rows.length, 3404); // 1702 CE + 1702 PE (awk on the dump)
  let weekly = 0;
  let monthly = 0;
  for (const row of rows) {
    const sym = row.tradingsymbol;
    const p = parseOptionSymbol(sym, "SENSEX");
    assert.ok(p, `unparsed ${sym}`);
    const expiry = row.expiry as string;
    assert.equal(p.underlying, "SENSEX", sym);
    assert.equal(p.strike, row.strike, sym);
    assert.equal(p.optionType, row.instrumentType, sym);
    assert.equal(p.expiryMonth, expiry.slice(0, 7), sym);
    const type = row.instrumentType as "CE" | "PE";
    if (p.kind === "weekly") {
      weekly++;
      assert.equal(p.expiry, expiry, sym);
      assert.equal(formatWeeklySymbol("SENSEX", expiry, row.strike, type), sym);
    } else {
      monthly++;
      assert.equal(formatMonthlySymbol("SENSEX", expiry, row.strike, type), sym);
    }
    // Without the hint the letters prefix is SENSEX too.
    assert.deepEqual(parseOptionSymbol(sym), p, sym);
  }
  // Weekly expiries 09-11, 09-18, 10-01, 10-09, 10-16, 10-23 (awk on the dump).
  assert.equal(weekly, 350 + 346 + 346 + 346 + 320 + 302);
  assert.equal(monthly, rows.length - weekly);
});

test("format(parse(x)) for every SENSEX50 option of the real BFO master → x (monthly, with hint)", () => {
  const rows = parseInstrumentMaster(readFileSync(BFO_MASTER, "utf8")).filter(
    (i) => i.name === "SENSEX50" && (i.instrumentType === "CE" || i.instrumentType === "PE"),
  );
  assert.equal(rows.length, 342);
  for (const row of rows) {
    const p = parseOptionSymbol(row.tradingsymbol, "SENSEX50");
    assert.ok(p, row.tradingsymbol);
    assert.equal(p.kind, "monthly");
    assert.equal(p.strike, row.strike);
    assert.equal(
      formatMonthlySymbol("SENSEX50", row.expiry as string, row.strike, row.instrumentType as "CE" | "PE"),
      row.tradingsymbol,
    );
  }
});
