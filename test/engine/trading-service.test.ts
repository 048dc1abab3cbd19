import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { test } from "node:test";
import { PaperBroker } from "../../src/adapters/paper/paper-broker.js";
import { Store } from "../../src/adapters/sqlite/store.js";
import { defaultConfig } from "../../src/config/load.js";
import { TradingCalendar } from "../../src/domain/calendar.js";
import { istEpochMs, parseHhmm } from "../../src/domain/ist.js";
import { TradingService } from "../../src/engine/trading-service.js";
import type { ServiceSessions, ServiceTicker } from "../../src/engine/trading-service-deps.js";
import { ManualClock } from "../../src/ports/clock.js";
import type { SetTimer } from "../../src/ports/timer.js";

function harness() {
  const clock = new ManualClock(istEpochMs("2025-09-05", parseHhmm("08:00")));
  const timers: Array<{ at: number; fn: () => void }> = [];
  const setTimer: SetTimer = (ms, fn) => {
    const t = { at: clock.now() + ms, fn };
    timers.push(t);
    return () => {
      const i = timers.indexOf(t);
      if (i >= 0) timers.splice(i, 1);
    };
  };
  const store = Store.open(":memory:", { clock });
  const events: string[] = [];
  const ticker = Object.assign(new EventEmitter(), {
    connect: () => events.push("ticker.connect"),
    close: async () => {
      events.push("ticker.close");
    },
    subscribe: () => {},
    unsubscribe: () => {},
  }) as unknown as ServiceTicker;
  const sessions: ServiceSessions = { load: () => null, current: () => null, on: () => () => {} };
  const broker = new PaperBroker({ clock });
  const orders = broker.orders.bind(broker);
  broker.orders = () => {
    events.push("broker.orders");
    return orders();
  };
  const notes: string[] = [];
  const service = new TradingService({
    config: defaultConfig(),
    clock,
    setTimer,
    store,
    kite: { setAccessToken: () => {} },
    history: {
      hasSession: () => false,
      candles: async () => assert.fail("no call without a session"),
      instrumentMaster: async () => assert.fail("no call without a session"),
      lastPrice: async () => assert.fail("no call without a session"),
    },
    sessions,
    ticker,
    broker: { mode: "paper", broker },
    calendar: new TradingCalendar(),
    loginUrl: () => "https://kite.example/connect/login?api_key=k&v=3",
    log: (l) => notes.push(l),
    notify: (level, m) => notes.push(`${level}: ${m}`),
  });
  return { clock, timers, store, events, notes, service };
}

test("TradingService start without a session → reconciles before the ticker, login needed with the URL, no pre-market", async () => {
  const h = harness();
  await h.service.start();
  await h.service.idle();
  assert.deepEqual(h.events.slice(0, 3), ["broker.orders", "broker.orders", "ticker.connect"]);
  assert.ok(
    h.notes.some((n) => /^warning: 2025-09-05: Kite login needed: open https:\/\/kite\.example\//.test(n)),
  );
  assert.ok(!h.notes.some((n) => n.includes("PRE_MARKET")));
  assert.ok(h.timers.length > 0, "the scheduler sleeps on the injected timer");
  await h.service.stop();
});

test("TradingService stop → timers cleared, ticker and store closed, within the wait", async () => {
  const h = harness();
  await h.service.start();
  await h.service.idle();
  await h.service.stop();
  assert.equal(h.timers.length, 0);
  assert.ok(h.events.includes("ticker.close"));
  assert.equal(h.store.db.open, false);
});

test("TradingService entryBlock → follows the control state (operator switch, panic)", async () => {
  const h = harness();
  assert.equal(h.service.entryBlock(), null);
  h.store.control.setEntriesEnabled(false, "test");
  assert.equal(h.service.entryBlock(), "entries disabled by the operator");
  h.store.control.setEntriesEnabled(true, "test");
  h.store.control.setPanic(true, "test");
  assert.equal(h.service.entryBlock(), "panic");
  h.store.close();
});
