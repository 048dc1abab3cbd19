import assert from "node:assert/strict";
import { after, test } from "node:test";
import { checkKitePostback } from "../../src/adapters/kite/postback-check.js";
import { Store } from "../../src/adapters/sqlite/store.js";
import { ALERT_EVERY_MS, createPostbackIntake } from "../../src/engine/postback-intake.js";
import type { OrderUpdate } from "../../src/ports/broker.js";
import { ManualClock } from "../../src/ports/clock.js";
import { manualSchedule } from "../support/manual-schedule.js";
import { API_SECRET, signedPostback, T0 } from "../web/web-fixture.js";

const KITE_ID = "250904000000001";

test("postback intake: doctored postbacks of one order → each audited, the trader alerted once per 5 minutes, none applied", async () => {
  const clock = new ManualClock(T0);
  const store = Store.open(":memory:", { clock });
  after(() => store.close());
  const time = manualSchedule();
  const open: OrderUpdate = {
    orderId: KITE_ID,
    tag: "E20250904001",
    tradingsymbol: "SENSEX2591180500CE",
    side: "BUY",
    type: "LIMIT",
    status: "OPEN",
    statusMessage: null,
    quantity: 20,
    filledQuantity: 0,
    pendingQuantity: 20,
    averagePrice: 0,
    price: 310,
    triggerPrice: 0,
    orderTimestamp: "2025-09-04 09:30:01",
    source: "poll",
    raw: "{}",
  };
  const alerts: string[] = [];
  const logged: string[] = [];
  const applied: OrderUpdate[] = [];
  const intake = createPostbackIntake({
    store,
    broker: { orderHistory: async () => ({ ok: true, value: [open] }) },
    orders: { onOrderUpdate: (u) => void applied.push(u) },
    alert: (m) => void alerts.push(m),
    log: (m) => void logged.push(m),
    onConsumerError: () => {},
    now: time.now,
    schedule: time.schedule,
  });
  const send = async (averagePrice: number) => {
    const raw = signedPostback({ average_price: averagePrice });
    const v = checkKitePostback(raw, API_SECRET);
    assert.ok(v.ok);
    assert.equal(await intake.sink.accept(v.update), "pending");
  };
  for (const price of [1, 2, 3]) await send(price);
  await time.advance(10_000);
  assert.equal(alerts.length, 1);
  assert.match(
    alerts[0] ?? "",
    /postback of order 250904000000001 NOT applied: it claimed COMPLETE with 20 of 20 filled at 1/,
  );
  assert.equal(logged.length, 2, "the others logged");
  assert.equal(store.audit.recent(10).filter((e) => e.action === "postback_unconfirmed").length, 3);
  await time.advance(ALERT_EVERY_MS);
  await send(4);
  await time.advance(10_000);
  assert.equal(alerts.length, 2, "alerted again after the spacing");
  assert.deepEqual(applied, []);
  await intake.confirmer.stop();
});
