/** prepareDay against the simulator (2025-09-05, previous day 2025-09-04) and its typed failures. */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { KiteHistory } from "../../src/adapters/kite/kite-history.js";
import { KiteRest } from "../../src/adapters/kite/kite-rest.js";
import { RateLimiter } from "../../src/adapters/kite/rate-limiter.js";
import { Store } from "../../src/adapters/sqlite/store.js";
import { loadCandleDirectory } from "../../src/backtest/candle-directory.js";
import { defaultConfig } from "../../src/config/load.js";
import { TradingCalendar } from "../../src/domain/calendar.js";
import { classicPivots } from "../../src/domain/pivots.js";
import { prepareDay } from "../../src/engine/pre-market.js";
import { systemClock } from "../../src/ports/clock.js";
import { type RunningSimulator, startSimulator } from "../../src/sim/simulator.js";
import { REAL_CANDLES_DIR } from "../support/paths.js";
import { loginAtSim } from "../support/sim-login.js";

const DATE = "2025-09-05";
const tmp = mkdtempSync(join(tmpdir(), "pivot-pre-market-"));
const data = loadCandleDirectory(REAL_CANDLES_DIR, () => {});
let sim: RunningSimulator;

before(async () => {
  sim = await startSimulator({
    port: 0,
    dataDir: REAL_CANDLES_DIR,
    date: DATE,
    startPaused: true,
    startTime: "09:00",
    rateLimits: false,
  });
});

after(async () => {
  await sim?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** A REST client; logged in through the simulator's login page unless `login` is false. */
async function rest(login = true): Promise<KiteRest> {
  const limits = { limit: 100, windowMs: 1000 };
  const r = new KiteRest({
    apiKey: sim.apiKey,
    apiRoot: sim.url,
    timeoutMs: 5000,
    limiter: new RateLimiter({
      clock: systemClock,
      limits: { quote: [limits], historical: [limits], orders: [limits], others: [limits] },
    }),
  });
  if (!login) return r;
  await loginAtSim(sim, r);
  return r;
}

function deps(kite: KiteRest, store?: Store) {
  return {
    history: new KiteHistory({
      kite,
      cacheDir: mkdtempSync(join(tmp, "cache-")),
      clock: sim.marketClock,
    }),
    clock: sim.marketClock,
    calendar: new TradingCalendar(),
    config: defaultConfig(),
    ...(store ? { store } : {}),
  };
}

test("prepareDay before the open → universe around the index LTP, pivots from 09-04, last 20 sizes, stored", async () => {
  const store = Store.open(join(tmp, "a.db"), { clock: sim.marketClock });
  const r = await prepareDay(deps(await rest(), store), DATE);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.failure));
  const day = r.day;
  assert.equal(day.spotSource, "ltp");
  assert.equal(day.index.instrumentToken, 265);
  assert.equal(day.plan.expiry, "2025-09-11");
  assert.deepEqual(day.setups.map((s) => s.symbol).sort(), [...(data.byDay.get(DATE)?.keys() ?? [])].sort());
  for (const s of day.setups) {
    const prev = data.byDay.get("2025-09-04")?.get(s.symbol);
    assert.ok(prev);
    assert.deepEqual(
      s.pivots,
      classicPivots(prev.dailyBar() as NonNullable<ReturnType<typeof prev.dailyBar>>),
    );
    const sizes = Array.from({ length: 20 }, (_, k) => prev.sizeAt(prev.length - 20 + k));
    assert.deepEqual(s.priorSizes, sizes, s.symbol);
    assert.equal(s.quantity, 20);
  }
  const stored = store.universe.get(DATE);
  assert.equal(stored?.contracts.length, day.setups.length);
  assert.equal(stored?.atm, day.plan.atm);
  store.close();
});

test("prepareDay without a session → NO_SESSION, nothing fetched", async () => {
  const r = await prepareDay(deps(await rest(false)), DATE);
  assert.deepEqual(!r.ok && r.failure.kind, "NO_SESSION");
});

test("prepareDay once the market is open → the spot is the index's 09:15 open", async () => {
  sim.advanceTo("10:00");
  const r = await prepareDay(deps(await rest()), DATE);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.failure));
  assert.equal(r.day.spotSource, "open");
  assert.equal(r.day.setups.length, 20);
});
