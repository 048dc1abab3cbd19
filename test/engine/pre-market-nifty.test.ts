/**
 * prepareDay with `trading.instrument: "NIFTY"` against the simulator replaying a NIFTY sample
 * market: the NFO and NSE masters, the NSE:NIFTY 50 index, a 50-point window, lots of 65.
 */

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { KiteHistory } from "../../src/adapters/kite/kite-history.js";
import { KiteRest } from "../../src/adapters/kite/kite-rest.js";
import { RateLimiter } from "../../src/adapters/kite/rate-limiter.js";
import { writeSampleData } from "../../src/backtest/sample-data.js";
import { parseConfig } from "../../src/config/load.js";
import { tradingCalendarOf } from "../../src/config/underlying.js";
import { prepareDay } from "../../src/engine/pre-market.js";
import { systemClock } from "../../src/ports/clock.js";
import { type RunningSimulator, startSimulator } from "../../src/sim/simulator.js";
import { loginAtSim } from "../support/sim-login.js";

const DATE = "2025-09-08";
const tmp = mkdtempSync(join(tmpdir(), "pivot-pre-market-nifty-"));
let sim: RunningSimulator;

before(async () => {
  writeSampleData({
    outDir: join(tmp, "market"),
    days: 6,
    seed: 7,
    startDate: "2025-09-01",
    underlying: "NIFTY",
  });
  sim = await startSimulator({
    port: 0,
    dataDir: join(tmp, "market"),
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

test("prepareDay of a NIFTY config before the open → NSE:NIFTY 50's LTP, 11 strikes 50 apart of the Tuesday expiry, 65 a lot", async () => {
  const limits = { limit: 100, windowMs: 1000 };
  const kite = new KiteRest({
    apiKey: sim.apiKey,
    apiRoot: sim.url,
    timeoutMs: 5000,
    limiter: new RateLimiter({
      clock: systemClock,
      limits: { quote: [limits], historical: [limits], orders: [limits], others: [limits] },
    }),
  });
  await loginAtSim(sim, kite);
  const parsed = parseConfig({ trading: { instrument: "NIFTY" } });
  assert.ok(parsed.ok);
  const cacheDir = join(tmp, "cache");
  mkdirSync(cacheDir);
  const r = await prepareDay(
    {
      history: new KiteHistory({ kite, cacheDir, clock: sim.marketClock }),
      clock: sim.marketClock,
      calendar: tradingCalendarOf(parsed.config),
      config: parsed.config,
    },
    DATE,
  );
  assert.ok(r.ok, JSON.stringify(!r.ok && r.failure));
  const day = r.day;
  assert.equal(day.spotSource, "ltp");
  assert.deepEqual(
    [day.index.exchange, day.index.tradingsymbol, day.index.instrumentToken],
    ["NSE", "NIFTY 50", 256265],
  );
  assert.equal(day.plan.expiry, "2025-09-09");
  assert.equal(day.plan.atm % 50, 0);
  const strikes = [...new Set(day.plan.contracts.map((c) => c.strike))].sort((a, b) => a - b);
  assert.deepEqual(
    strikes,
    Array.from({ length: 11 }, (_, k) => day.plan.atm - 250 + 50 * k),
  );
  for (const c of day.plan.contracts) assert.equal(c.exchange, "NFO", c.tradingsymbol);
  for (const s of day.setups) assert.equal(s.quantity, 65, s.symbol);
  // The masters of the underlying's exchanges, not BFO's and BSE's.
  assert.deepEqual(
    readdirSync(cacheDir)
      .map((f) => f.split("_")[1])
      .sort(),
    ["NFO", "NSE"],
  );
});
