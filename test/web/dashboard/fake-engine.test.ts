import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StoredTrade } from "../../../src/domain/trade.js";
import type { LiveEvent } from "../../../src/ports/app.js";
import { FAKE_CLOSED_TRADE_SYMBOL, FAKE_OPEN_TRADE_SYMBOL, FakeEngine } from "../../support/fake-engine.js";

describe("FakeEngine (the shared test day)", () => {
  it("two fakes → the very same day (deterministic)", () => {
    assert.deepEqual(new FakeEngine().status(), new FakeEngine().status());
    assert.deepEqual(
      new FakeEngine().candles(FAKE_OPEN_TRADE_SYMBOL),
      new FakeEngine().candles(FAKE_OPEN_TRADE_SYMBOL),
    );
  });

  it("the universe → 22 contracts, ATM ± 5 strikes, CE and PE, each with pivots, structure, candles and LTP", () => {
    const engine = new FakeEngine();
    const s = engine.status();
    assert.equal(s.universe.contracts.length, 22);
    assert.equal(new Set(s.universe.contracts.map((c) => c.symbol)).size, 22);
    assert.deepEqual(
      new Set(s.universe.contracts.map((c) => c.structure)),
      new Set(["BULLISH", "BEARISH", "NEUTRAL"]),
    );
    for (const c of s.universe.contracts) {
      const p = c.pivots;
      assert.ok(p, c.symbol);
      assert.ok(p.S3 < p.S2 && p.S2 < p.S1 && p.S1 < p.PP && p.PP < p.R1 && p.R1 < p.R2, c.symbol);
      const candles = engine.candles(c.symbol);
      assert.equal(candles.length, 36, c.symbol); // 09:15 .. 11:00
      for (const k of candles)
        assert.ok(k.low <= Math.min(k.open, k.close) && k.high >= Math.max(k.open, k.close));
      assert.equal(c.ltp, candles[candles.length - 1]?.close);
    }
  });

  it("the trades → a scenario-1 breakout stopped out at a later candle's low, and an open re-entry", () => {
    const engine = new FakeEngine();
    const s = engine.status();
    const [closed, open] = s.trades as [StoredTrade, StoredTrade];
    assert.equal(closed.status, "CLOSED");
    assert.equal(closed.symbol, FAKE_CLOSED_TRADE_SYMBOL);
    assert.ok(closed.status === "CLOSED" && closed.exit_reason === "STOP_LOSS" && closed.net_pnl_rupees < 0);
    const breakout = engine.candles(closed.symbol).find((c) => c.start === 9 * 60 + 39);
    assert.equal(breakout?.close, closed.entry_price);
    assert.ok(breakout && breakout.close > closed.pivots.R1 && breakout.open <= closed.pivots.PP);
    assert.equal(open.status, "OPEN");
    assert.equal(s.position?.tradeId, open.trade_id);
    assert.ok((s.position?.pnlRupees ?? 0) > 0, "the open position is in profit");
    assert.equal(s.risk.stopLossesToday, 1);
    assert.ok(closed.status === "CLOSED" && closed.fill_pnl_rupees !== null);
    assert.equal(s.risk.lossToday, -closed.fill_pnl_rupees, "the loss limit counts the fills");
    assert.ok((closed.exit_fill_price ?? 0) < closed.exit_price, "the fills slipped below the model");
    assert.deepEqual(
      s.signals.map((x) => [x.action, x.reason]),
      [
        ["TAKEN", null],
        ["SKIPPED", "OUTRANKED"],
        ["TAKEN", null],
        ["SKIPPED", "POSITION_OPEN"],
      ],
    );
  });

  it("controls → recorded, applied and pushed as a status event", () => {
    const engine = new FakeEngine();
    const events: LiveEvent[] = [];
    const unsubscribe = engine.subscribe((e) => events.push(e));
    engine.control.setEntriesEnabled(false, "test");
    assert.equal(engine.status().risk.entriesEnabled, false);
    assert.throws(() => engine.control.setLots(0, "test"), RangeError);
    engine.control.setLots(3, "test");
    engine.control.panic("test");
    const s = engine.status();
    assert.equal(s.risk.lots, 3);
    assert.equal(s.risk.panic, true);
    assert.equal(s.position, null);
    assert.equal(
      s.trades.every((t) => t.status === "CLOSED"),
      true,
    );
    assert.deepEqual(
      engine.calls.map((c) => c.action),
      ["setEntriesEnabled", "setLots", "panic"],
    );
    assert.deepEqual(
      events.map((e) => e.type),
      ["status", "status", "trade", "status"],
    );
    unsubscribe();
    assert.equal(engine.listenerCount, 0);
  });

  it("a tick of the open contract → its LTP and the position's P&L follow", () => {
    const engine = new FakeEngine();
    const p = engine.status().position;
    assert.ok(p);
    engine.tick(p.symbol, p.entryPrice + 10);
    const after = engine.status();
    assert.equal(after.position?.pnlRupees, 10 * p.quantity);
    assert.equal(after.universe.contracts.find((c) => c.symbol === p.symbol)?.ltp, p.entryPrice + 10);
  });

  it("status() → a copy: changing it does not change the engine", () => {
    const engine = new FakeEngine();
    engine.status().risk.entriesEnabled = false;
    assert.equal(engine.status().risk.entriesEnabled, true);
  });
});
