/**
 * Crash tests: `pivot start` (LIVE mode, its own process) against the simulator replaying
 * 2025-09-05 at speed, killed with SIGKILL at 20 points of the day's two trades (named points
 * inside the order path, and seeded moments), then started again. After each: no tag twice at
 * the simulator (no duplicate order), every order and fill the simulator has is in the
 * database with the same quantities and prices, the position was protected by a resting stop
 * whenever it was held after the restart, and everything is flat at the end.
 * The day: SENSEX2591180300PE entered 10:15, stopped out 11:33; SENSEX2591180800PE entered
 * 12:03, stopped out 12:06.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import { Store } from "../../src/adapters/sqlite/store.js";
import { textTable } from "../../src/cli/text-table.js";
import { istEpochMs, parseHhmm } from "../../src/domain/ist.js";
import { type RunningSimulator, startSimulator } from "../../src/sim/simulator.js";
import { REAL_CANDLES_DIR } from "../support/paths.js";
import { PivotProcess as ServiceProcess } from "../support/pivot-process.js";
import { freePort, prepareSimService } from "../support/sim-service.js";

const DATE = "2025-09-05";
const SPEED = 120;
const root = mkdtempSync(join(tmpdir(), "pivot-crash-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** Epoch ms of `HH:MM[:SS]` on the day. */
const at = (time: string) =>
  istEpochMs(DATE, parseHhmm(time.slice(0, 5))) + Number(time.slice(6) || 0) * 1000;

/** A window of the day around one trade: where the replay starts, jumps, and ends. */
interface Window {
  start: string;
  /** Played at speed from `start` to `until`, then jumped to `resume` and played to `end`. */
  until: string;
  resume: string;
  end: string;
}
// Each starts several market minutes before its entry: the service prepares the day meanwhile.
const TRADE_1: Window = { start: "10:06", until: "10:19", resume: "11:31", end: "11:37" };
const TRADE_2: Window = { start: "11:54", until: "12:04", resume: "12:04", end: "12:09" };

interface Scenario {
  name: string;
  window: Window;
  /** PIVOT_CRASH_AT of the first run, or a market time at which the test kills it. */
  crash: { point: string } | { atMarket: string };
}

/** Statuses of a sale resting (or being worked) at the simulator. */
const OPEN_AT_SIM = new Set([
  "OPEN",
  "MODIFIED",
  "MODIFY PENDING",
  "MODIFY VALIDATION PENDING",
  "OPEN PENDING",
]);

const POINTS = [
  "entry-decided",
  "before-send:ENTRY",
  "after-send:ENTRY",
  "entry-filled",
  "before-send:STOP_LOSS",
  "after-send:STOP_LOSS",
  "exit-decided",
  // The exit modifies the resting stop into the sale: killed before the modification is sent,
  // and after the broker's answer before it is recorded.
  "before-modify:EXIT",
  "after-modify:EXIT",
];

/** Seeded moments (mulberry32) inside each trade's window. */
function seededMoments(seed: number, window: Window, count: number): string[] {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const from = at(window.start) + 6 * 60_000;
  const to = at(window.until);
  return Array.from({ length: count }, () => {
    const ms = from + Math.floor(next() * (to - from));
    return new Date(ms + 5.5 * 3_600_000).toISOString().slice(11, 19);
  });
}

const SCENARIOS: Scenario[] = [
  ...POINTS.map((p) => ({ name: `trade 1, ${p}`, window: TRADE_1, crash: { point: `${p}#1` } })),
  ...POINTS.map((p) => ({ name: `trade 2, ${p}`, window: TRADE_2, crash: { point: `${p}#1` } })),
  ...seededMoments(20250905, TRADE_1, 1).map((t) => ({
    name: `trade 1, at ${t}`,
    window: TRADE_1,
    crash: { atMarket: t },
  })),
  ...seededMoments(20250906, TRADE_2, 1).map((t) => ({
    name: `trade 2, at ${t}`,
    window: TRADE_2,
    crash: { atMarket: t },
  })),
];

/** The service's log files, as text (the console has only its warnings and errors). */
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

async function waitFor(check: () => boolean, what: string, ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (!check()) {
    if (performance.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function runScenario(s: Scenario, index: number): Promise<void> {
  const dir = mkdtempSync(join(root, `s${index}-`));
  const sim: RunningSimulator = await startSimulator({
    port: 0,
    dataDir: REAL_CANDLES_DIR,
    date: DATE,
    speed: SPEED,
    startPaused: true,
    startTime: s.window.start,
    autoLogin: true,
    rateLimits: false,
  });
  const { configPath, data } = await prepareSimService(sim, dir, { port: await freePort() });

  const runs: ServiceProcess[] = [];
  /** Samples (after the restarted service reconciled) of a held position without a resting stop. */
  let unprotectedSeen = 0;
  /** Market ms a held position had no resting stop (the downtime included). */
  let unprotectedMarketMs = 0;
  let lastSampleAt: number | null = null;
  let killedAtReal = 0;
  let recoverMs = 0;
  let db: Database.Database | null = null;
  const sampleProtection = (afterRecovery: boolean) => {
    // A held position has a protective order resting at the simulator: its stop, or (being
    // exited) the stop modified into the sale.
    const state = sim.state();
    const sinceLast = lastSampleAt === null ? 0 : state.marketTimeMs - lastSampleAt;
    lastSampleAt = state.marketTimeMs;
    db ??= new Database(data.database_path, { readonly: true, fileMustExist: true });
    const held = db
      .prepare("SELECT symbol FROM positions WHERE state IN ('OPENING', 'OPEN', 'CLOSING')")
      .all() as Array<{
      symbol: string;
    }>;
    for (const p of state.positions.net) {
      if (Number(p.quantity) <= 0 || !held.some((o) => o.symbol === p.tradingsymbol)) continue;
      const stop = state.orders.find(
        (o) =>
          o.tradingsymbol === p.tradingsymbol &&
          o.transaction_type === "SELL" &&
          ((o.order_type === "SL" && o.status === "TRIGGER PENDING") ||
            (o.order_type !== "SL" && OPEN_AT_SIM.has(String(o.status)))),
      );
      if (stop) continue;
      unprotectedMarketMs += sinceLast;
      if (afterRecovery) unprotectedSeen++;
    }
  };
  try {
    const first = new ServiceProcess(configPath, "point" in s.crash ? s.crash.point : undefined);
    runs.push(first);
    sim.start();
    // The service is up when it has subscribed (its day prepared and resumed).
    await waitFor(
      () => sim.state().subscriptions.some((x) => Object.keys(x.modes).length > 0),
      "the subscription",
      30_000,
    );
    const crashMarket = "atMarket" in s.crash ? at(s.crash.atMarket) : null;
    let restarted = false;
    const restartIfDown = async () => {
      if (restarted) return;
      const killedAt = crashMarket !== null && sim.state().marketTimeMs >= crashMarket;
      if (killedAt) first.kill("SIGKILL");
      if (first.exit || killedAt) {
        killedAtReal = performance.now();
        await first.exited(5_000);
        assert.equal(
          first.exit?.signal,
          "SIGKILL",
          `the first run died by SIGKILL: ${first.output.join("")}`,
        );
        restarted = true;
        runs.push(new ServiceProcess(configPath));
        // The restarted service reconciles at once; give it a moment before judging protection.
        await waitFor(
          () => {
            sampleProtection(false); // the downtime counts: a fill may come while nobody watches
            return logText(data.log_dir).split("reconciled:").length > 2;
          },
          "the restarted service to reconcile",
          15_000,
        );
        recoverMs = performance.now() - killedAtReal;
      }
    };
    const playTo = async (hhmm: string) => {
      while (sim.state().marketTimeMs < at(hhmm)) {
        await restartIfDown(); // returns once the restarted service has reconciled
        sampleProtection(restarted);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await playTo(s.window.until);
    if (s.window.resume !== s.window.until) sim.advanceTo(at(s.window.resume));
    await playTo(s.window.end);
    await restartIfDown();
    assert.ok(restarted, `the crash happened (${JSON.stringify(s.crash)}): ${first.output.join("")}`);
    // Flat at the simulator with the market still moving (an exit decided late fills on later ticks).
    await waitFor(
      () => {
        const state = sim.state();
        const net = state.positions.net.filter((p) => Number(p.quantity) !== 0);
        const live = state.orders.filter((o) => ["OPEN", "TRIGGER PENDING"].includes(String(o.status)));
        return net.length === 0 && live.length === 0;
      },
      "flat at the simulator",
      20_000,
    );
    sim.pause();
    (db as Database.Database | null)?.close();
    const store = Store.open(data.database_path, { clock: sim.marketClock });
    try {
      await waitFor(() => store.positions.open().length === 0, "flat in the database", 10_000);
      const orders = sim.state().orders;
      const tags = orders.map((o) => String(o.tag));
      assert.equal(new Set(tags).size, tags.length, `no tag twice at the simulator: ${tags.join()}`);
      // Killed before the entry reached the broker, the signal is dropped (a restart takes longer
      // than a fresh signal may wait at this speed) or placed late: either way once at most.
      const unsent = "point" in s.crash && /^(entry-decided|before-send:ENTRY)#/.test(s.crash.point);
      if (!unsent)
        assert.ok(
          tags.some((t) => t.startsWith("E")),
          "an entry was placed",
        );
      for (const o of orders) {
        await waitFor(
          () => store.orders.byTag(String(o.tag))?.filledQuantity === Number(o.filled_quantity),
          `the database to know ${o.tag}'s fill`,
          10_000,
        );
        const ours = store.orders.byTag(String(o.tag));
        assert.equal(ours?.kiteOrderId, o.order_id, `${o.tag} linked to its Kite order`);
        if (Number(o.filled_quantity) > 0)
          assert.equal(ours?.averagePrice, Number(o.average_price), `${o.tag} price`);
      }
      const fillsLost = orders.filter(
        (o) => store.orders.byTag(String(o.tag))?.filledQuantity !== Number(o.filled_quantity),
      ).length;
      SUMMARY.push({
        fault: `SIGKILL ${s.name}`,
        duplicates: tags.length - new Set(tags).size,
        fillsLost,
        unprotectedS: unprotectedMarketMs / SPEED / 1000,
        recoverS: recoverMs / 1000,
      });
      assert.equal(unprotectedSeen, 0, "a held position was without a resting stop after the restart");
      // No phantom: every trade recorded was traded and is closed; every entry at the broker has its trade.
      for (const t of store.trades.byDate(DATE)) assert.equal(t.status, "CLOSED", `${t.trade_id} closed`);
      for (const o of orders.filter((x) => String(x.tag).startsWith("E") && Number(x.filled_quantity) > 0)) {
        const tradeId = store.orders.byTag(String(o.tag))?.tradeId ?? "";
        assert.equal(
          store.trades.byId(tradeId)?.status,
          "CLOSED",
          `the trade of ${o.tag} is recorded, closed`,
        );
      }
    } finally {
      store.close();
    }
  } catch (e) {
    for (const [i, r] of runs.entries()) console.log(`--- run ${i + 1} ---\n${r.output.join("")}`);
    console.log(`--- logs ---\n${logText(data.log_dir).slice(-20_000)}`);
    throw e;
  } finally {
    // Its state is checked: no need for a graceful stop (which would wait on the paused market).
    for (const r of runs) r.kill("SIGKILL");
    for (const r of runs) await r.exited(5_000);
    await sim.close();
  }
}

/** One row per scenario, printed at the end (issue 8's fault table). */
const SUMMARY: Array<{
  fault: string;
  duplicates: number;
  fillsLost: number;
  unprotectedS: number;
  recoverS: number;
}> = [];
after(() => {
  if (SUMMARY.length === 0) return;
  console.log(
    textTable(
      ["fault injected", "duplicate orders", "fills lost", "s without a stop", "s to recover"],
      SUMMARY.map((r) => [
        r.fault,
        r.duplicates,
        r.fillsLost,
        r.unprotectedS.toFixed(2),
        r.recoverS.toFixed(2),
      ]),
    ),
  );
  console.log(
    "s without a stop: real seconds (market seconds / speed) a held position had no resting stop, the downtime included;",
  );
  console.log("s to recover: from the kill to the restarted service's reconciliation with the broker.");
});

for (const [i, s] of SCENARIOS.entries()) {
  test(`SIGKILL ${s.name} → restarted: no duplicate order, fills and prices as the simulator's, protected, flat`, async () => {
    await runScenario(s, i);
  });
}
