/**
 * The trading service over a whole day against the simulator replaying 2025-09-05, in live
 * mode (KiteRest/KiteBroker/TickerClient on the simulator) and in paper mode (PaperBroker fed
 * the simulator's ticks). The market is stepped 30 s at a time and the service's timers are
 * fired by hand at the market time they are due, so the run is deterministic. The trades
 * recorded must be the backtest's, and in live mode the simulator must have seen exactly one
 * entry, one protective stop and one exit (or the stop's fill) per trade.
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { KiteBroker, mapKiteStatus } from "../../src/adapters/kite/kite-broker.js";
import { KiteHistory } from "../../src/adapters/kite/kite-history.js";
import { KiteRest } from "../../src/adapters/kite/kite-rest.js";
import { RateLimiter } from "../../src/adapters/kite/rate-limiter.js";
import { SessionStore } from "../../src/adapters/kite/session-store.js";
import { TickerClient } from "../../src/adapters/kite/ticker-client.js";
import { PaperBroker } from "../../src/adapters/paper/paper-broker.js";
import { Store } from "../../src/adapters/sqlite/store.js";
import { loadCandleDirectory } from "../../src/backtest/candle-directory.js";
import { runBacktest } from "../../src/backtest/run-backtest.js";
import { defaultConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { TradingCalendar } from "../../src/domain/calendar.js";
import { istEpochMs, parseHhmm } from "../../src/domain/ist.js";
import { TradingService } from "../../src/engine/trading-service.js";
import type { OrderUpdate } from "../../src/ports/broker.js";
import { systemClock } from "../../src/ports/clock.js";
import { type RunningSimulator, startSimulator } from "../../src/sim/simulator.js";
import type { Trade } from "../../src/strategy/types.js";
import { HandTimers, UNTHROTTLED_LIMITS } from "../support/hand-timers.js";
import { REAL_CANDLES_DIR } from "../support/paths.js";
import { loginAtSim } from "../support/sim-login.js";
import { waitFor } from "../support/wait.js";

const DATE = "2025-09-05";
const tmp = mkdtempSync(join(tmpdir(), "pivot-service-day-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const data = loadCandleDirectory(REAL_CANDLES_DIR, () => {});
const backtest = runBacktest({
  config: defaultConfig(),
  data,
  calendar: new TradingCalendar(),
  from: DATE,
  to: DATE,
  warn: () => {},
});

interface DayRun {
  store: Store;
  sim: RunningSimulator;
  notes: string[];
  paperOrders: OrderUpdate[];
}

async function runDay(mode: "live" | "paper", name: string): Promise<DayRun> {
  const dir = mkdtempSync(join(tmp, `${name}-`));
  const sim = await startSimulator({
    port: 0,
    dataDir: REAL_CANDLES_DIR,
    date: DATE,
    startPaused: true,
    startTime: "08:50",
    autoLogin: true,
    rateLimits: false,
  });
  const clock = sim.marketClock;
  const base = defaultConfig();
  const config: Config = {
    ...base,
    api_key: sim.apiKey,
    api_secret: sim.apiSecret,
    trading: { ...base.trading, paper_trading: mode === "paper" },
    kite: { ...base.kite, api_root: sim.url, ws_root: sim.wsUrl, login_url: sim.loginUrl },
    data: {
      ...base.data,
      database_path: join(dir, "trading.db"),
      cache_dir: join(dir, "cache"),
      access_token_file: join(dir, "access_token.json"),
    },
  };
  const sessions = new SessionStore({ path: config.data.access_token_file, clock });
  const rest = new KiteRest({
    apiKey: sim.apiKey,
    apiRoot: sim.url,
    timeoutMs: 5000,
    limiter: new RateLimiter({ clock: systemClock, limits: UNTHROTTLED_LIMITS }),
    placeLookupDelaysMs: [50],
    onSessionExpired: (token) => sessions.markExpired(token),
  });
  // The morning login, through the simulator's login page.
  sessions.save(await loginAtSim(sim, rest));
  rest.setAccessToken(null); // the service must find the session itself

  const store = Store.open(config.data.database_path, { clock });
  const ticker = new TickerClient({
    url: sim.wsUrl,
    apiKey: sim.apiKey,
    accessToken: () => sessions.load()?.accessToken ?? null,
  });
  ticker.on("error", () => {});
  let received = 0;
  ticker.on("ticks", (ticks) => {
    received += ticks.length;
  });
  const paper = new PaperBroker({ clock });
  const timers = new HandTimers(clock);
  const notes: string[] = [];
  const service = new TradingService({
    config,
    clock,
    setTimer: timers.setTimer,
    store,
    kite: rest,
    history: new KiteHistory({ kite: rest, cacheDir: config.data.cache_dir, clock }),
    sessions,
    ticker,
    broker: mode === "live" ? { mode, broker: new KiteBroker({ rest }) } : { mode, broker: paper },
    calendar: new TradingCalendar(),
    loginUrl: () => `${sim.loginUrl}?api_key=${sim.apiKey}&v=3`,
    log: (line) => notes.push(line),
    notify: (level, message) => notes.push(`${level}: ${message}`),
    // A LIMIT entry (the default) priced off the last tick may miss a rising price within its
    // timeout, which the backtest cannot know: MARKET entries keep the comparison exact.
    // The sim's ticks of a candle may be a minute apart: the entry's timeout is one candle here.
    execution: { entryOrder: "MARKET", entryTimeoutMs: 180_000 },
  });

  /** Waits until every order at the simulator reads the same in our store, and the service is quiet. */
  const settle = async () => {
    for (let i = 0; i < 500; i++) {
      await service.idle();
      const atSim = mode === "live" ? sim.state().orders : [];
      const synced = atSim.every((o) => {
        const ours = store.orders.byTag(String(o.tag));
        const filled = Number(o.filled_quantity);
        const status = mapKiteStatus(o.status, String(o.order_type), filled);
        const final = status === "COMPLETE" || status === "CANCELLED" || status === "REJECTED";
        return (
          ours !== null &&
          ours.kiteOrderId === o.order_id &&
          (!final || ours.status === status) &&
          ours.filledQuantity === filled
        );
      });
      if (synced && store.orders.live().every((o) => o.status !== "NEW")) return;
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.fail(`orders never settled: ${JSON.stringify(sim.state().orders.map((o) => [o.tag, o.status]))}`);
  };

  let paperOrders: OrderUpdate[] = [];
  try {
    const report = await service.start();
    assert.deepEqual(report.problems, []);
    await service.idle();
    await waitFor(() => ticker.stats.connected, "the ticker to connect");
    await waitFor(
      () => Object.keys(sim.state().subscriptions[0]?.modes ?? {}).length > 0,
      "the pre-market subscription",
    );
    const subscribed = Object.keys(sim.state().subscriptions[0]?.modes ?? {}).length;
    await waitFor(() => received >= 2 * subscribed, "the subscription snapshots");
    await new Promise((r) => setTimeout(r, 50));
    received = 0;

    const start = istEpochMs(DATE, parseHhmm("09:15"));
    const end = istEpochMs(DATE, parseHhmm("15:36"));
    // Every 30 s, and 2 s after each close (the close grace): entries go out right after their close.
    const steps: number[] = [];
    for (let t = start; t <= end; t += 30_000) {
      steps.push(t);
      if ((t - start) % 180_000 === 0) steps.push(t + 2_000);
    }
    for (const t of steps) {
      sim.advanceTo(t);
      const played = sim.state().ticks.played;
      await waitFor(() => received >= played, `ticks up to ${new Date(t).toISOString()}`);
      timers.fireDue();
      await settle();
      timers.fireDue();
      await settle();
    }
    const book = await paper.orders();
    if (book.ok) paperOrders = book.value;
  } catch (e) {
    console.log(notes.join("\n"));
    throw e;
  } finally {
    await service.stop();
    await sim.close();
  }
  return { store: Store.open(config.data.database_path, { clock: systemClock }), sim, notes, paperOrders };
}

const strategyKey = (t: Trade) => ({
  trade_id: t.trade_id,
  symbol: t.symbol,
  scenario: t.scenario,
  entry_time: t.entry_time,
  entry_price: t.entry_price,
  exit_time: t.exit_time,
  exit_price: t.exit_price,
  exit_reason: t.exit_reason,
  quantity: t.quantity,
});

function assertTrades(run: DayRun): void {
  const stored = run.store.trades.byDate(DATE);
  assert.ok(backtest.trades.length > 0, "the day has trades to compare");
  assert.deepEqual(
    stored.map((t) => t.status),
    backtest.trades.map(() => "CLOSED"),
  );
  assert.deepEqual(
    stored.map((t) => strategyKey(t as Trade)),
    backtest.trades.map(strategyKey),
  );
  assert.ok(run.store.dailySummary.get(DATE), "the daily summary is stored");
  for (const t of backtest.trades) {
    const p = run.store.positions.byTradeId(t.trade_id);
    assert.equal(p?.state, "CLOSED", `${t.trade_id} closed`);
  }
  assert.deepEqual(run.store.positions.open(), []);
  console.log(
    JSON.stringify(
      stored.map((t) => strategyKey(t as Trade)),
      null,
      1,
    ),
  );
}

test("the service in LIVE mode over 2025-09-05 on the simulator → the backtest's trades, one entry and one stop per trade at the broker, the stop modified into the sale, flat", async () => {
  const run = await runDay("live", "live");
  assertTrades(run);
  const orders = run.sim.state().orders;
  const tags = orders.map((o) => String(o.tag));
  assert.equal(new Set(tags).size, tags.length, `duplicate tags: ${tags.join()}`);
  const expected: string[] = [];
  for (const t of backtest.trades) {
    const body = t.trade_id.replace(/[^A-Za-z0-9]/g, "");
    const stop = orders.find((o) => o.tag === `S${body}a`);
    expected.push(`E${body}`, `S${body}a`);
    // The sale: the resting stop itself, modified into a MARKET order at the exit (or filled as
    // a stop): never a moment without an order resting, and no separate exit order.
    assert.equal(stop?.status, "COMPLETE", `the sale of ${body}`);
    assert.equal(stop?.filled_quantity, stop?.quantity);
    assert.equal(stop?.order_type, "MARKET", `the stop of ${body} became the MARKET sale`);
  }
  assert.deepEqual([...tags].sort(), expected.sort());
  for (const t of backtest.trades) {
    const body = t.trade_id.replace(/[^A-Za-z0-9]/g, "");
    const entry = orders.find((o) => o.tag === `E${body}`);
    assert.equal(entry?.status, "COMPLETE");
    assert.equal(entry?.tradingsymbol, t.symbol);
  }
  const net = new Map<string, number>();
  for (const o of orders) {
    const q = Number(o.filled_quantity) * (o.transaction_type === "BUY" ? 1 : -1);
    net.set(String(o.tradingsymbol), (net.get(String(o.tradingsymbol)) ?? 0) + q);
  }
  assert.deepEqual(
    [...net.values()].filter((q) => q !== 0),
    [],
    "flat at the broker",
  );
  assert.deepEqual(
    run.notes.filter((n) => n.startsWith("critical")),
    [],
  );
  run.store.close();
});

test("the service in PAPER mode over 2025-09-05 → the same trades, the paper broker flat", async () => {
  const run = await runDay("paper", "paper");
  assertTrades(run);
  assert.deepEqual(run.sim.state().orders, [], "paper mode sends nothing to Kite");
  const tags = run.paperOrders.map((o) => o.tag);
  assert.equal(new Set(tags).size, tags.length);
  assert.ok(tags.length >= 2 * backtest.trades.length);
  const net = new Map<string, number>();
  for (const o of run.paperOrders) {
    net.set(
      o.tradingsymbol,
      (net.get(o.tradingsymbol) ?? 0) + o.filledQuantity * (o.side === "BUY" ? 1 : -1),
    );
  }
  assert.deepEqual(
    [...net.values()].filter((q) => q !== 0),
    [],
    "flat at the paper broker",
  );
  run.store.close();
});
