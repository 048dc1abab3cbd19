import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { monteCarlo, type ResampleMethod } from "../../lab/montecarlo.js";
import { formatMonteCarloText, renderMonteCarloReport } from "../../lab/montecarlo-output.js";
import { integerOption, numberOption } from "../options.js";
import { UserError } from "../user-error.js";

interface MonteCarloFlags {
  trades: string;
  runs: number;
  seed: number;
  method: string;
  ruin?: number;
  json?: boolean;
  report?: string;
}

/** `pivot montecarlo`: resamples a backtest's trades to show the spread of its outcomes. */
export function registerMonteCarlo(program: Command): void {
  program
    .command("montecarlo")
    .description("resample a backtest's trades: percentiles of final P&L, drawdown and losing streak")
    .requiredOption("--trades <file>", "the output of pivot backtest --json")
    .option("--runs <n>", "resampled sequences", (v) => integerOption("--runs", v, 1, 10_000_000), 10_000)
    .option("--seed <n>", "seed of the resampling", (v) => integerOption("--seed", v, 0, 2 ** 32 - 1), 1)
    .option("--method <shuffle|bootstrap>", "reorder the trades, or draw as many with replacement", "shuffle")
    .option("--ruin <rupees>", "the drawdown counted as ruin: its probability is printed", (v) => {
      const n = numberOption("--ruin", v);
      if (n <= 0) throw new UserError(`--ruin: expected rupees above 0, found "${v}"`);
      return n;
    })
    .option("--json", "print one JSON object on stdout")
    .option("--report <file.html>", "write an HTML report with the histograms")
    .action((flags: MonteCarloFlags) => monteCarloCommand(flags));
}

function monteCarloCommand(flags: MonteCarloFlags): void {
  if (flags.method !== "shuffle" && flags.method !== "bootstrap") {
    throw new UserError(`--method: expected shuffle or bootstrap, found "${flags.method}"`);
  }
  const nets = readTradeNets(flags.trades);
  const { outcome, runs } = monteCarlo(nets, {
    runs: flags.runs,
    seed: flags.seed,
    method: flags.method as ResampleMethod,
    ruin: flags.ruin ?? null,
  });
  if (flags.report) {
    try {
      writeFileSync(flags.report, renderMonteCarloReport(outcome, runs));
    } catch (e) {
      throw new UserError(
        `cannot write the report ${flags.report}: ${(e as NodeJS.ErrnoException).code ?? e}`,
      );
    }
    process.stderr.write(`report written to ${flags.report}\n`);
  }
  process.stdout.write(flags.json ? `${JSON.stringify(outcome)}\n` : formatMonteCarloText(outcome));
}

/** The net P&L of each trade of a `pivot backtest --json` file, in its order. */
function readTradeNets(path: string): number[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    const why =
      e instanceof SyntaxError
        ? "not valid JSON"
        : `cannot be read (${(e as NodeJS.ErrnoException).code ?? e})`;
    throw new UserError(`${path}: ${why}`);
  }
  const trades = (json as { trades?: unknown })?.trades;
  if (!Array.isArray(trades)) {
    throw new UserError(`${path}: expected the output of pivot backtest --json (an object with "trades")`);
  }
  const nets = trades.map((t) => (t as { net_pnl_rupees?: unknown })?.net_pnl_rupees);
  const bad = nets.findIndex((x) => typeof x !== "number" || !Number.isFinite(x));
  if (bad >= 0) throw new UserError(`${path}: trade ${bad + 1} has no numeric net_pnl_rupees`);
  if (nets.length === 0) throw new UserError(`${path}: holds no trade to resample`);
  return nets as number[];
}
