import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { test } from "node:test";
import { Store } from "../../src/adapters/sqlite/store.js";
import { statusReply } from "../../src/adapters/telegram/bot-replies.js";
import { ServiceEngineView } from "../../src/app/engine-view.js";
import { defaultConfig } from "../../src/config/load.js";
import { TradingCalendar } from "../../src/domain/calendar.js";
import { executionConfig } from "../../src/engine/execution-config.js";
import { OrderManager } from "../../src/engine/order-manager.js";
import type { TradingService } from "../../src/engine/trading-service.js";
import type { OrderChanges } from "../../src/ports/broker.js";
import { ManualClock } from "../../src/ports/clock.js";
import { ScriptedBroker, SYM, TRADE } from "../engine/order-manager-world.js";

/** A held quantity the stop does not cover: the entry's rest filled and the stop's resize refused. */
async function uncoveredWorld() {
  const broker = new ScriptedBroker();
  broker.modifyOrder = async (_id: string, _c: OrderChanges) => ({
    ok: false,
    error: { kind: "network", message: "timeout" },
  });
  const clock = new ManualClock(Date.parse("2025-09-05T04:00:00Z")); // 09:30 IST
  const store = Store.open(":memory:", { clock });
  const om = new OrderManager({ broker, store, clock, config: executionConfig(), ltpOf: () => 100 });
  broker.onOrderUpdate((u) => om.onOrderUpdate(u));
  await om.enter({ tradeId: TRADE, symbol: SYM, quantity: 40, stopLoss: 90 });
  broker.fill("1", 20, 100);
  await om.idle();
  broker.fill("1", 40, 100); // the stop covers 20 of 40 and cannot grow
  await om.idle();
  const service = {
    events: new EventEmitter(),
    orderManager: om,
    day: null,
    lastPrice: () => 100,
    sessionIsLost: false,
    gaveUpToday: false,
  } as unknown as TradingService;
  const view = new ServiceEngineView({
    service,
    store,
    config: defaultConfig(),
    clock,
    calendar: new TradingCalendar(),
    sessions: { current: () => null },
    ticker: { stats: { connected: true, lastFrameAt: null } as never },
    mode: "LIVE",
    version: "test",
    startedAtMs: clock.now(),
    checks: () => [],
    every: () => () => {},
  });
  return { view, clock };
}

test("status of a position held beyond its stop (resize refused) → exposures: the uncovered quantity and since when; /status says so", async () => {
  const { view, clock } = await uncoveredWorld();
  clock.advance(3_000);
  const s = view.status();
  assert.deepEqual(s.exposures, [
    { tradeId: TRADE, symbol: SYM, held: 40, uncovered: 20, since: "2025-09-05T09:30:00+05:30", forS: 3 },
  ]);
  assert.match(
    statusReply(s).text,
    /20 of 40 SENSEX2591180500CE held without a resting stop since 09:30:00 \(3 s\)/,
  );
});
