import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { TradingCalendar } from "../../src/domain/calendar.js";
import {
  atmStrike,
  type Instrument,
  InstrumentMaster,
  InstrumentMasterError,
  parseInstrumentMaster,
  universeStrikes,
} from "../../src/domain/instruments.js";
import { addDays, weekdayOf } from "../../src/domain/ist.js";

// Compiled to dist/test/domain/: four levels up is the directory that holds main/ and shared/.
const SHARED = new URL("../../../../shared/data/instruments/", import.meta.url);
const bfoText = readFileSync(new URL("instruments_bfo.csv", SHARED), "utf8");
const bseText = readFileSync(new URL("instruments_bse.csv", SHARED), "utf8");

const HEADER =
  "instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange";

let cached: { bfo: Instrument[]; bse: Instrument[]; master: InstrumentMaster } | undefined;
function real() {
  if (!cached) {
    const bfo = parseInstrumentMaster(bfoText);
    const bse = parseInstrumentMaster(bseText);
    cached = { bfo, bse, master: new InstrumentMaster([...bfo, ...bse]) };
  }
  return cached;
}

test("parseInstrumentMaster of the real BFO and BSE dumps → one instrument per data line", () => {
  const { bfo, bse } = real();
  // `wc -l`: 4810 and 12780 lines, each with a header and a final newline.
  assert.equal(bfo.length, 4809);
  assert.equal(bse.length, 12779);
  assert.ok(bfo.every((i) => i.exchange === "BFO"));
  assert.ok(bse.every((i) => i.exchange === "BSE"));
});

test("parseInstrumentMaster of a BFO row → every field typed", () => {
  const { bfo } = real();
  const row = bfo.find((i) => i.tradingsymbol === "SENSEX2591180500CE");
  assert.deepEqual(row, {
    instrumentToken: 219952901,
    exchangeToken: 859191,
    tradingsymbol: "SENSEX2591180500CE",
    name: "SENSEX",
    lastPrice: 0,
    expiry: "2025-09-11",
    strike: 80500,
    tickSize: 0.05,
    lotSize: 20,
    instrumentType: "CE",
    segment: "BFO-OPT",
    exchange: "BFO",
  });
});

test("indexOf SENSEX on the BSE dump → token 265, segment INDICES, no expiry", () => {
  const { master } = real();
  const index = master.indexOf("SENSEX");
  assert.ok(index);
  assert.equal(index.instrumentToken, 265);
  assert.equal(index.segment, "INDICES");
  assert.equal(index.exchange, "BSE");
  assert.equal(index.tradingsymbol, "SENSEX");
  assert.equal(index.expiry, null);
  assert.equal(master.indexOf("NO_SUCH_INDEX"), undefined);
});

test("find with and without an exchange → the BFO option or the BSE index", () => {
  const { master } = real();
  assert.equal(master.find("SENSEX2591180500CE")?.instrumentToken, 219952901);
  assert.equal(master.find("SENSEX2591180500CE", "BFO")?.instrumentToken, 219952901);
  assert.equal(master.find("SENSEX2591180500CE", "BSE"), undefined);
  assert.equal(master.find("SENSEX")?.instrumentToken, 265);
  assert.equal(master.find("NOPE"), undefined);
});

test("optionsOf SENSEX on the real master → 1702 CE and 1702 PE, every lot 20", () => {
  const { master } = real();
  const options = master.optionsOf("SENSEX");
  assert.equal(options.filter((o) => o.instrumentType === "CE").length, 1702);
  assert.equal(options.filter((o) => o.instrumentType === "PE").length, 1702);
  assert.ok(options.every((o) => o.lotSize === 20 && o.name === "SENSEX"));
  assert.equal(master.lotSizeOf("SENSEX"), 20);
  assert.equal(master.lotSizeOf("NOPE"), undefined);
});

test("expiriesOf SENSEX on the real master → sorted, with the holiday-moved 2025-10-01 and 2025-12-24", () => {
  const { master } = real();
  assert.deepEqual(master.expiriesOf("SENSEX"), [
    "2025-09-11",
    "2025-09-18",
    "2025-09-25",
    "2025-10-01",
    "2025-10-09",
    "2025-10-16",
    "2025-10-23",
    "2025-10-30",
    "2025-11-27",
    "2025-12-24",
    "2026-03-26",
    "2026-06-25",
    "2026-12-31",
    "2027-06-24",
    "2027-12-30",
    "2028-06-29",
    "2028-12-28",
    "2029-06-28",
    "2029-12-27",
    "2030-06-27",
  ]);
});

test("nearestExpiry on or after a date → the master's next expiry", () => {
  const { master } = real();
  assert.equal(master.nearestExpiry("SENSEX", "2025-09-04"), "2025-09-11");
  assert.equal(master.nearestExpiry("SENSEX", "2025-09-11"), "2025-09-11"); // on the expiry day itself
  assert.equal(master.nearestExpiry("SENSEX", "2025-09-12"), "2025-09-18");
  assert.equal(master.nearestExpiry("SENSEX", "2025-09-19"), "2025-09-25"); // the monthly contract
  assert.equal(master.nearestExpiry("SENSEX", "2025-09-26"), "2025-10-01"); // moved for the 2 Oct holiday
  assert.equal(master.nearestExpiry("SENSEX", "2025-10-02"), "2025-10-09");
  assert.equal(master.nearestExpiry("SENSEX", "2030-06-28"), undefined);
  assert.equal(master.nearestExpiry("NOPE", "2025-09-04"), undefined);
});

test("2025 SENSEX expiries of the master → that week's Thursday, moved back over BSE holidays", () => {
  const { master } = real();
  const cal = new TradingCalendar();
  const expiries2025 = master.expiriesOf("SENSEX").filter((e) => e < "2026-01-01");
  assert.equal(expiries2025.length, 10);
  for (const expiry of expiries2025) {
    const wd = weekdayOf(expiry);
    assert.ok(wd >= 1 && wd <= 4, `${expiry} is not Mon-Thu`);
    const thursday = addDays(expiry, 4 - wd);
    assert.equal(cal.onOrBefore(thursday), expiry, `Thursday ${thursday}`);
  }
  // The two moves the dump shows.
  assert.equal(cal.onOrBefore("2025-10-02"), "2025-10-01");
  assert.equal(cal.onOrBefore("2025-12-25"), "2025-12-24");
});

test("strikesOf the 2025-09-11 expiry → 175 strikes 72300..89700 every 100", () => {
  const { master } = real();
  const strikes = master.strikesOf("SENSEX", "2025-09-11");
  assert.equal(strikes.length, 175);
  assert.equal(strikes[0], 72300);
  assert.equal(strikes[strikes.length - 1], 89700);
  for (let i = 1; i < strikes.length; i++)
    assert.equal((strikes[i] as number) - (strikes[i - 1] as number), 100);
  // The 22 contracts of the shared candle data are all listed.
  for (let s = 80300; s <= 81200; s += 100) {
    assert.equal(master.option("SENSEX", "2025-09-11", s, "CE")?.tradingsymbol, `SENSEX25911${s}CE`);
    assert.equal(master.option("SENSEX", "2025-09-11", s, "PE")?.tradingsymbol, `SENSEX25911${s}PE`);
  }
  assert.equal(master.option("SENSEX", "2025-09-11", 80550, "CE"), undefined);
});

test("atmStrike → round(spot / interval) * interval, halves up", () => {
  assert.equal(atmStrike(80449.99, 100), 80400);
  assert.equal(atmStrike(80450, 100), 80500);
  assert.equal(atmStrike(80450.01, 100), 80500);
  assert.equal(atmStrike(80350, 100), 80400);
  assert.equal(atmStrike(80500, 100), 80500);
  assert.equal(atmStrike(80524.99, 50), 80500);
  assert.equal(atmStrike(80525, 50), 80550);
});

test("universeStrikes with range 500 and interval 100 → 11 strikes ATM-500..ATM+500", () => {
  assert.deepEqual(
    universeStrikes(80500, 500, 100),
    [80000, 80100, 80200, 80300, 80400, 80500, 80600, 80700, 80800, 80900, 81000],
  );
  assert.deepEqual(universeStrikes(80500, 0, 100), [80500]);
  assert.deepEqual(universeStrikes(80500, 100, 50), [80400, 80450, 80500, 80550, 80600]);
});

test("universeStrikes with a decimal interval → exact multiples, ATM itself included", () => {
  const strikes = universeStrikes(100, 0.3, 0.1);
  assert.equal(strikes.length, 7);
  assert.ok(strikes.includes(100), strikes.join(","));
});

test("parseInstrumentMaster with a missing column → InstrumentMasterError naming it", () => {
  const header = HEADER.replace(",lot_size", "");
  assert.throws(
    () => parseInstrumentMaster(`${header}\n1,2,X,X,0,,0,0,EQ,INDICES,BSE\n`),
    (e: unknown) => e instanceof InstrumentMasterError && /missing column\(s\) lot_size/.test(e.message),
  );
  assert.throws(() => parseInstrumentMaster(""), InstrumentMasterError);
});

test("parseInstrumentMaster with a non-numeric token → InstrumentMasterError with the line number", () => {
  const csv = `${HEADER}\n265,1,SENSEX,SENSEX,0.0,,0.0,0.0,0,EQ,INDICES,BSE\nabc,1,X,X,0,,0,0,0,EQ,INDICES,BSE\n`;
  assert.throws(
    () => parseInstrumentMaster(csv),
    (e: unknown) =>
      e instanceof InstrumentMasterError && /line 3: instrument_token is not a whole number/.test(e.message),
  );
});

test("parseInstrumentMaster with a blank token → InstrumentMasterError, not token 0", () => {
  const csv = `${HEADER}\n,1,X,X,0,,0,0,0,EQ,INDICES,BSE\n`;
  assert.throws(() => parseInstrumentMaster(csv), /line 2: instrument_token is not a whole number/);
});

test("parseInstrumentMaster with reordered columns, CRLF, quoted names and blank lines → read by header name", () => {
  const header =
    "exchange,segment,instrument_type,lot_size,tick_size,strike,expiry,last_price,name,tradingsymbol,exchange_token,instrument_token";
  const csv = [
    header,
    'BSE,BSE,EQ,1,0.05,0.0,,1234.5,"ACME, LTD ""A""",ACME,500001,128000001',
    "",
    "BFO,BFO-OPT,PE,20,0.05,80500.0,2025-09-11,0.0,SENSEX,SENSEX2591180500PE,859192,219953157",
    "",
  ].join("\r\n");
  const rows = parseInstrumentMaster(csv);
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[0], {
    instrumentToken: 128000001,
    exchangeToken: 500001,
    tradingsymbol: "ACME",
    name: 'ACME, LTD "A"',
    lastPrice: 1234.5,
    expiry: null,
    strike: 0,
    tickSize: 0.05,
    lotSize: 1,
    instrumentType: "EQ",
    segment: "BSE",
    exchange: "BSE",
  });
  assert.equal(rows[1]?.expiry, "2025-09-11");
  assert.equal(rows[1]?.strike, 80500);
  assert.equal(rows[1]?.exchange, "BFO");
});

test("InstrumentMaster of an empty list → no expiry, no lot size, no options", () => {
  const m = new InstrumentMaster([]);
  assert.deepEqual(m.expiriesOf("SENSEX"), []);
  assert.equal(m.nearestExpiry("SENSEX", "2025-09-04"), undefined);
  assert.equal(m.lotSizeOf("SENSEX"), undefined);
  assert.deepEqual(m.strikesOf("SENSEX", "2025-09-11"), []);
});
