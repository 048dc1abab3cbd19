import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { test } from "node:test";
import { PaperBroker } from "../../src/adapters/paper/paper-broker.js";
import { Store } from "../../src/adapters/sqlite/store.js";
import { defaultConfig } from "../../src/config/load.js";
import { TradingCalendar } from "../../src/domain/calendar.js";
import { type IsoDate, istEpochMs, parseHhmm } from "../../src/domain/ist.js";
import { TradingService } from "../../src/engine/trading-service.js";
import type { ServiceBroker, ServiceSessions, ServiceTicker } from "../../src/engine/trading-service-deps.js";
import type { HealthCheck } from "../../src/ports/app.js";
import { ManualClock } from "../../src/ports/clock.js";
import type { SetTimer } from "../../src/ports/timer.js";
import { historyWithoutSession } from "./service-world.js";

/** The service at 08:00 of a trading day, in `mode`, with a static IP guard that records its calls. */
function serviceAt0800(mode: "live" | "paper") {
  const clock = new ManualClock(istEpochMs("2025-09-05", parseHhmm("08:00")));
  const setTimer: SetTimer = () => () => {};
  const store = Store.open(":memory:", { clock });
  const ticker = Object.assign(new EventEmitter(), {
    connect: () => {},
    close: async () => {},
    subscribe: () => {},
    unsubscribe: () => {},
  }) as unknown as ServiceTicker;
  const sessions: ServiceSessions = { load: () => null, current: () => null, on: () => () => {} };
  const paper = new PaperBroker({ clock });
  const broker: ServiceBroker =
    mode === "live"
      ? { mode: "live", broker: Object.assign(paper, { feedSocketOrder: () => true }) }
      : { mode: "paper", broker: paper };
  const checkedOn: IsoDate[] = [];
  let block: string | null = null;
  const service = new TradingService({
    config: defaultConfig(),
    clock,
    setTimer,
    store,
    kite: { setAccessToken: () => {} },
    history: historyWithoutSession,
    sessions,
    ticker,
    broker,
    calendar: new TradingCalendar(),
    loginUrl: () => "https://pivot.example/login?link=x",
    log: () => {},
    notify: () => {},
    staticIp: {
      checkBeforeOpen: async (date): Promise<HealthCheck> => {
        checkedOn.push(date);
        return { name: "static ip", level: "critical", detail: "not registered" };
      },
      entryBlock: () => block,
    },
  });
  return { service, checkedOn, setBlock: (b: string | null) => (block = b) };
}

test("live service at the 08:00 session check → compares the static IP for the day", async () => {
  const h = serviceAt0800("live");
  await h.service.start();
  await h.service.idle();
  assert.deepEqual(h.checkedOn, ["2025-09-05"]);
  await h.service.stop();
});

test("paper service at the 08:00 session check → no static IP comparison (no orders reach Kite)", async () => {
  const h = serviceAt0800("paper");
  await h.service.start();
  await h.service.idle();
  assert.deepEqual(h.checkedOn, []);
  await h.service.stop();
});

test("an order refused for its source address → the service's entry gate shuts with the guard's reason", () => {
  const h = serviceAt0800("live");
  assert.equal(h.service.entryBlock(), null);
  h.setBlock("Kite refuses orders from this server's address (static IP)");
  assert.match(h.service.entryBlock() ?? "", /static IP/);
});
