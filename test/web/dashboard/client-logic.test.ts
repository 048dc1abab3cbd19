import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LiveEvent } from "../../../src/ports/app.js";
import {
  candleStartAtClose,
  chartTimeLabel,
  chartTimeOf,
  istMinuteOf,
  visiblePriceRange,
} from "../../../src/web/dashboard/client/chart-time.js";
import { marketClockLabel, UPTIME_LABEL, updatedLabel } from "../../../src/web/dashboard/client/clocks.js";
import {
  formatAge,
  formatArchiveDays,
  formatDuration,
  formatPercent,
  formatPoints,
  formatPrice,
  formatRupees,
  istClock,
  istDateTime,
  istTimeOfEpoch,
  labelOf,
  SKIP_REASON_LABELS,
  signClass,
} from "../../../src/web/dashboard/client/format.js";
import {
  applyLiveEvent,
  defaultSelection,
  MAX_ALERTS,
  parseLiveEvent,
  type ShownAlert,
  withAlert,
} from "../../../src/web/dashboard/client/live-state.js";
import { FAKE_CLOSED_TRADE_SYMBOL, FAKE_OPEN_TRADE_SYMBOL, FakeEngine } from "../../support/fake-engine.js";

describe("dashboard formatting", () => {
  it("prices and rupees → Indian grouping, two decimals, a real minus sign", () => {
    assert.equal(formatPrice(80712.4), "80,712.40");
    assert.equal(formatPrice(1234567.891), "12,34,567.89");
    assert.equal(formatPrice(null), "—");
    assert.equal(formatPrice(Number.NaN), "—");
    assert.equal(formatRupees(1158), "+₹1,158.00");
    assert.equal(formatRupees(-2147.333), "−₹2,147.33");
    assert.equal(formatRupees(-0.001), "₹0.00");
    assert.equal(formatRupees(58.14, false), "₹58.14");
    assert.equal(formatPoints(-104.45), "−104.45");
    assert.equal(formatPercent(4 / 7), "57%");
    assert.equal(formatPercent(null), "—");
    assert.deepEqual(
      [signClass(3), signClass(-3), signClass(0), signClass(null)],
      ["gain", "loss", "flat", "flat"],
    );
  });

  it("times → IST whatever the zone of the machine, from epoch or ISO text of any offset", () => {
    const t = Date.UTC(2025, 8, 4, 5, 33, 20); // 11:03:20 IST
    assert.equal(istTimeOfEpoch(t), "11:03:20");
    assert.equal(istClock("2025-09-04T09:42:00+05:30"), "09:42");
    assert.equal(istClock("2025-09-04T04:12:00Z"), "09:42");
    assert.equal(istDateTime("2025-09-05T06:00:00+05:30"), "2025-09-05 06:00");
    assert.equal(istClock("not a time"), "not a time");
    assert.equal(istClock(null), "—");
  });

  it("durations and ages → short words", () => {
    assert.equal(formatDuration(42), "42 s");
    assert.equal(formatDuration(185), "3 min 05 s");
    assert.equal(formatDuration(8040), "2 h 14 min");
    assert.equal(formatDuration(200_000), "2 d 7 h");
    assert.equal(formatAge(400), "just now");
    assert.equal(formatAge(4200), "4 s ago");
  });

  it("a code this page does not know → shown as it is", () => {
    assert.equal(labelOf(SKIP_REASON_LABELS, "OUTRANKED"), "another contract ranked higher");
    assert.equal(labelOf(SKIP_REASON_LABELS, "SOMETHING_NEW"), "SOMETHING_NEW");
    assert.equal(labelOf(SKIP_REASON_LABELS, null), "");
  });
});

describe("dashboard chart time", () => {
  it("a candle's time → its IST wall clock written as UTC, so the axis reads IST in any zone", () => {
    const t = chartTimeOf("2025-09-04", 9 * 60 + 15);
    assert.equal(t, Date.UTC(2025, 8, 4, 9, 15) / 1000);
    assert.equal(chartTimeLabel(t), "09:15");
    assert.equal(chartTimeLabel(chartTimeOf("2025-09-04", 15 * 60 + 27)), "15:27");
    assert.equal(istMinuteOf("2025-09-04T09:42:00+05:30"), 582);
  });

  it("an entry at a candle's close → marked on that candle (the one that started before)", () => {
    const candles = [555, 558, 561, 564].map((start) => ({
      start,
      open: 1,
      high: 2,
      low: 0.5,
      close: 1.5,
      volume: 0,
    }));
    assert.equal(candleStartAtClose(candles, "2025-09-04T09:21:00+05:30"), 558);
    assert.equal(candleStartAtClose(candles, "2025-09-04T09:30:00+05:30"), 564);
    assert.equal(candleStartAtClose(candles, "2025-09-04T09:15:00+05:30"), null);
    assert.equal(candleStartAtClose(candles, "garbage"), null);
  });

  it("the price range → the candles, the nearest level above and below, and the stop and target", () => {
    const candles = [{ start: 555, open: 100, high: 110, low: 95, close: 105, volume: 0 }];
    const levels = [50, 80, 90, 120, 150, 200];
    assert.deepEqual(visiblePriceRange(candles, levels, []), { minValue: 90, maxValue: 120 });
    assert.deepEqual(visiblePriceRange(candles, levels, [70, 160]), { minValue: 70, maxValue: 160 });
    assert.deepEqual(visiblePriceRange(candles, [], []), { minValue: 95, maxValue: 110 });
    assert.equal(visiblePriceRange([], levels, []), null);
  });
});

describe("dashboard live state", () => {
  const engine = new FakeEngine();
  const start = engine.status();

  it("a tick → the contract's LTP and the open position's P&L, nothing else", () => {
    const p = start.position;
    assert.ok(p);
    const after = applyLiveEvent(start, { type: "tick", symbol: p.symbol, ltp: p.entryPrice + 5 });
    assert.equal(after.position?.ltp, p.entryPrice + 5);
    assert.equal(after.position?.pnlRupees, 5 * p.quantity);
    assert.equal(after.universe.contracts.find((c) => c.symbol === p.symbol)?.ltp, p.entryPrice + 5);
    assert.equal(start.position?.ltp, p.ltp, "the previous snapshot is left alone");
    const other = applyLiveEvent(start, { type: "tick", symbol: FAKE_CLOSED_TRADE_SYMBOL, ltp: 1 });
    assert.equal(other.position?.pnlRupees, p.pnlRupees);
    assert.equal(applyLiveEvent(start, { type: "tick", symbol: "UNKNOWN", ltp: 1 }), start);
  });

  it("a signal → added once, in time order, whatever arrives twice", () => {
    const signal = {
      ...(start.signals[0] as (typeof start.signals)[number]),
      time: "2025-09-04T11:06:00+05:30",
    };
    const once = applyLiveEvent(start, { type: "signal", signal });
    const twice = applyLiveEvent(once, { type: "signal", signal });
    assert.equal(twice.signals.length, start.signals.length + 1);
    assert.equal(twice.signals[twice.signals.length - 1]?.time, signal.time);
  });

  it("the open trade closing → the trade updated in place and the position gone", () => {
    const open = start.trades.find((t) => t.symbol === FAKE_OPEN_TRADE_SYMBOL);
    assert.ok(open && open.status === "OPEN");
    const { status: _s, ...position } = open;
    const closed = {
      ...position,
      status: "CLOSED" as const,
      exit_time: "2025-09-04T11:06:00+05:30",
      exit_price: open.target,
      exit_reason: "TARGET" as const,
      pnl_points: 1,
      pnl_rupees: 20,
      charges: 50,
      net_pnl_rupees: -30,
    };
    const after = applyLiveEvent(start, { type: "trade", trade: closed });
    assert.equal(after.trades.length, start.trades.length);
    assert.equal(after.trades.find((t) => t.trade_id === open.trade_id)?.status, "CLOSED");
    assert.equal(after.position, null);
  });

  it("a status → replaces everything", () => {
    const next = new FakeEngine();
    next.control.setEntriesEnabled(false, "t");
    const s = next.status();
    assert.equal(applyLiveEvent(start, { type: "status", status: s }), s);
  });

  it("SSE messages → events only when well formed and named as their type", () => {
    const tick: LiveEvent = { type: "tick", symbol: "X", ltp: 3 };
    assert.deepEqual(parseLiveEvent("tick", JSON.stringify(tick)), tick);
    assert.equal(parseLiveEvent("tick", "{not json"), null);
    assert.equal(parseLiveEvent("status", JSON.stringify(tick)), null);
    assert.equal(parseLiveEvent("tick", JSON.stringify({ type: "tick", symbol: "X", ltp: "3" })), null);
    assert.equal(
      parseLiveEvent("alert", JSON.stringify({ type: "alert", level: "loud", message: "x" })),
      null,
    );
    assert.equal(parseLiveEvent("status", JSON.stringify({ type: "status", status: {} })), null);
    assert.ok(parseLiveEvent("status", JSON.stringify({ type: "status", status: start })));
    assert.equal(parseLiveEvent("mystery", JSON.stringify({ type: "mystery" })), null);
  });

  it("alerts → newest first, at most a few", () => {
    let alerts: ShownAlert[] = [];
    for (let id = 1; id <= MAX_ALERTS + 2; id++) {
      alerts = withAlert(alerts, { id, level: "info", message: `m${id}`, receivedAtMs: id });
    }
    assert.equal(alerts.length, MAX_ALERTS);
    assert.equal(alerts[0]?.id, MAX_ALERTS + 2);
  });

  it("the chart's default contract → the open position's, else the last trade's, else the ATM call", () => {
    assert.equal(defaultSelection(start), FAKE_OPEN_TRADE_SYMBOL);
    assert.equal(
      defaultSelection({ ...start, position: null, trades: start.trades.slice(0, 1) }),
      FAKE_CLOSED_TRADE_SYMBOL,
    );
    const atmCall = start.universe.contracts.find(
      (c) => c.strike === start.universe.atm && c.optionType === "CE",
    );
    assert.equal(defaultSelection({ ...start, position: null, trades: [] }), atmCall?.symbol);
    assert.equal(
      defaultSelection({
        ...start,
        position: null,
        trades: [],
        universe: { ...start.universe, contracts: [] },
      }),
      null,
    );
  });
});

describe("clocks", () => {
  it("marketClockLabel → the market's time in IST, marked simulated in the demo and against the simulator", () => {
    const at = "2025-09-05T11:33:12+05:30";
    assert.equal(marketClockLabel("LIVE", at), "Market time 11:33 IST");
    assert.equal(marketClockLabel("PAPER", at), "Market time 11:33 IST");
    assert.equal(marketClockLabel("DEMO", at), "Market time 11:33 IST (simulated)");
    assert.equal(marketClockLabel("SIM", at), "Market time 11:33 IST (simulated)");
  });

  it("updatedLabel → real time since the last update, no clock time to mix with the market's", () => {
    assert.equal(updatedLabel(400), "Updated just now");
    assert.equal(updatedLabel(5_000), "Updated 5 s ago");
    assert.doesNotMatch(updatedLabel(5_000), /IST|\d\d:\d\d/);
    assert.match(UPTIME_LABEL, /real time/);
  });
});

describe("formatArchiveDays", () => {
  it("the archive's day count → none, one day, several days", () => {
    assert.equal(formatArchiveDays(0), "no day yet");
    assert.equal(formatArchiveDays(1), "1 day");
    assert.equal(formatArchiveDays(42), "42 days");
  });
});
