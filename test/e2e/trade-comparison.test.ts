/** The rehearsal's verdict: which differences make the service and the backtest disagree. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type ComparedTrade, compareTrades, formatComparison } from "../../src/app/trade-comparison.js";

const T1: ComparedTrade = {
  symbol: "SENSEX2591180300PE",
  scenario: 1,
  entry_time: "2025-09-05T10:15:00+05:30",
  entry_price: 323.2,
  exit_time: "2025-09-05T11:33:00+05:30",
  exit_price: 242.45,
  exit_reason: "STOP_LOSS",
};
const T2: ComparedTrade = {
  symbol: "SENSEX2591180800PE",
  scenario: 1,
  entry_time: "2025-09-05T12:03:00+05:30",
  entry_price: 558.85,
  exit_time: "2025-09-05T12:06:00+05:30",
  exit_price: 529,
  exit_reason: "STOP_LOSS",
};

test("the same trades, in any order and with prices within rounding, agree", () => {
  const c = compareTrades([T2, { ...T1, entry_price: 323.2000001 }], [T1, T2]);
  assert.equal(c.agree, true);
  assert.deepEqual(
    c.rows.map((r) => r.differences),
    [[], []],
  );
  const text = formatComparison(c, "2025-09-05");
  assert.match(text, /AGREE: the service made the backtest's 2 trade\(s\)/);
  assert.match(text, /1\s+service\s+SENSEX2591180300PE\s+1\s+10:15\s+323\.20\s+11:33\s+242\.45\s+STOP_LOSS/);
  assert.match(text, /\s+backtest\s+SENSEX2591180800PE\s+1\s+12:03\s+558\.85\s+12:06\s+529\.00\s+STOP_LOSS/);
});

test("each field that differs is named, and the verdict says how many trades differ", () => {
  const c = compareTrades(
    [
      { ...T1, exit_time: "2025-09-05T11:36:00+05:30", exit_price: 240, exit_reason: "TARGET" },
      { ...T2, scenario: 2, entry_price: 559 },
    ],
    [T1, T2],
  );
  assert.equal(c.agree, false);
  assert.deepEqual(c.rows[0]?.differences, [
    "exit_time 2025-09-05T11:36:00+05:30 ≠ 2025-09-05T11:33:00+05:30",
    "exit_price 240 ≠ 242.45",
    "exit_reason TARGET ≠ STOP_LOSS",
  ]);
  assert.deepEqual(c.rows[1]?.differences, ["scenario 2 ≠ 1", "entry_price 559 ≠ 558.85"]);
  assert.match(formatComparison(c, "2025-09-05"), /DISAGREE: 2 of 2 trade\(s\) differ from the backtest/);
});

test("a missing trade, an extra one and one still open disagree", () => {
  assert.deepEqual(compareTrades([T1], [T1, T2]).rows[1]?.differences, ["missing in the service"]);
  assert.deepEqual(compareTrades([T1, T2], [T1]).rows[1]?.differences, ["not in the backtest"]);
  const open = { ...T2, exit_time: null, exit_price: null, exit_reason: null };
  const c = compareTrades([T1, open], [T1, T2]);
  assert.equal(c.agree, false);
  assert.deepEqual(c.rows[1]?.differences, [
    "exit_time none ≠ 2025-09-05T12:06:00+05:30",
    "exit_price none ≠ 529",
    "exit_reason none ≠ STOP_LOSS",
  ]);
  assert.match(
    formatComparison(c, "2025-09-05"),
    /service\s+SENSEX2591180800PE\s+1\s+12:03\s+558\.85\s+open\s+-\s+-/,
  );
});

test("no trades on either side agree", () => {
  const c = compareTrades([], []);
  assert.equal(c.agree, true);
  assert.match(formatComparison(c, "2025-09-05"), /\(no trades on either side\)\nAGREE/);
});
