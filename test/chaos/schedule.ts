/**
 * A chaos case: a market day, how the service runs (in this process, or `pivot start` killed
 * with SIGKILL), and a schedule of what goes wrong when (the simulator's faults and crashes),
 * drawn by fast-check from a seed so that any case can be replayed and shrunk.
 */
import fc from "fast-check";
import type { Fault } from "../../src/sim/simulator.js";

/** The days a case can trade (see markets.ts). */
export type MarketName = "real-2025-09-05" | "signal-1" | "signal-2";

export type ChaosAction =
  | { kind: "fault"; fault: Fault }
  /** The service dies (no clean-up) and is started again on the same files after `downS` market seconds. */
  | { kind: "crash"; downS: number }
  /** Process cases only: the first run is started with PIVOT_CRASH_AT=`point` (src/engine/crash-points.ts). */
  | { kind: "crash_point"; point: string };

export interface ScheduledAction {
  /** Where in the case's played market time it happens, 0 to 1 (markets.ts maps it to a time). */
  at: number;
  action: ChaosAction;
}

export interface ChaosCase {
  market: MarketName;
  /** "process": `pivot start` in its own process, killed with SIGKILL; "inprocess": stepped here. */
  runner: "inprocess" | "process";
  /** Lots an entry buys (partial fills need 2 or more). */
  lots: number;
  schedule: ScheduledAction[];
}

/** Share of the cases run as `pivot start` in its own process, killed with SIGKILL (by default). */
export const PROCESS_SHARE = 0.05;

/** Named points of the order path where a process case may die (crash-points.ts). */
export const CRASH_POINTS = [
  "entry-decided",
  "before-send:ENTRY",
  "after-send:ENTRY",
  "entry-filled",
  "before-send:STOP_LOSS",
  "after-send:STOP_LOSS",
  "exit-decided",
  "before-send:EXIT",
  "after-send:EXIT",
] as const;

/**
 * Every fault `pivot sim` injects that a case may draw, with sizes that fit a stepped replay:
 * a replay step takes milliseconds of real time, so real-time faults (silences, latency) are
 * short. expire_token is left out: it needs the trader to log in again (its own tests cover it).
 */
export function faultArb(): fc.Arbitrary<Fault> {
  return fc.oneof(
    fc.constant<Fault>({ kind: "drop_socket" }),
    fc.integer({ min: 1, max: 8 }).map<Fault>((tenths) => ({ kind: "silence_socket", seconds: tenths / 10 })),
    fc.integer({ min: 1, max: 6 }).map<Fault>((count) => ({ kind: "http_429", count })),
    fc
      .record({ count: fc.integer({ min: 1, max: 6 }), status: fc.constantFrom(500, 502, 503, 504) })
      .map<Fault>(({ count, status }) => ({ kind: "http_5xx", count, status: status as 503 })),
    fc
      .record({ ms: fc.integer({ min: 20, max: 1500 }), count: fc.integer({ min: 1, max: 4 }) })
      .map<Fault>(({ ms, count }) => ({ kind: "latency", ms, count })),
    fc.constant<Fault>({ kind: "reject_next_order" }),
    fc.constant<Fault>({ kind: "reject_next_stop" }),
    fc.constant<Fault>({ kind: "reject_next_exit" }),
    fc.constant<Fault>({ kind: "reject_next_modify" }),
    fc.constant<Fault>({ kind: "partial_fill_next_order", fraction: 0.5 }),
    fc.integer({ min: 1, max: 4 }).map<Fault>((count) => ({ kind: "skip_postbacks", count })),
  );
}

// Unbiased: fast-check favours small integers, which would crowd every action at the start.
const at = fc.noBias(fc.integer({ min: 0, max: 999 })).map((n) => n / 1000);

/** A case; `processShare` is the chance that it runs `pivot start` in its own process. */
export function chaosCaseArb(processShare: number): fc.Arbitrary<ChaosCase> {
  const runner = fc
    .noBias(fc.integer({ min: 0, max: 999 }))
    .map((n): ChaosCase["runner"] => (n < processShare * 1000 ? "process" : "inprocess"));
  return fc
    .record({
      market: fc.constantFrom<MarketName>("real-2025-09-05", "signal-1", "signal-2"),
      runner,
      lots: fc.constantFrom(1, 2),
      faults: fc.array(fc.record({ at, fault: faultArb() }), { minLength: 1, maxLength: 8 }),
      crashes: fc.array(fc.record({ at, downS: fc.integer({ min: 0, max: 120 }) }), { maxLength: 2 }),
      point: fc.option(fc.constantFrom(...CRASH_POINTS), { nil: null }),
    })
    .map(({ market, runner, lots, faults, crashes, point }) => {
      const schedule: ScheduledAction[] = [
        ...faults.map((f) => ({ at: f.at, action: { kind: "fault", fault: f.fault } as ChaosAction })),
        // A process case dies once: at a named point of the order path, else at a moment.
        ...(runner === "process"
          ? point
            ? [{ at: 0, action: { kind: "crash_point", point: `${point}#1` } as ChaosAction }]
            : crashes
                .slice(0, 1)
                .map((c) => ({ at: c.at, action: { kind: "crash", downS: 0 } as ChaosAction }))
          : crashes.map((c) => ({ at: c.at, action: { kind: "crash", downS: c.downS } as ChaosAction }))),
      ];
      schedule.sort((a, b) => a.at - b.at);
      return { market, runner, lots, schedule };
    });
}

/** The case seed of case `n` of a run seeded `seed` (each case replays alone). */
export function caseSeed(seed: number, n: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(n + 1, 0xc2b2ae35)) | 0;
}

/** Case `n` of the run seeded `seed`. */
export function generateCase(seed: number, n: number, processShare: number): ChaosCase {
  return fc.sample(chaosCaseArb(processShare), { seed: caseSeed(seed, n), numRuns: 1 })[0] as ChaosCase;
}

const MARKETS: readonly MarketName[] = ["real-2025-09-05", "signal-1", "signal-2"];

/** A case given as JSON (`--schedule`); throws with the reason when it is not one. */
export function parseCase(value: unknown): ChaosCase {
  const c = value as Partial<ChaosCase> | null;
  if (!c || typeof c !== "object") throw new Error("expected a case object");
  if (!MARKETS.includes(c.market as MarketName))
    throw new Error(`market: expected one of ${MARKETS.join(", ")}`);
  if (c.runner !== "inprocess" && c.runner !== "process")
    throw new Error(`runner: expected "inprocess" or "process"`);
  if (!Number.isInteger(c.lots) || (c.lots as number) < 1)
    throw new Error("lots: expected a whole number of lots");
  if (!Array.isArray(c.schedule)) throw new Error("schedule: expected a list of {at, action}");
  for (const [i, s] of c.schedule.entries()) {
    if (!(typeof s?.at === "number" && s.at >= 0 && s.at < 1))
      throw new Error(`schedule[${i}].at: expected 0 to 1`);
    if (!["fault", "crash", "crash_point"].includes(s.action?.kind))
      throw new Error(`schedule[${i}].action.kind: unknown`);
  }
  return c as ChaosCase;
}

/** One line per action, for a failing case's report. */
export function describeSchedule(c: ChaosCase): string {
  const head = `${c.market}, ${c.runner}, ${c.lots} lot(s)`;
  const lines = c.schedule.map((s) => `  at ${s.at.toFixed(3)}: ${JSON.stringify(s.action)}`);
  return [head, ...lines, `  case: ${JSON.stringify(c)}`].join("\n");
}

/** A short name of an action's kind, for the table of faults injected. */
export function actionKind(a: ChaosAction): string {
  if (a.kind === "fault") return String(a.fault.kind);
  return a.kind === "crash" ? "crash" : "crash_point";
}
