/**
 * `npm run chaos -- [--cases N] [--seed S] [--case N] [--shrink] [--process-share F]
 * [--schedule JSON]`: runs
 * chaos cases one after the other, prints each failing case (seed, replay command, schedule,
 * what broke) and the summary table; exits 1 when a case failed.
 */
import { parseArgs } from "node:util";
import { type CaseOutcome, describeFailure, outcomeOf, summaryTable } from "./outcome.js";
import { PROCESS_SHARE, runCase, runChaosCase, shrinkCase } from "./run-case.js";
import { type ChaosCase, describeSchedule, parseCase } from "./schedule.js";

const USAGE =
  "usage: npm run chaos -- [--cases N] [--seed S] [--case N] [--shrink] [--process-share F] [--quiet] [--schedule JSON]";

function parse(): {
  cases: number;
  seed: number;
  only: number | null;
  shrink: boolean;
  processShare: number;
  quiet: boolean;
  schedule: string | null;
} {
  const { values } = parseArgs({
    options: {
      cases: { type: "string", default: "20" },
      seed: { type: "string" },
      case: { type: "string" },
      shrink: { type: "boolean", default: false },
      "process-share": { type: "string", default: String(PROCESS_SHARE) },
      quiet: { type: "boolean", default: false },
      schedule: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const whole = (name: string, text: string | undefined, min: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) {
      console.error(`--${name}: expected a whole number of at least ${min}, found "${text}"\n${USAGE}`);
      process.exit(2);
    }
    return n;
  };
  const share = Number(values["process-share"]);
  if (!(share >= 0 && share <= 1)) {
    console.error(`--process-share: expected a number from 0 to 1, found "${values["process-share"]}"`);
    process.exit(2);
  }
  return {
    cases: whole("cases", values.cases, 1),
    seed: values.seed === undefined ? Date.now() % 1_000_000 : whole("seed", values.seed, 0),
    only: values.case === undefined ? null : whole("case", values.case, 0),
    shrink: values.shrink,
    processShare: share,
    quiet: values.quiet,
    schedule: values.schedule ?? null,
  };
}

/** `--schedule JSON`: one case as a failing case prints it ("case: {…}"), e.g. a shrunk one. */
async function replaySchedule(json: string): Promise<void> {
  let c: ChaosCase;
  try {
    c = parseCase(JSON.parse(json));
  } catch (e) {
    console.error(`--schedule: ${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const run = await runChaosCase(c);
  const outcome = outcomeOf({ seed: 0, n: 0, processShare: PROCESS_SHARE }, c, run, null, 0);
  console.log(describeSchedule(c));
  for (const b of outcome.broken) console.log(`  broken: ${b}`);
  console.log(summaryTable([outcome]));
  process.exitCode = outcome.broken.length > 0 ? 1 : 0;
}

async function main(): Promise<void> {
  const o = parse();
  if (o.schedule !== null) return replaySchedule(o.schedule);
  const indices = o.only === null ? Array.from({ length: o.cases }, (_, i) => i) : [o.only];
  console.log(
    `chaos: seed ${o.seed}, ${indices.length} case(s), ${o.processShare} of them pivot start killed with SIGKILL`,
  );
  const outcomes: CaseOutcome[] = [];
  for (const n of indices) {
    const outcome = await runCase(o.seed, n, o.processShare);
    outcomes.push(outcome);
    const failed = outcome.error !== null || outcome.broken.length > 0;
    const line = `case ${n}: ${failed ? "FAILED" : "ok"} (${outcome.chaosCase.market}, ${outcome.chaosCase.runner}, ${outcome.chaosCase.schedule.length} action(s), ${outcome.run?.findings.filledAtSim ?? 0} order(s) filled, ${outcome.seconds.toFixed(1)} s)`;
    console.log(line);
    // A long run shows where it stands now and then (it may be stopped before its end).
    if (outcomes.length % 50 === 0 && outcomes.length < indices.length)
      console.log(`after ${outcomes.length} cases:\n${summaryTable(outcomes)}`);
    if (o.only !== null && !failed && !o.quiet) console.log(describeSchedule(outcome.chaosCase));
    if (failed) {
      console.log(describeFailure(outcome, o.quiet ? 0 : 40));
      if (o.shrink) {
        console.log(`shrinking case ${n}…`);
        const small = await shrinkCase(o.seed, n, o.processShare, (l) => console.log(l));
        if (small)
          console.log(
            `smallest failing schedule of case ${n} (replay it with --schedule and its "case" JSON):\n${describeSchedule(small.chaosCase)}\n  broken: ${small.broken.join("\n  broken: ")}`,
          );
      }
    }
  }
  console.log(summaryTable(outcomes));
  process.exitCode = outcomes.some((x) => x.error !== null || x.broken.length > 0) ? 1 : 0;
}

await main();
