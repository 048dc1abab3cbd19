/**
 * A chaos case in this process: the simulator paused, moved a step at a time through the
 * case's windows, the service (stepped-service.ts) catching up after each step; the schedule's
 * faults injected and its crashes played (the service abandoned, the market moved on while it
 * is down, a new life started on the same database). Steps are 1 market second while anything
 * is in motion (an order working, a held quantity uncovered, a position opening or closing),
 * 5 s while a position rests under its stop, 15 s while flat: the never-naked samples are
 * fine where it matters, and a case costs a few seconds.
 */
import { join } from "node:path";
import { KiteRest } from "../../src/adapters/kite/kite-rest.js";
import { RateLimiter } from "../../src/adapters/kite/rate-limiter.js";
import { SessionStore } from "../../src/adapters/kite/session-store.js";
import { defaultConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { systemClock } from "../../src/ports/clock.js";
import { type RunningSimulator, type SimState, startSimulator } from "../../src/sim/simulator.js";
import { UNTHROTTLED_LIMITS } from "../support/hand-timers.js";
import { loginAtSim } from "../support/sim-login.js";
import { type ChaosMarket, chaosMarket, marketMs, timeOfPosition } from "./markets.js";
import { checkEnd, NakedWatch, TagLedger } from "./observer.js";
import type { CaseRun } from "./outcome.js";
import { actionKind, type ChaosAction, type ChaosCase } from "./schedule.js";
import { SteppedService } from "./stepped-service.js";

const MOVING_STEP_MS = 1_000;
const HELD_STEP_MS = 5_000;
const FLAT_STEP_MS = 15_000;
/** After the last window: market time given to exits still working, in moving steps. */
const WIND_DOWN_MS = 20_000;

export async function runInProcessCase(c: ChaosCase, dir: string): Promise<CaseRun> {
  const market = chaosMarket(c.market);
  const ledger = new TagLedger();
  const naked = new NakedWatch();
  const notes: string[] = [];
  const injected: Record<string, number> = {};
  const sim = await startSimulator({
    port: 0,
    dataDir: market.dataDir,
    date: market.date,
    startPaused: true,
    startTime: market.startTime,
    autoLogin: true,
    rateLimits: false,
    onOrderRequest: (fields) => ledger.record(fields),
  });
  const config = chaosConfig(sim, market, c.lots, dir);
  const lives: SteppedService[] = [];
  try {
    await saveSession(sim, config);
    let life = new SteppedService(sim, config, notes);
    lives.push(life);
    await life.start();
    const events = c.schedule
      .map((s) => ({ at: timeOfPosition(market, s.at), action: s.action }))
      .filter((e) => e.action.kind !== "crash_point");
    let next = 0;
    let downtimeS = 0;
    const now = () => sim.state().marketTimeMs;

    const act = async (action: ChaosAction) => {
      injected[actionKind(action)] = (injected[actionKind(action)] ?? 0) + 1;
      if (action.kind === "fault") {
        sim.injectFault(action.fault);
        return;
      }
      if (action.kind !== "crash") return;
      const t = now();
      naked.goDown(t);
      await life.abandon();
      if (action.downS > 0) sim.advanceTo(t + action.downS * 1000);
      downtimeS += action.downS;
      notes.push(`--- crash at ${sim.state().marketTime}, down ${action.downS} s ---`);
      life = new SteppedService(sim, config, notes);
      lives.push(life);
      await life.start();
      naked.up();
      naked.sample(sim.state());
    };
    const moveTo = async (ms: number) => {
      sim.advanceTo(ms);
      await life.catchUp();
      naked.sample(sim.state());
      while (next < events.length && (events[next]?.at as number) <= now()) {
        await act((events[next] as { action: ChaosAction }).action);
        next++;
      }
    };

    for (const [from, to] of market.windows) {
      const start = marketMs(market.date, from);
      const end = marketMs(market.date, to);
      if (now() < start) await moveTo(start);
      while (now() < end) {
        const step = stepOf(sim.state(), life);
        await moveTo(Math.min(now() + step, events[next]?.at ?? Number.POSITIVE_INFINITY, end));
      }
    }
    // Whatever is left of the schedule (a crash pushed the market past it) happens now.
    while (next < events.length) await act((events[next++] as { action: ChaosAction }).action);
    const last = now() + WIND_DOWN_MS;
    while (now() < last) await moveTo(now() + MOVING_STEP_MS * 5);
    naked.finish(now());
    const state = sim.state();
    const findings = checkEnd(state, config.data.database_path, ledger, naked);
    return { findings, injected, notes, downtimeS };
  } finally {
    for (const l of lives.slice(0, -1)) safeClose(l);
    await lives[lives.length - 1]?.stop();
    await sim.close();
  }
}

/** The step after this state: short while something moves, long while nothing can. */
function stepOf(state: SimState, life: SteppedService): number {
  if (state.orders.some((o) => o.status === "OPEN")) return MOVING_STEP_MS;
  const held = state.positions.net.filter((p) => Number(p.quantity) !== 0);
  const opening = life.store.positions.open().some((p) => p.state !== "OPEN");
  if (opening) return MOVING_STEP_MS;
  if (held.length === 0) return life.store.positions.open().length > 0 ? MOVING_STEP_MS : FLAT_STEP_MS;
  const covered = held.every((p) => {
    const resting = state.orders
      .filter(
        (o) =>
          o.tradingsymbol === p.tradingsymbol &&
          o.transaction_type === "SELL" &&
          o.status === "TRIGGER PENDING",
      )
      .reduce((n, o) => n + Number(o.pending_quantity), 0);
    return Number(p.quantity) > 0 && resting >= Number(p.quantity);
  });
  return covered ? HELD_STEP_MS : MOVING_STEP_MS;
}

function safeClose(life: SteppedService): void {
  try {
    life.store.close();
  } catch {
    // already closed
  }
}

/** The service's configuration for a case: LIVE at the simulator, MARKET entries, files in `dir`. */
export function chaosConfig(sim: RunningSimulator, market: ChaosMarket, lots: number, dir: string): Config {
  const base = defaultConfig();
  return {
    ...base,
    api_key: sim.apiKey,
    api_secret: sim.apiSecret,
    trading: { ...base.trading, paper_trading: false, lots },
    risk_management: { ...base.risk_management, max_trades_per_day: market.maxTrades },
    kite: { ...base.kite, api_root: sim.url, ws_root: sim.wsUrl, login_url: sim.loginUrl },
    execution: { ...base.execution, entry_order: "MARKET", entry_timeout_seconds: 180 },
    data: {
      ...base.data,
      database_path: join(dir, "trading.db"),
      cache_dir: join(dir, "cache"),
      access_token_file: join(dir, "access_token.json"),
      log_dir: join(dir, "logs"),
    },
  };
}

/** The trader's morning login at the simulator, left in the session file. */
async function saveSession(sim: RunningSimulator, config: Config): Promise<void> {
  const rest = new KiteRest({
    apiKey: sim.apiKey,
    apiRoot: sim.url,
    timeoutMs: 5000,
    limiter: new RateLimiter({ clock: systemClock, limits: UNTHROTTLED_LIMITS }),
  });
  const session = await loginAtSim(sim, rest);
  new SessionStore({ path: config.data.access_token_file, clock: sim.marketClock }).save(session);
}
