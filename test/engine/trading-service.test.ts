import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { test } from "node:test";
import { PaperBroker } from "../../src/adapters/paper/paper-broker.js";
import { Store } from "../../src/adapters/sqlite/store.js";
import { defaultConfig } from "../../src/config/load.js";
import { TradingCalendar } from "../../src/domain/calendar.js";
import { istEpochMs, parseHhmm } from "../../src/domain/ist.js";
import { executionConfig } from "../../src/engine/execution-config.js";
import { OrderManager } from "../../src/engine/order-manager.js";
import { TradingService } from "../../src/engine/trading-service.js";
import type { ServiceBroker, ServiceSessions, ServiceTicker } from "../../src/engine/trading-service-deps.js";
import type { Broker, OrderRequest, OrderUpdate } from "../../src/ports/broker.js";
import { ManualClock } from "../../src/ports/clock.js";
import type { SetTimer } from "../../src/ports/timer.js";
import { ScriptedBroker, SYM, TRADE } from "./order-manager-world.js";
import { historyWithoutSession } from "./service-world.js";

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
  const serviceOn = (on: ServiceBroker) =>
    new TradingService({
      config: defaultConfig(),
      clock,
      setTimer,
      store,
      kite: { setAccessToken: () => {} },
      history: historyWithoutSession,
      sessions,
      ticker,
      broker: on,
      calendar: new TradingCalendar(),
      loginUrl: () => "https://kite.example/connect/login?api_key=k&v=3",
      log: (l) => notes.push(l),
      notify: (level, m) => notes.push(`${level}: ${m}`),
    });
  const service = serviceOn({ mode: "paper", broker });
  /** A live service on `live` (the same store, clock and timers): the process after a restart. */
  const restartWith = (live: Broker) =>
    serviceOn({ mode: "live", broker: Object.assign(live, { feedSocketOrder: () => false }) });
  /** Fires the timers due over the next `ms`, in order, the clock at each one's time. */
  const runTimersFor = async (ms: number, on: TradingService) => {
    const until = clock.now() + ms;
    for (;;) {
      const next = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      timers.splice(timers.indexOf(next), 1);
      clock.set(Math.max(clock.now(), next.at));
      next.fn();
      await on.orderManager.idle();
    }
    clock.set(until);
  };
  return { clock, timers, store, events, notes, service, restartWith, runTimersFor };
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

/** A broker that answers every order but, from `silent()`, sends no update: the book alone tells. */
class SilentBroker extends ScriptedBroker {
  private quiet = false;
  /** The next stop is refused after its answer (as Kite's RMS does), seen only in the book. */
  refuseNextStop = false;
  silent(): void {
    this.quiet = true;
  }
  override async placeOrder(r: OrderRequest) {
    const refuse = r.type === "SL" && this.refuseNextStop;
    if (refuse) this.refuseNextStop = false;
    const placed = await super.placeOrder(r);
    const u = placed.ok ? this.byId(placed.value.orderId) : undefined;
    if (u && refuse)
      Object.assign(u, { status: "REJECTED", pendingQuantity: 0, statusMessage: "RMS: margin" });
    return placed;
  }
  override onOrderUpdate(l: (u: OrderUpdate) => void): () => void {
    return super.onOrderUpdate((u) => {
      if (!this.quiet) l(u);
    });
  }
  override async positions() {
    const held = this.byId("1")?.filledQuantity ?? 0;
    const position = { exchange: "BFO", product: "MIS" as const, averagePrice: 100, lastPrice: 100, pnl: 0 };
    return { ok: true as const, value: [{ ...position, tradingsymbol: SYM, quantity: held }] };
  }
}

test("TradingService restarted holding a position, its new stop refused with no update → the book read by the poll before any market open finds it; a stop rests within 2 s", async () => {
  const h = harness();
  h.clock.set(istEpochMs("2025-09-05", parseHhmm("12:03")));
  const broker = new SilentBroker();
  // The process before the restart: the entry sent, then the process died.
  const before = new OrderManager({
    broker,
    store: h.store,
    clock: h.clock,
    config: executionConfig(),
    ltpOf: () => 100,
  });
  await before.enter({ tradeId: TRADE, symbol: SYM, quantity: 20, stopLoss: 90 });
  await before.idle();
  broker.silent();
  broker.fill("1", 20, 100); // filled while the service was down
  broker.refuseNextStop = true;

  const service = h.restartWith(broker);
  await service.start();
  await service.idle();
  const stopsOf = () => broker.placed.filter((r) => r.type === "SL");
  assert.equal(
    stopsOf().length,
    1,
    "the reconciliation placed the stop (refused at the broker, unknown here)",
  );
  await h.runTimersFor(2_000, service);
  assert.equal(stopsOf().length, 2, "the refusal was read from the book and a stop placed again");
  assert.equal(broker.byTag(stopsOf()[1]?.tag ?? "")?.status, "TRIGGER PENDING");
  assert.deepEqual(service.orderManager.exposures(), []);
  await service.stop();
});
