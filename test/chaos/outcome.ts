/**
 * What a chaos case left behind, and the table over many cases: faults injected by kind,
 * duplicate orders, fills lost, the longest naked seconds outside downtime, P&L mismatches.
 */
import { textTable } from "../../src/cli/text-table.js";
import { brokenProperties, type CaseFindings } from "./observer.js";
import { type ChaosCase, describeSchedule, PROCESS_SHARE } from "./schedule.js";

/** What a runner returns for one case. */
export interface CaseRun {
  findings: CaseFindings;
  /** Actions played, by kind (a fault armed but never consumed still counts). */
  injected: Record<string, number>;
  /** The service's log lines and alerts (printed when the case fails). */
  notes: string[];
  /** Market seconds the service was down. */
  downtimeS: number;
}

export interface CaseOutcome {
  seed: number;
  n: number;
  /** The share of process cases the case was drawn with (part of its identity). */
  processShare: number;
  chaosCase: ChaosCase;
  /** null when the case could not run to its end (the harness threw). */
  run: CaseRun | null;
  error: string | null;
  broken: string[];
  seconds: number;
}

/** The command that replays a case alone. */
export function replayCommand(seed: number, n: number, processShare = PROCESS_SHARE): string {
  const share = processShare === PROCESS_SHARE ? "" : ` --process-share ${processShare}`;
  return `npm run chaos -- --seed ${seed} --case ${n}${share}`;
}

/** A failing case as the trader's engineer needs it: seed, replay command, schedule, what broke. */
export function describeFailure(o: CaseOutcome, withNotes = 40): string {
  const lines = [
    `chaos case ${o.n} of seed ${o.seed} FAILED — replay: ${replayCommand(o.seed, o.n, o.processShare)}`,
    describeSchedule(o.chaosCase),
    ...(o.error ? [`harness error: ${o.error}`] : []),
    ...o.broken.map((b) => `  broken: ${b}`),
  ];
  if (o.run && withNotes > 0)
    lines.push("  last lines of the service:", ...o.run.notes.slice(-withNotes).map((n) => `    ${n}`));
  return lines.join("\n");
}

export function outcomeOf(
  id: { seed: number; n: number; processShare: number },
  chaosCase: ChaosCase,
  run: CaseRun | null,
  error: string | null,
  seconds: number,
): CaseOutcome {
  return { ...id, chaosCase, run, error, broken: run ? brokenProperties(run.findings) : [], seconds };
}

/** The summary table of a run. */
export function summaryTable(outcomes: readonly CaseOutcome[]): string {
  const runs = outcomes.flatMap((o) => (o.run ? [o.run] : []));
  const kinds = new Map<string, number>();
  for (const r of runs)
    for (const [k, n] of Object.entries(r.injected)) kinds.set(k, (kinds.get(k) ?? 0) + n);
  const sum = (f: (r: CaseRun) => number) => runs.reduce((s, r) => s + f(r), 0);
  const failed = outcomes.filter((o) => o.error || o.broken.length > 0);
  const seconds = outcomes.map((o) => o.seconds);
  const rows: Array<[string, string | number]> = [
    ["cases", outcomes.length],
    [
      "  in this process / pivot start killed (SIGKILL)",
      `${outcomes.filter((o) => o.chaosCase.runner === "inprocess").length} / ${outcomes.filter((o) => o.chaosCase.runner === "process").length}`,
    ],
    ["  with orders filled at the simulator", runs.filter((r) => r.findings.filledAtSim > 0).length],
    ["faults injected", [...kinds.values()].reduce((s, n) => s + n, 0)],
    ...[...kinds].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]): [string, number] => [`  ${k}`, n]),
    ["orders at the simulator", sum((r) => r.findings.ordersAtSim)],
    ["duplicate orders (a tag sent twice)", sum((r) => r.findings.duplicateOrders)],
    ["fills lost (quantity not in the database)", sum((r) => r.findings.fillsLost)],
    ["fill prices differing", sum((r) => r.findings.priceMismatches)],
    [
      "longest naked seconds outside downtime",
      Math.max(0, ...runs.map((r) => r.findings.longestNakedS)).toFixed(1),
    ],
    ["cases naked over 2 s", runs.filter((r) => r.findings.nakedProblems.length > 0).length],
    ["cases not flat at the end", runs.filter((r) => !r.findings.flat).length],
    [
      "P&L mismatches (simulator vs database fills)",
      runs.filter((r) => r.findings.pnlDiffPaise !== 0).length,
    ],
    ["harness errors", outcomes.filter((o) => o.error).length],
    ["cases failed", failed.length],
    [
      "seconds a case (median / max)",
      `${median(seconds).toFixed(1)} / ${Math.max(0, ...seconds).toFixed(1)}`,
    ],
  ];
  return textTable(
    ["chaos", "count"],
    rows.map(([a, b]) => [a, String(b)]),
  );
}

function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}
