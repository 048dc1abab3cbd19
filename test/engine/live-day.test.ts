/** LiveDay fed by hand: candle grouping, close ordering, the poll grace, events and store writes. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { Tick } from "../../src/adapters/kite/ticker-protocol.js";
import { Store } from "../../src/adapters/sqlite/store.js";
import { defaultConfig } from "../../src/config/load.js";
import { type Instrument, InstrumentMaster, type OptionContract } from "../../src/domain/instruments.js";
import { istEpochMs } from "../../src/domain/ist.js";
import { classicPivots, structureOf } from "../../src/domain/pivots.js";
import { tradeFills } from "../../src/domain/trade-fills.js";
import { LiveDay } from "../../src/engine/live-day.js";
import { ManualClock } from "../../src/ports/clock.js";
import { strategyParamsFrom } from "../../src/strategy/params.js";
import type { ContractSetup, OpenPosition, SignalRecord, Trade } from "../../src/strategy/types.js";

const DATE = "2025-09-05";
const tmp = mkdtempSync(join(tmpdir(), "pivot-live-day-unit-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const at = (hh: number, mm: number, ss = 0) => istEpochMs(DATE, hh * 60 + mm) + ss * 1000;

function contract(token: number, symbol: string, strike: number): OptionContract {
  return {
    instrumentToken: token,
    exchangeToken: token,
    tradingsymbol: symbol,
    name: "SENSEX",
    lastPrice: 0,
    expiry: "2025-09-11",
    strike,
    tickSize: 0.05,
    lotSize: 20,
    instrumentType: "CE",
    segment: "BFO-OPT",
    exchange: "BFO",
  };
}

// H 120, L 80, C 110: PP 103.33, R1 126.67, S1 86.67, R3 166.67: BULLISH (a - b = 6.67).
const pivots = classicPivots({ high: 120, low: 80, close: 110 });
const A = contract(1001, "SENSEX25911A", 80000);
const B = contract(1002, "SENSEX25911B", 80100);
const setup = (c: OptionContract, withPivots: boolean): ContractSetup => ({
  symbol: c.tradingsymbol,
  strike: c.strike,
  optionType: "CE",
  quantity: 20,
  pivots: withPivots ? pivots : null,
  structure: withPivots ? structureOf(pivots, 5) : null,
  priorSizes: Array.from({ length: 20 }, () => 1),
});

function tick(token: number, price: number, tradeMs: number): Tick {
  return {
    mode: "full",
    tradable: true,
    instrument_token: token,
    last_price: price,
    volume: 100,
    last_trade_time: Math.floor(tradeMs / 1000),
    timestamp: Math.floor(tradeMs / 1000),
  };
}

function newDay(name: string, options: { resuming?: boolean; nowMs?: number } = {}) {
  const clock = new ManualClock(options.nowMs ?? at(9, 0));
  const store = Store.open(join(tmp, `${name}.db`), { clock });
  const config = defaultConfig();
  const day = new LiveDay({
    date: DATE,
    params: strategyParamsFrom(config),
    sessionEnd: 15 * 60 + 30,
    clock,
    plan: { expiry: "2025-09-11", atm: 80000, contracts: [B, A] },
    setups: [setup(B, false), setup(A, true)],
    indexToken: 265,
    store,
    ...(options.resuming ? { resuming: true } : {}),
  });
  const events = {
    candles: [] as string[],
    entries: [] as OpenPosition[],
    exits: [] as Trade[],
    signals: [] as SignalRecord[],
    warnings: [] as string[],
  };
  day.on("candle", (s, c) => events.candles.push(`${s}@${c.start}`));
  day.on("entry", (p) => events.entries.push(p));
  day.on("exit", (t) => events.exits.push(t));
  day.on("signal", (s) => events.signals.push(s));
  day.on("warning", (m) => events.warnings.push(m));
  return { day, store, events, clock };
}

/** A closed candle of volume 100 (the replay's history). */
const candle = (start: number, open: number, high: number, low: number, close: number) => ({
  start,
  open,
  high,
  low,
  close,
  volume: 100,
});

test("ticks of two contracts → one candle each per interval, fed by symbol at the close, recorded", () => {
  const { day, store, events } = newDay("grouping");
  day.onTicks([tick(1002, 50, at(9, 15, 1)), tick(1001, 100, at(9, 15, 2))], at(9, 15, 2));
  day.onTicks([tick(1001, 110, at(9, 16)), tick(1002, 48, at(9, 16, 30))], at(9, 16, 30));
  day.onTicks([tick(1001, 105, at(9, 17, 59))], at(9, 17, 59));
  assert.deepEqual(day.poll(at(9, 18, 1)), [], "inside the grace: nothing closes");
  // A tick stamped before the close that arrives after it still counts.
  day.onTicks([tick(1002, 52, at(9, 17, 59))], at(9, 18, 1));
  assert.deepEqual(day.poll(at(9, 18, 2)), [9 * 60 + 18]);
  assert.deepEqual(events.candles, ["SENSEX25911A@555", "SENSEX25911B@555"]);
  const recorded = store.candles.day(DATE);
  assert.deepEqual(
    recorded.get("SENSEX25911A")?.map((c) => [c.start, c.open, c.high, c.low, c.close]),
    [[555, 100, 110, 100, 105]],
  );
  assert.deepEqual(
    recorded.get("SENSEX25911B")?.map((c) => [c.start, c.open, c.high, c.low, c.close]),
    [[555, 50, 52, 48, 52]],
  );
  // Late for a processed close: dropped by the builder, nothing recorded twice.
  day.onTicks([tick(1001, 999, at(9, 17, 58))], at(9, 18, 3));
  day.poll(at(9, 18, 5));
  assert.equal(store.candles.day(DATE).get("SENSEX25911A")?.length, 1);
  store.close();
});

test("a candle closed early by a next tick waits; a tick stamped a second past the close processes it at once", () => {
  const { day, events } = newDay("ordering");
  day.onTicks([tick(1001, 100, at(9, 15, 1))], at(9, 15, 1));
  day.onTicks([tick(1001, 101, at(9, 18, 0))], at(9, 18, 0)); // emits A's 09:15 candle
  day.onTicks([tick(1002, 50, at(9, 17, 0))], at(9, 18, 0)); // B's 09:15 candle still counts
  assert.deepEqual(events.candles, [], "stamped at the close, not a second past it: the close waits");
  day.onTicks([tick(1001, 102, at(9, 21, 0))], at(9, 21, 0));
  assert.deepEqual(events.candles, ["SENSEX25911A@555", "SENSEX25911B@555"], "09:18 processed by the tick");
  assert.deepEqual(day.poll(at(9, 21, 1)), [], "09:21 is inside the grace and no tick is past it");
  assert.deepEqual(day.poll(at(9, 21, 5)), [561]);
  assert.deepEqual(events.candles, ["SENSEX25911A@555", "SENSEX25911B@555", "SENSEX25911A@558"]);
});

test("the index's exchange time closes candles; a timestamp ahead of the local clock is not trusted", () => {
  const { day, events } = newDay("index-clock");
  const index = (stampedMs: number): Tick => ({
    mode: "full",
    tradable: false,
    instrument_token: 265,
    last_price: 80_000,
    timestamp: Math.floor(stampedMs / 1000),
  });
  day.onTicks([tick(1001, 100, at(9, 15, 1)), tick(1002, 50, at(9, 15, 2))], at(9, 15, 2));
  day.onTicks([index(at(9, 30))], at(9, 17, 30)); // twelve minutes ahead of the clock: capped
  assert.deepEqual(events.candles, []);
  day.onTicks([index(at(9, 18, 1))], at(9, 18, 1));
  assert.deepEqual(events.candles, ["SENSEX25911A@555", "SENSEX25911B@555"]);
});

test("subscription snapshots (no trade time) → not put in candles", () => {
  const { day, store } = newDay("snapshot");
  const snapshot: Tick = { mode: "quote", tradable: true, instrument_token: 1001, last_price: 77, volume: 0 };
  day.onTicks([snapshot], at(9, 15, 5));
  day.onTicks([tick(1001, 100, at(9, 15, 6))], at(9, 15, 6));
  day.poll(at(9, 18, 2));
  assert.deepEqual(store.candles.day(DATE).get("SENSEX25911A")?.[0]?.open, 100);
  assert.equal(day.ignoredTicks, 1);
  store.close();
});

test("a breakout then a stop → signal, entry, exit events; signal and trade stored; summary stored", () => {
  const { day, store, events } = newDay("events");
  // 09:15 candle of A: open 100 (S1 <= open <= PP), close 130 > R1: scenario 1, target R3.
  day.onTicks(
    [tick(1001, 100, at(9, 15, 0)), tick(1001, 99, at(9, 16)), tick(1001, 130, at(9, 17, 50))],
    at(9, 17, 50),
  );
  day.poll(at(9, 18, 2));
  assert.equal(events.signals.length, 1);
  assert.equal(events.signals[0]?.action, "TAKEN");
  assert.equal(events.entries.length, 1);
  assert.equal(events.entries[0]?.entry_time, "2025-09-05T09:18:00+05:30");
  assert.equal(store.trades.byDate(DATE)[0]?.status, "OPEN");
  // 09:18 candle closes at 95 <= stop (99): STOP_LOSS at 09:21.
  day.onTicks([tick(1001, 120, at(9, 18, 5)), tick(1001, 95, at(9, 20, 50))], at(9, 20, 50));
  day.poll(at(9, 21, 2));
  assert.equal(events.exits.length, 1);
  assert.equal(events.exits[0]?.exit_reason, "STOP_LOSS");
  assert.equal(events.exits[0]?.exit_price, 95);
  assert.equal(store.trades.byDate(DATE)[0]?.status, "CLOSED");
  assert.equal(store.signals.byDate(DATE).length, 1);
  day.finish();
  const figures = day.summary();
  assert.equal(figures.total_trades, 1);
  assert.equal(store.dailySummary.get(DATE)?.total_trades, 1);
  assert.deepEqual(events.warnings, []);
  store.close();
});

test("finish with a position open → closes every candle and exits EOD at the last close", () => {
  const { day, events, store } = newDay("finish");
  day.onTicks(
    [tick(1001, 100, at(9, 15, 0)), tick(1001, 99, at(9, 16)), tick(1001, 130, at(9, 17, 50))],
    at(9, 17, 50),
  );
  day.poll(at(9, 18, 2));
  day.onTicks([tick(1001, 131, at(9, 18, 5)), tick(1001, 140, at(9, 19))], at(9, 19));
  day.finish();
  assert.equal(events.exits[0]?.exit_reason, "EOD");
  assert.equal(events.exits[0]?.exit_time, "2025-09-05T09:21:00+05:30");
  assert.equal(events.exits[0]?.exit_price, 140);
  assert.deepEqual(day.poll(at(10, 0)), [], "nothing after finish");
  store.close();
});

test("the open 600 points from the pre-market ATM → gap contracts subscribed, prepared, traded; closes wait for them", async () => {
  const clock = new ManualClock(at(9, 0));
  const store = Store.open(join(tmp, "gap.db"), { clock });
  const C = contract(1003, "SENSEX25911C", 80600);
  const master = new InstrumentMaster([
    {
      ...contract(265, "SENSEX", 0),
      expiry: null,
      instrumentType: "EQ",
      segment: "INDICES",
      exchange: "BSE",
    },
    A,
    B,
    C,
  ] as Instrument[]);
  let release: (() => void) | undefined;
  const prepared = new Promise<void>((r) => {
    release = r;
  });
  const subscribed: number[][] = [];
  const day = new LiveDay({
    date: DATE,
    params: strategyParamsFrom(defaultConfig()),
    sessionEnd: 15 * 60 + 30,
    clock,
    plan: { expiry: "2025-09-11", atm: 80000, contracts: [A, B] },
    setups: [setup(A, false), setup(B, false)],
    indexToken: 265,
    store,
    master,
    universeConfig: { underlying: "SENSEX", strikeRange: 500, strikeInterval: 100, lots: 1, neutralBand: 5 },
    prepareAdditions: async (added) => {
      await prepared;
      return added.map((c) => setup(c, true));
    },
  });
  const gaps: string[][] = [];
  const entries: string[] = [];
  day.on("gap", (g) => gaps.push(g.added));
  day.on("entry", (p) => entries.push(p.symbol));
  day.start({
    subscribe: (tokens) => subscribed.push([...tokens]),
    unsubscribe: () => {},
    on: () => day,
    off: () => day,
  });
  const index: Tick = {
    mode: "full",
    tradable: false,
    instrument_token: 265,
    last_price: 80610,
    ohlc: { open: 80600, high: 80610, low: 80600, close: 80000 },
    timestamp: Math.floor(at(9, 15, 0) / 1000),
  };
  day.onTicks([index], at(9, 15, 0));
  assert.deepEqual(gaps, [["SENSEX25911C"]]);
  assert.deepEqual(subscribed.at(-1), [1003]);
  day.onTicks(
    [tick(1003, 100, at(9, 15, 1)), tick(1003, 99, at(9, 16)), tick(1003, 130, at(9, 17, 50))],
    at(9, 17, 50),
  );
  assert.deepEqual(day.poll(at(9, 18, 2)), [], "the close waits for the additions");
  release?.();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(day.poll(at(9, 18, 3)), [558]);
  assert.deepEqual(entries, ["SENSEX25911C"]);
  assert.deepEqual(
    day.contractSetups.map((s) => s.symbol),
    ["SENSEX25911A", "SENSEX25911B", "SENSEX25911C"],
  );
  store.close();
});

test("entries disabled before the first close → the breakout is recorded but not entered", () => {
  const { day, store, events } = newDay("gate");
  day.setEntriesEnabled(false, "entries disabled by the operator");
  day.onTicks(
    [tick(1001, 100, at(9, 15, 0)), tick(1001, 99, at(9, 16)), tick(1001, 130, at(9, 17, 50))],
    at(9, 17, 50),
  );
  day.poll(at(9, 18, 2));
  assert.equal(events.entries.length, 0);
  assert.equal(events.signals[0]?.reason, "ENTRIES_DISABLED");
  assert.equal(events.signals[0]?.detail, "entries disabled by the operator");
  store.close();
});

test("cancelEntry of an entry the broker never filled → the strategy and the store forget it", () => {
  const { day, store, events } = newDay("cancel");
  day.onTicks(
    [tick(1001, 100, at(9, 15, 0)), tick(1001, 99, at(9, 16)), tick(1001, 130, at(9, 17, 50))],
    at(9, 17, 50),
  );
  day.poll(at(9, 18, 2));
  const id = events.entries[0]?.trade_id as string;
  assert.equal(store.trades.byId(id)?.status, "OPEN");
  assert.equal(day.cancelEntry(id), true);
  assert.equal(store.trades.byId(id), null);
  // The candle that would have stopped it out exits nothing.
  day.onTicks([tick(1001, 120, at(9, 18, 5)), tick(1001, 95, at(9, 20, 50))], at(9, 20, 50));
  day.poll(at(9, 21, 2));
  day.finish();
  assert.equal(events.exits.length, 0);
  assert.equal(store.trades.byDate(DATE).length, 0);
  store.close();
});

test("resume whose replay enters A under an id the store holds for B → refused with a warning; A's later stop-out exits nothing", () => {
  const { day, store, events, clock } = newDay("other-contract", { resuming: true, nowMs: at(9, 25) });
  // The live run, before the restart, traded B as 20250905_001 (its position has its stop at the broker).
  store.positions.upsert({
    tradeId: "20250905_001",
    date: DATE,
    symbol: B.tradingsymbol,
    state: "OPEN",
    quantity: 20,
    averagePrice: 50,
    stopLoss: 45,
    target: 60,
    candlesHeld: 2,
    entryOrderId: null,
    exitOrderId: null,
  });
  // The replay (Kite's candles) breaks out on A at 09:18 instead: its first trade is 20250905_001 too.
  day.resume({
    closed: new Map([
      [
        A.tradingsymbol,
        [candle(555, 100, 130, 99, 130), candle(558, 128, 131, 120, 125), candle(561, 125, 127, 121, 126)],
      ],
    ]),
    inProgress: new Map(),
  });
  assert.equal(events.entries.length, 0);
  assert.ok(
    events.warnings.some((m) =>
      /20250905_001: the replay decided SENSEX25911A under this id, but it is SENSEX25911B's/.test(m),
    ),
    events.warnings.join("\n"),
  );
  // The candle that would stop A out: nothing is exited (it would have sold B's position).
  clock.set(at(9, 27, 2));
  day.onTicks([tick(1001, 120, at(9, 24, 5)), tick(1001, 95, at(9, 26, 50))], at(9, 26, 50));
  day.poll(at(9, 27, 2));
  assert.equal(events.exits.length, 0);
  assert.equal(store.positions.byTradeId("20250905_001")?.symbol, B.tradingsymbol);
  store.close();
});

test("resume after the open trade's emergency sale filled while the day was down → the strategy closes it as EMERGENCY at the fill, the trade kept (not forgotten as an unfilled entry)", () => {
  const { day, store, events } = newDay("sold-while-down", { resuming: true, nowMs: at(9, 25) });
  // Before the restart: A bought as 20250905_001 at 09:18; its emergency sale filled at the
  // start-up's reconciliation (the fills recorded, the position closed), before the day resumed.
  const bought: OpenPosition = {
    trade_id: "20250905_001",
    symbol: A.tradingsymbol,
    strike: A.strike,
    option_type: "CE",
    scenario: 1,
    first_candle_entry: true,
    structure: "BULLISH",
    re_entry: false,
    entry_time: "2025-09-05T09:18:00+05:30",
    entry_price: 130,
    stop_loss: 99,
    target: 166.67,
    quantity: 20,
    candles_held: 0,
    pivots,
  };
  store.trades.upsertOpen(DATE, bought, 20);
  const held = {
    tradeId: "20250905_001",
    date: DATE,
    symbol: A.tradingsymbol,
    quantity: 20,
    averagePrice: 130.5,
    stopLoss: 99,
    target: 166.67,
    candlesHeld: 2,
    entryOrderId: null,
    exitOrderId: null,
  };
  store.positions.upsert({ ...held, state: "OPEN" });
  store.positions.upsert({ ...held, state: "CLOSING", exitReason: "EMERGENCY" });
  store.positions.close("20250905_001");
  store.trades.recordFills(
    "20250905_001",
    tradeFills([
      { side: "BUY", filledQuantity: 20, averagePrice: 130.5 },
      { side: "SELL", filledQuantity: 20, averagePrice: 121 },
    ]),
  );
  day.resume({
    closed: new Map([
      [
        A.tradingsymbol,
        [candle(555, 100, 130, 99, 130), candle(558, 128, 131, 120, 125), candle(561, 125, 127, 121, 126)],
      ],
    ]),
    inProgress: new Map(),
  });
  assert.deepEqual(
    events.exits.map((t) => [t.trade_id, t.exit_reason, t.exit_price]),
    [["20250905_001", "EMERGENCY", 121]],
  );
  const stored = store.trades.byId("20250905_001");
  assert.equal(stored?.status, "CLOSED");
  assert.equal(stored.exit_reason, "EMERGENCY");
  assert.equal(stored.filled_quantity, 20);
  assert.equal(stored.exit_fill_price, 121);
  assert.equal(day.strategyDay?.openPosition, null);
  store.close();
});
