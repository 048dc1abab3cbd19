import assert from "node:assert/strict";
import { after, test } from "node:test";
import {
  POSTBACK_RAW_CAP,
  PostbackBodiesRepository,
} from "../../src/adapters/sqlite/postback-bodies-repo.js";
import { Store } from "../../src/adapters/sqlite/store.js";
import { PostbackConfirmer } from "../../src/engine/postback-confirmer.js";
import { EnginePostbackSink } from "../../src/engine/postback-sink.js";
import type { OrderRequest, OrderUpdate } from "../../src/ports/broker.js";
import { ManualClock } from "../../src/ports/clock.js";
import { hashPassword } from "../../src/web/password-hash.js";
import { POSTBACK_UPDATES_A_MINUTE_PER_ORDER } from "../../src/web/routes/postback.js";
import { AttackTable } from "../support/attack-table.js";
import { manualSchedule } from "../support/manual-schedule.js";
import { PASSWORD, signedPostback, T0, testApp, testConfig } from "./web-fixture.js";

/*
 * The scripted attacks of issue 13 §3 (postbacks) and §4 (login limits, CSP) against the web
 * app over the engine's real postback intake (SQLite store, sink, confirmer with a scripted
 * Kite order history). Each attack's outcome goes into the attack table, printed with the
 * test's output; the test fails listing any attack that got through. (The nginx site's
 * attacks, §5, run in the real nginx: test/ops/nginx-site.test.ts.)
 */

const KITE_ID = "250904000000001"; // signedPostback's order
const ENTRY: OrderRequest = {
  exchange: "BFO",
  tradingsymbol: "SENSEX2591180500CE",
  side: "BUY",
  type: "LIMIT",
  quantity: 20,
  product: "MIS",
  price: 310,
  tag: "E20250904001",
};
const FORM = { "content-type": "application/x-www-form-urlencoded" };

/** Our entry order, placed and open at Kite, unfilled; the app over the real postback intake. */
function postbackWorld() {
  const clock = new ManualClock(T0);
  const store = Store.open(":memory:", { clock });
  after(() => store.close());
  const order = store.orders.insertNew(ENTRY, { purpose: "ENTRY", tradeId: "20250904_001" });
  store.linkKiteOrderId(order.localId, KITE_ID);
  // Kite's order history of it: open, nothing filled (whatever a postback claims).
  const open: OrderUpdate = {
    orderId: KITE_ID,
    tag: ENTRY.tag,
    tradingsymbol: ENTRY.tradingsymbol,
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
  const time = manualSchedule();
  const bodies = new PostbackBodiesRepository(store.db, clock);
  const applied: OrderUpdate[] = [];
  const alerts: string[] = [];
  let reads = 0;
  const confirmer = new PostbackConfirmer({
    history: {
      orderHistory: async () => {
        reads++;
        return { ok: true, value: [open] };
      },
    },
    claims: bodies,
    orders: {
      onOrderUpdate: (u) => {
        applied.push(u);
        store.recordOrderUpdate(u);
      },
    },
    onUnconfirmed: (_claim, reason) => alerts.push(reason),
    now: time.now,
    schedule: time.schedule,
  });
  const sink = new EnginePostbackSink({ bodies, confirmer });
  const web = testApp({ deps: { postbacks: sink } });
  const post = async (body: string, remoteAddress = "198.51.100.20") =>
    (await web.app.inject({ method: "POST", url: "/postback", payload: body, remoteAddress })).statusCode;
  return { ...web, store, order, bodies, time, applied, alerts, reads: () => reads, post };
}

test("attack table: forged, replayed and doctored postbacks; login guessing; inline styles → every attack refused", async (t) => {
  const attacks = new AttackTable("issue 13 §3-§4 attacks on the web app");

  // §3: a captured genuine postback (our order filled), replayed as is.
  {
    const w = postbackWorld();
    const captured = signedPostback({
      status: "OPEN",
      filled_quantity: 0,
      pending_quantity: 20,
      average_price: 0,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push(await w.post(captured));
    const rows = w.bodies.byOrder(KITE_ID).length;
    attacks.note("§3 replay", "the same signed body 40 times: rows stored", 1, rows);
    attacks.note(
      "§3 replay",
      "  … its arrivals (those let through)",
      `${POSTBACK_UPDATES_A_MINUTE_PER_ORDER} counted, 1 copy`,
      `${w.bodies.byOrder(KITE_ID)[0]?.arrivals} counted, ${rows} copy`,
    );
    attacks.note(
      "§3 replay",
      `  … past ${POSTBACK_UPDATES_A_MINUTE_PER_ORDER} a minute for one order`,
      429,
      statuses[POSTBACK_UPDATES_A_MINUTE_PER_ORDER] ?? 0,
    );
    await w.time.advance(10_000);
    attacks.note("§3 replay", "  … order history reads for 40 arrivals", "1", String(w.reads()));
  }

  // §3: the captured body doctored (the checksum covers only order_id and order_timestamp).
  {
    const w = postbackWorld();
    const doctored = signedPostback({
      status: "COMPLETE",
      filled_quantity: 20,
      pending_quantity: 0,
      average_price: 1,
    });
    await attacks.try("§3 doctored", "a fill at ₹1 the broker never made: the answer", 200, () =>
      w.post(doctored),
    );
    await w.time.advance(10_000);
    attacks.note(
      "§3 doctored",
      "  … its verdict",
      "UNCONFIRMED",
      w.bodies.byOrder(KITE_ID)[0]?.verdict ?? "none",
    );
    attacks.note(
      "§3 doctored",
      "  … applied to the order",
      "never",
      w.applied.length === 0 ? "never" : "APPLIED",
    );
    attacks.note(
      "§3 doctored",
      "  … the order's state",
      "PLACED (unchanged)",
      `${w.store.orders.byLocalId(w.order.localId)?.status}${w.store.orders.byLocalId(w.order.localId)?.filledQuantity === 0 ? " (unchanged)" : ""}`,
    );
    attacks.note("§3 doctored", "  … the trader alerted", "1 alert", `${w.alerts.length} alert`);
  }

  // §3: a signed body padded to just under the route's 64 KB limit.
  {
    const w = postbackWorld();
    const padded = signedPostback({ status_message: "A".repeat(60_000) });
    await attacks.try("§3 size", "a signed body padded to 60 KB: the answer", 200, () => w.post(padded));
    const stored = w.bodies.byOrder(KITE_ID)[0]?.raw.length ?? 0;
    const capped = `≤ ${POSTBACK_RAW_CAP} + a note of the cut`;
    attacks.note(
      "§3 size",
      "  … characters stored",
      capped,
      stored <= POSTBACK_RAW_CAP + 100 ? capped : String(stored),
    );
  }

  // §4: password guessing from fresh addresses of one IPv6 /64.
  {
    const { app } = testApp();
    const guess = (address: string) =>
      app.inject({
        method: "POST",
        url: "/auth/login",
        headers: FORM,
        payload: "password=guess",
        remoteAddress: address,
      });
    const statuses: number[] = [];
    for (let i = 1; i <= 8; i++) statuses.push((await guess(`2001:db8:77:1::${i}`)).statusCode);
    attacks.note("§4 login", "8 guesses, each from a new address of one /64: the 6th", 429, statuses[5] ?? 0);
  }

  // §4: guessing while the engine's clock runs 80 times faster (the demo).
  {
    const wall = new ManualClock(T0);
    const { app, clock } = testApp({ deps: { wallClock: wall } });
    let through = 0;
    for (let i = 0; i < 15; i++) {
      const r = await app.inject({
        method: "POST",
        url: "/auth/login",
        headers: FORM,
        payload: "password=guess",
        remoteAddress: "203.0.113.50",
      });
      if (r.statusCode === 401) through++;
      clock.advance(((2_000 / 15) * 80) | 0);
      wall.advance((2_000 / 15) | 0);
    }
    attacks.note("§4 login", "15 guesses in 2 s with the demo's 80x clock: checked", "5", String(through));
  }

  // §4: a crowd of addresses guessing at once (scrypt is costly).
  {
    const hash = await hashPassword(PASSWORD, { ln: 14, r: 8, p: 1 });
    const { app } = testApp({ config: testConfig({ password_hash: hash }) });
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        app.inject({
          method: "POST",
          url: "/auth/login",
          headers: FORM,
          payload: "password=guess",
          remoteAddress: `192.0.2.${i + 1}`,
        }),
      ),
    );
    const checked = answers.filter((r) => r.statusCode === 401).length;
    attacks.note("§4 login", "8 addresses guessing at once: passwords checked", "2", String(checked));
  }

  // §4: an inline style injected into a page.
  {
    const { app } = testApp();
    const csp = String(
      (await app.inject({ method: "GET", url: "/auth/login" })).headers["content-security-policy"],
    );
    attacks.note(
      "§4 CSP",
      "an injected <style> or style attribute",
      "blocked (no 'unsafe-inline')",
      csp.includes("unsafe-inline") ? "ALLOWED" : "blocked (no 'unsafe-inline')",
    );
  }

  attacks.report(t);
  assert.ok(attacks.rows.length >= 14);
});
