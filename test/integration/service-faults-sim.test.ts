/**
 * Fault tests of the trading service in LIVE mode against the simulator replaying 2025-09-05
 * (see service-harness.ts), with the simulator's fault injection around the day's two trades:
 * SENSEX2591180300PE entered 10:15 and stopped out 11:33, SENSEX2591180800PE entered 12:03 and
 * stopped out 12:06. Every test also checks: no tag twice at the simulator, flat at the
 * simulator at the end of the day, and nothing thrown inside the service.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { ExecutionConfig } from "../../src/engine/execution-config.js";
import {
  backtestTrades,
  DATE,
  dataCandles,
  ServiceDay,
  sleep,
  strategyKey,
  tagBody,
  waitFor,
} from "./service-harness.js";

const root = mkdtempSync(join(tmpdir(), "pivot-service-faults-"));
after(() => rmSync(root, { recursive: true, force: true }));

const backtest = backtestTrades(1);
const [T1, T2] = backtest;
assert.ok(T1 && T2, "the day has its two trades");
const E1 = `E${tagBody(T1.trade_id)}`;
const S1 = `S${tagBody(T1.trade_id)}a`;
const E2 = `E${tagBody(T2.trade_id)}`;

async function withDay(
  options: { name: string; lots?: number; tickerSilenceMs?: number; execution?: Partial<ExecutionConfig> },
  body: (day: ServiceDay) => Promise<void>,
): Promise<void> {
  const day = await ServiceDay.start({ root, ...options });
  try {
    await body(day);
  } catch (e) {
    console.log(day.notes.join("\n"));
    throw e;
  } finally {
    await day.stop();
  }
}

const tagsAtSim = (day: ServiceDay) => day.simOrders().map((o) => String(o.tag));
const simOrder = (day: ServiceDay, tag: string) => day.simOrders().find((o) => o.tag === tag);
/** What the protective stops and the exits of a trade sold at the simulator. */
const soldAtSim = (day: ServiceDay, tradeId: string) =>
  day
    .simOrders()
    .filter((o) => /^[SX]/.test(String(o.tag)) && String(o.tag).slice(1).startsWith(tagBody(tradeId)))
    .reduce((n, o) => n + Number(o.filled_quantity ?? 0), 0);

function assertBacktestTrades(day: ServiceDay, expected = backtest): void {
  const stored = day.store.trades.byDate(DATE);
  assert.deepEqual(
    stored.map((t) => strategyKey(t as never)),
    expected.map(strategyKey),
  );
}

function assertAllClosed(day: ServiceDay): void {
  assert.deepEqual(
    day.store.positions.open().map((p) => `${p.tradeId} ${p.state}`),
    [],
    "no position left open in the database",
  );
}

test("token expiry with a position open (10:16), re-login at 12:10 → exits attempted without duplicates and reported, no new entry, the stop stays at the broker, resumed after the login", async () => {
  await withDay({ name: "expiry" }, async (day) => {
    await day.runTo("10:15:30");
    assert.equal(simOrder(day, E1)?.status, "COMPLETE", "the entry filled");
    assert.equal(simOrder(day, S1)?.status, "TRIGGER PENDING", "the stop rests at the simulator");
    assert.equal(day.store.positions.byTradeId(T1.trade_id)?.state, "OPEN");

    day.sim.injectFault({ kind: "expire_token" });
    await day.runTo("11:33:02");
    // The strategy's exit at 11:33: the stop's cancel fails with the dead token; the service learns it.
    const critical = day.notes.filter((n) => n.startsWith("critical") && /session ended/.test(n));
    assert.equal(critical.length, 1, "one critical alert that the session ended");
    assert.equal(day.service.entryBlock(), "the broker session expired");
    assert.equal(day.store.positions.byTradeId(T1.trade_id)?.state, "CLOSING", "the exit is decided");
    assert.equal(simOrder(day, S1)?.status, "TRIGGER PENDING", "the stop still protects at the simulator");

    await day.runTo("12:09:30");
    // Exits kept being attempted (cancels), never a new order; no entry for the 12:03 trade.
    assert.deepEqual(tagsAtSim(day).sort(), [E1, S1].sort(), "no order placed while the session is dead");
    const skipped = day.store.signals
      .byDate(DATE)
      .filter((sg) => sg.symbol === T2.symbol && sg.time === T2.entry_time);
    assert.deepEqual(
      skipped.map((sg) => [sg.action, sg.reason, sg.detail]),
      [["SKIPPED", "ENTRIES_DISABLED", "the broker session expired"]],
      "the 12:03 signal is skipped: entries are gated while the session is dead",
    );
    assert.equal(day.store.positions.byTradeId(T2.trade_id), null, "no position for the refused entry");
    assert.ok(day.service.day?.strategyDay, "the day goes on");

    // The operator logs in again (the service's LoginFlow: the same KiteRest and SessionStore).
    await day.login();
    await day.runTo("12:10");
    assert.ok(day.notes.some((n) => n.startsWith("info") && /session of .* started/.test(n)));
    assert.equal(day.service.entryBlock(), null, "entries allowed again");
    // The exit resumes: the stop itself modified into the MARKET sale (it never stopped resting).
    assert.equal(simOrder(day, S1)?.order_type, "MARKET", "the stop became the sale");
    assert.deepEqual(tagsAtSim(day).sort(), [E1, S1].sort(), "no other order");
    await day.runTo("12:21");
    // The outage was reported once, not at every retry, and its end too.
    assert.equal(
      day.notes.filter((n) => /order book unreadable/.test(n)).length,
      1,
      "one alert for the outage",
    );
    assert.ok(day.notes.some((n) => /order book readable again/.test(n)));
    // The sale filled (a MARKET order resting at its protection price is repriced in place).
    assert.equal(simOrder(day, S1)?.status, "COMPLETE");
    assert.deepEqual(
      tagsAtSim(day)
        .filter((t) => t.includes(tagBody(T1.trade_id)))
        .sort(),
      [E1, S1].sort(),
      "no other order for the first trade",
    );
    assert.equal(day.store.positions.byTradeId(T1.trade_id)?.state, "CLOSED", "the exit happened");

    await day.runTo("end");
    assertAllClosed(day);
    day.assertInvariants();
  });
});

test("token expiry with a position open, re-login by `pivot login` in another process (a new session file) → the service adopts it and resumes", async () => {
  await withDay({ name: "expiry-file" }, async (day) => {
    await day.runTo("10:15:30");
    day.sim.injectFault({ kind: "expire_token" });
    await day.runTo("11:36");
    assert.equal(day.store.positions.byTradeId(T1.trade_id)?.state, "CLOSING");
    // `pivot login` while the service runs: its own KiteRest and SessionStore write the file.
    const { KiteRest } = await import("../../src/adapters/kite/kite-rest.js");
    const { RateLimiter } = await import("../../src/adapters/kite/rate-limiter.js");
    const { SessionStore } = await import("../../src/adapters/kite/session-store.js");
    const other = new KiteRest({
      apiKey: day.sim.apiKey,
      apiRoot: day.sim.url,
      timeoutMs: 5000,
      limiter: new RateLimiter({ clock: day.sim.marketClock }),
    });
    await day.login(
      other,
      new SessionStore({ path: day.config.data.access_token_file, clock: day.sim.marketClock }),
    );
    await day.runTo("12:00");
    assert.equal(day.service.entryBlock(), null, "entries allowed again");
    assert.equal(day.store.positions.byTradeId(T1.trade_id)?.state, "CLOSED", "the exit happened");
    await day.runTo("end");
    assertAllClosed(day);
    day.assertInvariants();
  });
});

test("socket drop (10:16) and silence (11:00, beyond the watchdog) → the ticker reconnects, candles continue, the backtest's trades", async () => {
  await withDay({ name: "socket", tickerSilenceMs: 400 }, async (day) => {
    await day.runTo("10:16");
    const reconnects = day.ticker.stats.reconnects;
    day.sim.injectFault({ kind: "drop_socket" });
    await waitFor(() => day.ticker.stats.reconnects > reconnects, "the drop to be seen");
    await day.resync("the ticker to reconnect after the drop");
    await day.runTo("11:00");
    const beforeSilence = day.ticker.stats.reconnects;
    day.sim.injectFault({ kind: "silence_socket", seconds: 1 });
    await waitFor(
      () => day.ticker.stats.reconnects > beforeSilence,
      "the watchdog to replace the silent socket",
    );
    await day.resync("the ticker to reconnect after the silence", 5000);
    await day.runTo("end");

    assertBacktestTrades(day);
    assert.deepEqual(
      day.store.trades.byDate(DATE).map((t) => t.status),
      backtest.map(() => "CLOSED"),
    );
    // Candles continued after each fault: every 3-minute close of the traded contract is stored.
    for (const t of backtest) {
      const stored = day.store.candles.day(DATE).get(t.symbol) ?? [];
      const source = dataCandles(t.symbol).filter((c) => stored.some((s) => s.start === c.start));
      assert.ok(stored.length >= 100, `${stored.length} candles of ${t.symbol}`);
      assert.deepEqual(
        stored.map((c) => [c.start, c.open, c.high, c.low, c.close]),
        source.map((c) => [c.start, c.open, c.high, c.low, c.close]),
        `the candles of ${t.symbol} are the data's`,
      );
    }
    assert.ok(
      !day.notes.some((n) => /closed after its close was processed/.test(n)),
      "no candle dropped as late",
    );
    assertAllClosed(day);
    day.assertInvariants();
  });
});

for (const burst of [
  { kind: "http_429" as const, count: 2 },
  { kind: "http_5xx" as const, count: 2, status: 503 as const },
  { kind: "http_5xx" as const, count: 6, status: 502 as const },
]) {
  test(`${burst.kind} ×${burst.count} at the 10:15 entry → one entry order per tag at the simulator, the trade still happens or is dropped cleanly`, async () => {
    await withDay({ name: `burst-${burst.kind}-${burst.count}` }, async (day) => {
      await day.runTo("10:15");
      day.sim.injectFault(burst);
      // The entry's placement may stay unresolved for a while (reconciled by tag): not strict here.
      await day.runTo("10:18", false);
      await day.runTo("end");
      const entries = day.simOrders().filter((o) => o.tag === E1);
      assert.ok(entries.length <= 1, "at most one entry order");
      const entered = entries.length === 1 && entries[0]?.status === "COMPLETE";
      console.log(`# ${burst.kind} ×${burst.count}: the entry ${entered ? "happened" : "was dropped"}`);
      if (entered) {
        assert.equal(day.store.positions.byTradeId(T1.trade_id)?.state, "CLOSED");
        assert.ok(tagsAtSim(day).includes(S1), "the stop was placed");
      } else {
        assert.ok(
          day.notes.some((n) => /^(warning|critical)/.test(n) && n.includes(T1.trade_id)),
          "the dropped entry is reported",
        );
      }
      assert.ok(tagsAtSim(day).includes(E2), "the 12:03 trade happens");
      assertBacktestTrades(day);
      assertAllClosed(day);
      day.assertInvariants();
    });
  });
}

test("a rejected entry (reject_next_order before 10:15) → recorded, alerted, not retried; the strategy forgets it; database and broker agree", async () => {
  await withDay({ name: "reject" }, async (day) => {
    await day.runTo("10:15");
    day.sim.injectFault({ kind: "reject_next_order" });
    await day.runTo("10:18");
    assert.deepEqual(
      day.simOrders().map((o) => [o.tag, o.status]),
      [[E1, "REJECTED"]],
      "one entry, rejected, no retry, no stop",
    );
    const entry = day.store.orders.byTag(E1);
    assert.equal(entry?.status, "REJECTED");
    assert.match(entry?.statusMessage ?? "", /Insufficient funds/);
    assert.equal(day.store.positions.byTradeId(T1.trade_id)?.state, "CLOSED");
    assert.ok(day.notes.some((n) => n.startsWith("warning") && n.includes(E1) && /refused/.test(n)));
    assert.ok(day.notes.some((n) => n.startsWith("warning") && n.includes(`entry of ${T1.trade_id} failed`)));
    assert.equal(day.service.day?.strategyDay?.openPosition, null, "the strategy holds nothing");
    assert.equal(day.store.trades.byId(T1.trade_id), null, "no trade row for the rejected entry");
    // The trader is told once: the contract, rejected, Kite's words (no second "order rejected").
    const told = day.notifications.filter(
      (n) => (n.kind === "entry_unfilled" || n.kind === "order_problem") && n.tradeId === T1.trade_id,
    );
    assert.deepEqual(
      told.map((n) => (n.kind === "entry_unfilled" ? [n.kind, n.symbol, n.tag, n.fate] : [n.kind])),
      [["entry_unfilled", T1.symbol, E1, "rejected"]],
    );
    assert.match(told[0]?.kind === "entry_unfilled" ? (told[0].why ?? "") : "", /Insufficient funds/);

    await day.runTo("end");
    assert.deepEqual(
      tagsAtSim(day).filter((t) => t.includes(tagBody(T1.trade_id))),
      [E1],
      "trade 1: nothing more",
    );
    // Every trade recorded was bought and sold at the broker, and every purchase is a recorded trade.
    const recorded = day.store.trades.byDate(DATE);
    const bought = day
      .simOrders()
      .filter((o) => o.transaction_type === "BUY" && Number(o.filled_quantity) > 0);
    assert.deepEqual(
      recorded.map((t) => `E${tagBody(t.trade_id)}`),
      bought.map((o) => String(o.tag)),
    );
    assert.deepEqual(
      recorded.map((t) => t.status),
      recorded.map(() => "CLOSED"),
    );
    assert.equal(day.store.dailySummary.get(DATE)?.total_trades, recorded.length);
    console.log(
      `# after the rejection: ${recorded.map((t) => `${t.trade_id} ${t.symbol} ${t.entry_time}`).join("; ")}`,
    );
    assertAllClosed(day);
    day.assertInvariants();
  });
});

/** Steps the market 2 s at a time from 10:15:02 until the entry is half filled; returns whether it was seen. */
async function untilHalfFilled(day: ServiceDay): Promise<boolean> {
  for (let i = 0; i < 80; i++) {
    day.sim.advanceTo(day.sim.marketClock.now() + 2_000);
    const e = simOrder(day, E1);
    if (Number(e?.filled_quantity) === 20 && e?.status === "OPEN") {
      await sleep(30);
      await day.pump(3);
      return true;
    }
  }
  return false;
}

test("a partial fill of the entry (2 lots, 0.5), the rest filled later → the stop covers the half, then grows to all; the exit sells 40; flat", async () => {
  const lots2 = backtestTrades(2);
  await withDay({ name: "partial", lots: 2, execution: { entryTimeoutMs: 600_000 } }, async (day) => {
    await day.runTo("10:15");
    day.sim.injectFault({ kind: "partial_fill_next_order", fraction: 0.5 });
    await day.runTo("10:15:02");
    assert.ok(await untilHalfFilled(day), "the half fill happens");
    assert.equal(Number(simOrder(day, S1)?.quantity), 20, "the stop covers the filled half");
    assert.equal(simOrder(day, S1)?.status, "TRIGGER PENDING");
    assert.equal(day.store.positions.byTradeId(T1.trade_id)?.quantity, 20);

    await day.runTo("10:24");
    assert.equal(simOrder(day, E1)?.status, "COMPLETE", "the rest filled (10:18 candle)");
    assert.equal(Number(simOrder(day, S1)?.quantity), 40, "the stop grown to the whole position");
    assert.equal(day.store.positions.byTradeId(T1.trade_id)?.quantity, 40);

    await day.runTo("end");
    const sold = soldAtSim(day, T1.trade_id);
    assert.equal(sold, 40, "sold what was held");
    assertBacktestTrades(day, lots2);
    assertAllClosed(day);
    day.assertInvariants();
  });
});

test("a partial fill of the entry (2 lots, 0.5), the rest not filled by the entry timeout → the rest cancelled, 20 held, protected and sold; flat", async () => {
  await withDay({ name: "partial-timeout", lots: 2 }, async (day) => {
    await day.runTo("10:15");
    day.sim.injectFault({ kind: "partial_fill_next_order", fraction: 0.5 });
    await day.runTo("10:15:02");
    assert.ok(await untilHalfFilled(day), "the half fill happens");
    assert.equal(Number(simOrder(day, S1)?.quantity), 20, "the stop covers the filled half");
    await day.runTo("10:21");
    assert.equal(
      simOrder(day, E1)?.status,
      "CANCELLED",
      "the rest cancelled at the entry timeout (10:18:02)",
    );
    assert.equal(Number(simOrder(day, E1)?.filled_quantity), 20);
    assert.equal(Number(simOrder(day, S1)?.quantity), 20);
    assert.equal(day.store.positions.byTradeId(T1.trade_id)?.state, "OPEN");
    await day.runTo("end");
    const sold = soldAtSim(day, T1.trade_id);
    assert.equal(sold, 20, "sold what was held");
    assertAllClosed(day);
    day.assertInvariants();
  });
});

test("a partial fill kept after the entry timeout → the trade recorded has the quantity held, not the strategy's", async () => {
  await withDay({ name: "partial-record", lots: 2 }, async (day) => {
    await day.runTo("10:15");
    day.sim.injectFault({ kind: "partial_fill_next_order", fraction: 0.5 });
    await day.runTo("end");
    assert.equal(Number(simOrder(day, E1)?.filled_quantity), 20, "20 bought");
    assert.equal(day.store.trades.byId(T1.trade_id)?.quantity, 20, "the trade as executed");
  });
});

test("skip_postbacks all day → the fills are learned from the socket: the backtest's trades", async () => {
  await withDay({ name: "postbacks" }, async (day) => {
    day.sim.injectFault({ kind: "skip_postbacks", count: 10_000 });
    await day.runTo("end");
    assertBacktestTrades(day);
    assertAllClosed(day);
    day.assertInvariants();
  });
});

test("skip_postbacks and the socket silent when the 11:33 exit fills → the fill is learned by polling the book", async () => {
  await withDay({ name: "lost-exit-fill" }, async (day) => {
    await day.runTo("11:33:02");
    assert.equal(simOrder(day, S1)?.order_type, "MARKET", "the exit is out: the stop became the sale");
    day.sim.injectFault({ kind: "skip_postbacks", count: 100 });
    day.sim.injectFault({ kind: "silence_socket", seconds: 1 });
    for (let i = 0; i < 36 && simOrder(day, S1)?.status !== "COMPLETE"; i++)
      day.sim.advanceTo(day.sim.marketClock.now() + 5_000);
    assert.equal(simOrder(day, S1)?.status, "COMPLETE", "the exit filled at the simulator while silent");
    assert.ok(day.sim.state().faults.silenced_for_ms > 0, "still silent");
    await sleep(1100);
    await day.resync("the socket to speak again");
    assert.notEqual(day.store.orders.byTag(S1)?.status, "COMPLETE", "the fill was not heard");
    await day.runTo("11:37", false);
    assert.equal(day.store.orders.byTag(S1)?.status, "COMPLETE", "the exit fill is learned");
    assert.equal(day.store.positions.byTradeId(T1.trade_id)?.state, "CLOSED");
    await day.runTo("end");
    assertBacktestTrades(day);
    assertAllClosed(day);
    day.assertInvariants();
  });
});
