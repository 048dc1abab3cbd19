/**
 * The truth comes from fills, on the real day 2025-09-05 in the simulator (live mode, the
 * harness of service-*-sim): every trade records what the simulator filled beside the
 * strategy's model prices, the day's summary counts the fills, and a protective stop filled at
 * the broker closes the strategy's position at once, at the fill's price, as STOP_FILLED.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ServiceEngineView } from "../../src/app/engine-view.js";
import { TradingCalendar } from "../../src/domain/calendar.js";
import { paise } from "../../src/domain/charges.js";
import type { StoredTrade } from "../../src/domain/trade.js";
import { tradeFills } from "../../src/domain/trade-fills.js";
import type { OrderPayload } from "../../src/sim/orders.js";
import {
  backtestTrades,
  DATE,
  type ServiceDay as Day,
  ServiceDay,
  strategyKey,
  tagBody,
} from "./service-harness.js";

const root = mkdtempSync(join(tmpdir(), "pivot-service-fills-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** A trade's orders at the simulator (its tags carry the trade id's body). */
function simOrdersOf(day: Day, tradeId: string): OrderPayload[] {
  return day.simOrders().filter((o) => String(o.tag).includes(tagBody(tradeId)));
}

/** The fill figures of a trade computed from the simulator's own orders. */
function simFills(day: Day, tradeId: string) {
  return tradeFills(
    simOrdersOf(day, tradeId).map((o) => ({
      side: o.transaction_type as "BUY" | "SELL",
      filledQuantity: Number(o.filled_quantity),
      averagePrice: Number(o.average_price),
    })),
  );
}

/** The engine as /status and the dashboard see it, over the day's service. */
function viewOf(day: Day): ServiceEngineView {
  return new ServiceEngineView({
    service: day.service,
    store: day.store,
    config: day.config,
    clock: day.sim.marketClock,
    calendar: new TradingCalendar(),
    sessions: day.sessions,
    ticker: day.ticker,
    mode: "SIM",
    version: "test",
    startedAtMs: day.sim.marketClock.now(),
    checks: () => [],
    every: () => () => {},
  });
}

const closed = (trades: StoredTrade[]) =>
  trades.filter((t): t is Extract<StoredTrade, { status: "CLOSED" }> => t.status === "CLOSED");

test("the real day on the simulator → each trade's fill prices and P&L are the simulator's fills, beside the backtest's model prices; the summary counts the fills", async () => {
  const day = await ServiceDay.start({ root, name: "fills" });
  try {
    await day.runTo("end");
    const trades = closed(day.store.trades.byDate(DATE));
    assert.deepEqual(
      trades.map(strategyKey as never),
      backtestTrades(1).map(strategyKey),
      "model = backtest",
    );
    let slippage = 0;
    let net = 0;
    for (const t of trades) {
      const sim = simFills(day, t.trade_id);
      assert.ok(sim.grossPnl !== null, `${t.trade_id} closed at the simulator`);
      assert.equal(t.filled_quantity, sim.quantity);
      assert.equal(t.entry_fill_price, sim.entryPrice);
      assert.equal(t.exit_fill_price, sim.exitPrice);
      assert.equal(t.fill_pnl_rupees, sim.grossPnl);
      assert.equal(t.fill_charges, sim.charges);
      assert.equal(t.fill_net_pnl_rupees, sim.netPnl);
      slippage += (t.fill_pnl_rupees as number) - t.pnl_rupees;
      net += t.fill_net_pnl_rupees as number;
    }
    const summary = day.store.dailySummary.get(DATE);
    assert.equal(summary?.net_pnl, paise(net), "the day's net from the fills");
    assert.equal(summary?.slippage_rupees, paise(slippage));
    const told = day.notifications.find((n) => n.kind === "daily_summary");
    assert.ok(told?.kind === "daily_summary");
    assert.equal(told.figures.net_pnl, paise(net));
    assert.equal(told.slippageRupees, paise(slippage));
    // /status and the dashboard: the day's P&L, the loss and the trades from the fills.
    const status = viewOf(day).status();
    assert.equal(status.pnl.net, paise(net));
    assert.equal(status.pnl.gross, summary?.gross_pnl);
    assert.equal(status.pnl.slippage, paise(slippage));
    assert.equal(status.month.net, paise(net));
    assert.equal(status.month.slippage, paise(slippage));
    assert.equal(status.risk.lossToday, Math.max(0, -(summary?.gross_pnl ?? 0)));
    assert.deepEqual(
      status.trades.map((t) => t.exit_fill_price),
      trades.map((t) => t.exit_fill_price),
    );
    const exits = day.notifications.filter((n) => n.kind === "exit");
    assert.equal(exits.length, trades.length);
    for (const [i, e] of exits.entries()) {
      assert.ok(e.kind === "exit");
      assert.equal(e.fills?.exitPrice, trades[i]?.exit_fill_price, "the exit message carries the fills");
      assert.equal(e.fills?.netPnl, trades[i]?.fill_net_pnl_rupees);
    }
    day.assertInvariants();
  } finally {
    await day.stop();
  }
});

test("a protective stop at the strategy's stop (disaster gap 0) filled at the broker → the strategy's position closed at once, STOP_FILLED at the fill price; the day goes on as a stop loss", async () => {
  const day = await ServiceDay.start({ root, name: "stop-filled", execution: { disasterStopPct: 0 } });
  try {
    const [first] = backtestTrades(1);
    assert.ok(first && first.exit_reason === "STOP_LOSS");
    await day.runTo("end");
    const trades = closed(day.store.trades.byDate(DATE));
    const t = trades.find((x) => x.trade_id === first.trade_id);
    assert.ok(t);
    const stop = simOrdersOf(day, t.trade_id).find((o) => o.order_type === "SL" || o.order_type === "SL-M");
    assert.equal(stop?.status, "COMPLETE", "the stop filled at the simulator");
    assert.equal(t.exit_reason, "STOP_FILLED");
    assert.equal(t.exit_price, Number(stop?.average_price), "closed at the stop's fill price");
    assert.equal(t.exit_fill_price, t.exit_price);
    assert.ok(
      t.exit_time <= first.exit_time,
      `closed at ${t.exit_time}, not after the model's ${first.exit_time}`,
    );
    assert.equal(t.fill_pnl_rupees, simFills(day, t.trade_id).grossPnl);
    // No sale after the stop's: the strategy did not manage a position that no longer existed.
    assert.deepEqual(
      simOrdersOf(day, t.trade_id).map((o) => o.transaction_type),
      ["BUY", "SELL"],
    );
    const summary = day.store.dailySummary.get(DATE);
    assert.equal(summary?.stop_losses, backtestTrades(1).filter((x) => x.exit_reason === "STOP_LOSS").length);
    day.assertInvariants();
  } finally {
    await day.stop();
  }
});

test("panic with the first trade open (10:30), cleared at 10:45 → the strategy's position closed at once as PANIC at the sale's fill price; the day's limits go on from the fills", async () => {
  const day = await ServiceDay.start({ root, name: "panic" });
  try {
    const [first] = backtestTrades(1);
    assert.ok(first);
    await day.runTo("10:30");
    assert.equal(day.service.day?.strategyDay?.openPosition?.trade_id, first.trade_id);
    const view = viewOf(day);
    view.control.panic("test");
    await day.pump(3);
    await day.settle();
    await day.runTo("10:45");
    view.control.clearPanic("test");
    view.control.setEntriesEnabled(true, "test");
    await day.runTo("10:48");
    const t = day.store.trades.byId(first.trade_id);
    assert.ok(t?.status === "CLOSED");
    assert.equal(t.exit_reason, "PANIC");
    const sim = simFills(day, first.trade_id);
    assert.equal(t.exit_price, sim.exitPrice, "closed at the panic sale's fill price");
    assert.equal(t.fill_pnl_rupees, sim.grossPnl);
    assert.ok(
      t.exit_time < first.exit_time,
      `closed at ${t.exit_time}, at the panic, not at the model's ${first.exit_time}`,
    );
    const strategy = day.service.day?.strategyDay;
    assert.equal(strategy?.openPosition, null, "the strategy holds nothing after the panic");
    assert.deepEqual(strategy?.risk, {
      tradesToday: 1,
      stopLossesToday: 0,
      realisedPnl: sim.grossPnl,
      entriesEnabled: true,
    });
    await day.runTo("end");
    for (const x of closed(day.store.trades.byDate(DATE)))
      assert.equal(x.fill_net_pnl_rupees, simFills(day, x.trade_id).netPnl, `${x.trade_id} from the fills`);
    day.assertInvariants();
  } finally {
    await day.stop();
  }
});

test("no protective stop can rest (its price would be 0) → an emergency exit at once, recorded on the trade as EMERGENCY (not MANUAL) at the sale's fill price", async () => {
  const day = await ServiceDay.start({ root, name: "emergency", execution: { disasterStopPct: 100 } });
  try {
    const [first] = backtestTrades(1);
    assert.ok(first);
    await day.runTo("10:30");
    const t = day.store.trades.byId(first.trade_id);
    assert.ok(t?.status === "CLOSED", `closed by 10:30: ${t?.status}`);
    assert.equal(t.exit_reason, "EMERGENCY");
    const sim = simFills(day, first.trade_id);
    assert.equal(t.exit_price, sim.exitPrice, "closed at the emergency sale's fill price");
    assert.equal(t.fill_pnl_rupees, sim.grossPnl);
    assert.equal(day.service.day?.strategyDay?.openPosition, null, "the strategy holds nothing");
  } finally {
    await day.stop();
  }
});

test("a restart after the first trade closed (down 11:40-11:50) → the replayed strategy's realised P&L is the fills', not the model's", async () => {
  const day = await ServiceDay.start({ root, name: "restart" });
  try {
    const [first] = backtestTrades(1);
    assert.ok(first);
    await day.runTo("11:40");
    const t = day.store.trades.byId(first.trade_id);
    assert.ok(t?.status === "CLOSED" && t.fill_pnl_rupees !== null);
    assert.notEqual(t.fill_pnl_rupees, t.pnl_rupees, "the fills differ from the model on this day");
    await day.restart("11:50");
    assert.equal(day.service.day?.strategyDay?.risk.realisedPnl, t.fill_pnl_rupees);
    await day.runTo("end");
    day.assertInvariants();
  } finally {
    await day.stop();
  }
});
