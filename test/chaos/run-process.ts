/**
 * A chaos case with a real SIGKILL: `pivot start --mode live` in its own process, in the
 * simulator's market time (kite.simulator_clock), the simulator here replaying at speed with
 * postbacks to the service. The process dies at a named point of the order path
 * (PIVOT_CRASH_AT) or is killed at a moment of the schedule, and is started again on the same
 * files. Only one trade window and the end of the day are played (a real-time replay costs
 * real seconds). The never-naked samples are taken every few real ms, so at this speed the
 * service's own reaction (real milliseconds) counts as market seconds: the limit allows for it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { type Fault, type RunningSimulator, startSimulator } from "../../src/sim/simulator.js";
import { PivotProcess } from "../support/pivot-process.js";
import { freePort, prepareSimService } from "../support/sim-service.js";
import { chaosMarket, marketMs, timeOfPosition } from "./markets.js";
import { checkEnd, NAKED_LIMIT_MS, NakedWatch, TagLedger } from "./observer.js";
import type { CaseRun } from "./outcome.js";
import { actionKind, type ChaosCase } from "./schedule.js";

const SPEED = 60;
/** Real ms of the service's own reaction (a tick or an update to an order sent) allowed at SPEED. */
const REACTION_REAL_MS = 60;
const POLL_MS = 5;
/** Real ms the market waits after a jump while the service reads its ticks. */
const JUMP_CATCH_UP_REAL_MS = 1_000;
/** Real ms that nothing may be working before the replay jumps ahead. */
const QUIET_REAL_MS = 100;

/** Positions of the service's database not closed (read only: the service holds it). */
function openPositionsIn(databasePath: string): number {
  try {
    const db = new Database(databasePath, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare("SELECT count(*) AS n FROM positions WHERE state <> 'CLOSED'").get() as {
        n: number;
      };
      return row.n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // not created yet
  }
}

function logText(dir: string): string {
  try {
    return readdirSync(dir)
      .filter((n) => n.endsWith(".log") && n !== "current.log")
      .map((n) => readFileSync(join(dir, n), "utf8"))
      .join("");
  } catch {
    return "";
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A latency fault at this speed: the broker's delay is real time, and each real ms is SPEED
 * market ms, so a 1 s latency would hold one request for a market minute (one sale after a
 * late fill then "naked" 60 s, where the same latency costs 1 s on a real day). Injected
 * divided by SPEED: the same delay in market time as the fault says.
 */
function atSpeed(fault: Fault): Fault {
  if (fault.kind !== "latency") return fault;
  return { ...fault, ms: Math.max(1, Math.round(fault.ms / SPEED)) };
}

export async function runProcessCase(c: ChaosCase, dir: string): Promise<CaseRun> {
  const market = chaosMarket(c.market);
  const windows = market.process.windows;
  const ledger = new TagLedger();
  const naked = new NakedWatch(NAKED_LIMIT_MS + SPEED * REACTION_REAL_MS);
  const injected: Record<string, number> = {};
  const port = await freePort();
  const sim: RunningSimulator = await startSimulator({
    port: 0,
    dataDir: market.dataDir,
    date: market.date,
    speed: SPEED,
    startPaused: true,
    startTime: market.process.startTime,
    autoLogin: true,
    rateLimits: false,
    postbackUrl: `http://127.0.0.1:${port}/postback`,
    onOrderRequest: (fields) => ledger.record(fields),
  });
  const { configPath, data } = await prepareSimService(
    sim,
    dir,
    { host: "127.0.0.1", port },
    {
      trading: { paper_trading: false, lots: c.lots },
      risk_management: { max_trades_per_day: market.maxTrades },
    },
  );
  const runs: PivotProcess[] = [];
  const notes: string[] = [];
  let downtimeS = 0;
  try {
    const point = c.schedule.find((s) => s.action.kind === "crash_point")?.action;
    const crashAt = point?.kind === "crash_point" ? point.point : undefined;
    if (crashAt) injected.crash_point = 1;
    runs.push(new PivotProcess(configPath, crashAt));
    sim.start();
    const reconciledCount = () => logText(data.log_dir).split("reconciled:").length - 1;
    const upSince = async (count: number) => {
      const until = performance.now() + 30_000;
      while (reconciledCount() <= count) {
        const current = runs[runs.length - 1] as PivotProcess;
        if (current.exit && current.exit.signal !== "SIGKILL")
          throw new Error(
            `pivot start exited (${JSON.stringify(current.exit)}): ${current.output.join("").slice(-3000)}`,
          );
        if (current.exit) return; // killed at its crash point while starting: restarted by the loop
        if (performance.now() > until) throw new Error(`pivot start did not reconcile within 30 s`);
        await sleep(POLL_MS);
      }
    };
    await upSince(0);
    const events = c.schedule
      .filter((s) => s.action.kind !== "crash_point")
      .map((s) => ({ at: timeOfPosition(market, s.at, windows), action: s.action }));
    let next = 0;
    let restarted = false;
    const restart = async (why: string) => {
      const t = sim.state().marketTimeMs;
      naked.goDown(t);
      const current = runs[runs.length - 1] as PivotProcess;
      current.kill("SIGKILL");
      await current.exited(5_000);
      const before = reconciledCount();
      notes.push(`--- ${why} at ${sim.state().marketTime} ---`);
      runs.push(new PivotProcess(configPath));
      await upSince(before);
      downtimeS += (sim.state().marketTimeMs - t) / 1000;
      naked.up();
      restarted = true;
    };
    /** A process that died at its crash point is started again (its downtime excluded). */
    const reviveIfDead = async () => {
      const current = runs[runs.length - 1] as PivotProcess;
      if (current.exit && !restarted) await restart(`died at ${crashAt ?? "?"}`);
      else if (current.exit)
        throw new Error(`pivot start died again: ${current.output.join("").slice(-3000)}`);
    };
    /**
     * Plays on at speed until nothing is held or working (at most `ms` of market time), at the
     * simulator and in the service's database, for QUIET_REAL_MS on end: an entry decided at
     * the window's last candle reaches the simulator a few real ms later, and a jump then would
     * fill it on hours of ticks that the service takes market seconds to read.
     */
    const playUntilQuiet = async (ms: number) => {
      const last = sim.state().marketTimeMs + ms;
      let quietSince: number | null = null;
      while (sim.state().marketTimeMs < last) {
        // Dead at its crash point between windows: it must not stay down over the jump.
        await reviveIfDead();
        const s = sim.state();
        naked.sample(s);
        const working =
          s.orders.some((o) => o.status === "OPEN") ||
          s.positions.net.some((p) => Number(p.quantity) !== 0) ||
          openPositionsIn(data.database_path) > 0;
        if (working) quietSince = null;
        else quietSince ??= performance.now();
        if (quietSince !== null && performance.now() - quietSince >= QUIET_REAL_MS) return;
        await sleep(POLL_MS);
      }
    };
    for (const [from, to] of windows) {
      // A jump plays its ticks at once: the service is busy with them for real milliseconds,
      // which at this speed are market seconds; jump only when nothing is held.
      if (sim.state().marketTimeMs < marketMs(market.date, from)) {
        await playUntilQuiet(180_000);
        // Still working after that (a position under its stop, an entry no tick has filled):
        // the service reads the jump's hours of ticks while the market waits, as no real
        // market jumps; at this speed its real milliseconds would otherwise be market minutes.
        sim.pause();
        sim.advanceTo(marketMs(market.date, from));
        await sleep(JUMP_CATCH_UP_REAL_MS);
        sim.start();
      }
      const end = marketMs(market.date, to);
      while (sim.state().marketTimeMs < end) {
        await reviveIfDead();
        naked.sample(sim.state());
        while (next < events.length && (events[next]?.at as number) <= sim.state().marketTimeMs) {
          const action = (events[next++] as { action: ChaosCase["schedule"][number]["action"] }).action;
          injected[actionKind(action)] = (injected[actionKind(action)] ?? 0) + 1;
          if (action.kind === "fault") sim.injectFault(atSpeed(action.fault));
          else if (action.kind === "crash" && !restarted) await restart("SIGKILL");
        }
        await sleep(POLL_MS);
      }
    }
    // The market goes on until the exits left are done.
    await playUntilQuiet(120_000);
    sim.pause();
    naked.finish(sim.state().marketTimeMs);
    // The service learns the last fills by socket, postback or its polls: give it time to write them.
    let findings = checkEnd(sim.state(), data.database_path, ledger, naked);
    for (let i = 0; i < 100 && (findings.fillProblems.length > 0 || !findings.flat); i++) {
      await sleep(50);
      findings = checkEnd(sim.state(), data.database_path, ledger, naked);
    }
    notes.push(...logText(data.log_dir).split("\n").slice(-60));
    return { findings, injected, notes, downtimeS };
  } catch (e) {
    for (const [i, r] of runs.entries()) notes.push(`--- run ${i + 1} ---`, r.output.join("").slice(-3000));
    throw Object.assign(e as Error, { notes });
  } finally {
    for (const r of runs) r.kill("SIGKILL");
    for (const r of runs) await r.exited(5_000).catch(() => {});
    await sim.close();
  }
}
