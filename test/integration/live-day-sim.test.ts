/**
 * THE live pipeline against the simulator: pre-market through KiteRest, ticks over the
 * ticker socket into LiveDay, the market stepped 30 s at a time from 09:15 to 15:30. The
 * strategy must take exactly the trades (and record exactly the signals) that the backtester
 * finds on the same data, and the recorded candles must be the data's.
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { KiteHistory } from "../../src/adapters/kite/kite-history.js";
import { KiteRest } from "../../src/adapters/kite/kite-rest.js";
import { RateLimiter } from "../../src/adapters/kite/rate-limiter.js";
import { TickerClient } from "../../src/adapters/kite/ticker-client.js";
import { Store } from "../../src/adapters/sqlite/store.js";
import { loadCandleDirectory } from "../../src/backtest/candle-directory.js";
import { runBacktest } from "../../src/backtest/run-backtest.js";
import { defaultConfig } from "../../src/config/load.js";
import { TradingCalendar } from "../../src/domain/calendar.js";
import { istEpochMs, parseHhmm } from "../../src/domain/ist.js";
import { LiveDay } from "../../src/engine/live-day.js";
import { prepareContracts, prepareDay } from "../../src/engine/pre-market.js";
import { universeConfigFrom } from "../../src/engine/universe-plan.js";
import { systemClock } from "../../src/ports/clock.js";
import { type RunningSimulator, startSimulator } from "../../src/sim/simulator.js";
import { strategyParamsFrom } from "../../src/strategy/params.js";
import type { SignalRecord, Trade } from "../../src/strategy/types.js";
import { REAL_CANDLES_DIR } from "../support/paths.js";
import { loginAtSim } from "../support/sim-login.js";
import { waitFor } from "../support/wait.js";

const DATE = "2025-09-05";
const tmp = mkdtempSync(join(tmpdir(), "pivot-live-day-"));
let sim: RunningSimulator;

before(async () => {
  sim = await startSimulator({
    port: 0,
    dataDir: REAL_CANDLES_DIR,
    date: DATE,
    startPaused: true,
    startTime: "09:00",
    autoLogin: true,
  });
});

after(async () => {
  await sim?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function loggedInRest(): Promise<{ rest: KiteRest; token: string }> {
  const rest = new KiteRest({
    apiKey: sim.apiKey,
    apiRoot: sim.url,
    timeoutMs: 5000,
    limiter: new RateLimiter({ clock: systemClock }),
  });
  const { accessToken } = await loginAtSim(sim, rest);
  return { rest, token: accessToken };
}

const tradeKey = (t: Trade) => ({
  symbol: t.symbol,
  scenario: t.scenario,
  entry_time: t.entry_time,
  entry_price: t.entry_price,
  exit_time: t.exit_time,
  exit_price: t.exit_price,
  exit_reason: t.exit_reason,
  stop_loss: t.stop_loss,
  target: t.target,
  quantity: t.quantity,
  pnl_rupees: t.pnl_rupees,
});
const signalKey = (s: SignalRecord) => ({ ...s });

test("a live day on the simulator (2025-09-05) → the backtest's trades and signals, the data's candles", async () => {
  const config = defaultConfig();
  const calendar = new TradingCalendar();
  const clock = sim.marketClock;
  const store = Store.open(join(tmp, "trading.db"), { clock });
  const { rest, token } = await loggedInRest();
  const warnings: string[] = [];
  const deps = {
    history: new KiteHistory({ kite: rest, cacheDir: join(tmp, "cache"), clock }),
    clock,
    calendar,
    config,
    store,
    warn: (m: string) => warnings.push(m),
  };

  const prepared = await prepareDay(deps, DATE);
  assert.ok(prepared.ok, JSON.stringify(!prepared.ok && prepared.failure));
  const day = prepared.day;
  assert.equal(day.spotSource, "ltp");
  assert.equal(store.universe.get(DATE)?.contracts.length, day.plan.contracts.length);

  const params = strategyParamsFrom(config);
  const live = new LiveDay({
    date: DATE,
    params,
    sessionEnd: parseHhmm(config.market.end_time),
    clock,
    plan: day.plan,
    setups: day.setups,
    indexToken: day.index.instrumentToken,
    store,
    master: day.master,
    universeConfig: universeConfigFrom(config),
    prepareAdditions: async (contracts) => {
      const r = await prepareContracts(deps, DATE, contracts);
      return r.ok ? r.value : null;
    },
  });
  const liveWarnings: string[] = [];
  live.on("warning", (m) => liveWarnings.push(m));
  const entries: string[] = [];
  live.on("entry", (p) => entries.push(p.trade_id));

  const client = new TickerClient({ url: sim.wsUrl, apiKey: sim.apiKey, accessToken: () => token });
  let received = 0;
  client.on("ticks", (ticks) => {
    received += ticks.length;
  });
  client.on("error", () => {});
  live.start(client);
  client.connect();
  try {
    await waitFor(() => client.stats.connected, "the ticker to connect");
    await waitFor(
      () => sim.state().subscriptions.some((s) => Object.keys(s.modes).length > 0),
      "the subscription",
    );
    const subscribed = Object.keys(sim.state().subscriptions[0]?.modes ?? {}).length;
    assert.equal(subscribed, day.plan.contracts.length + 1);
    // The snapshots Kite sends on subscribe (previous close, no trade): let them arrive, then
    // count only the replay's ticks (every instrument of the simulator is subscribed).
    await waitFor(() => received >= 2 * subscribed, "the subscription snapshots");
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(sim.state().ticks.played, 0);
    received = 0;

    const start = istEpochMs(DATE, parseHhmm("09:15"));
    const end = istEpochMs(DATE, parseHhmm("15:30")) + 3_000;
    for (let t = start; t <= end; t += 30_000) {
      sim.advanceTo(t);
      const played = sim.state().ticks.played;
      await waitFor(() => received >= played, `ticks up to ${new Date(t).toISOString()}`);
      live.poll(clock.now());
    }
    live.finish();
  } finally {
    await client.close();
  }
  const figures = live.summary();

  // The backtest of the same data and day.
  const data = loadCandleDirectory(REAL_CANDLES_DIR, () => {});
  const bt = runBacktest({ config, data, calendar, from: DATE, to: DATE, warn: () => {} });

  const universe = new Set(day.plan.contracts.map((c) => c.tradingsymbol));
  assert.deepEqual([...universe].sort(), [...(data.byDay.get(DATE)?.keys() ?? [])].sort());
  // The recorded candles are the data's (volume aside: LTP ticks carry no interval volume).
  const recorded = store.candles.day(DATE);
  for (const symbol of universe) {
    const expected = data.byDay.get(DATE)?.get(symbol)?.toCandles() ?? [];
    const got = recorded.get(symbol) ?? [];
    assert.deepEqual(
      got.map((c) => [c.start, c.open, c.high, c.low, c.close]),
      expected.map((c) => [c.start, c.open, c.high, c.low, c.close]),
      symbol,
    );
  }
  assert.ok(bt.trades.length > 0, "the day has trades to compare");
  assert.deepEqual(live.trades.map(tradeKey), bt.trades.map(tradeKey));
  assert.deepEqual(live.trades, bt.trades);
  assert.deepEqual(store.signals.byDate(DATE).map(signalKey), bt.signals.map(signalKey));
  assert.deepEqual(
    entries,
    bt.trades.map((t) => t.trade_id),
  );
  assert.deepEqual(
    store.trades.byDate(DATE).map((t) => [t.trade_id, t.status]),
    bt.trades.map((t) => [t.trade_id, "CLOSED"]),
  );
  assert.equal(figures.total_trades, bt.summary.total_trades);
  assert.ok(store.dailySummary.get(DATE));

  assert.deepEqual(liveWarnings, []);
  console.log(JSON.stringify(live.trades.map(tradeKey), null, 1));
  store.close();
});
