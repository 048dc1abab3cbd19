/** `pivot rehearse` run from a test, and its verdict read: shared by the SENSEX and NIFTY rehearsals. */
import assert from "node:assert/strict";
import { type CliRun, runCli } from "./run-cli.js";

/** One trade as the rehearsal prints it, on both its service and its backtest row. */
export interface PrintedTrade {
  symbol: string;
  scenario: number;
  /** HH:MM of the entry and of the exit. */
  entry: string;
  entryPrice: string;
  exit: string;
  exitPrice: string;
  reason: string;
}

/** Runs `pivot rehearse --data DIR --date D --speed X` with any further flags (`--config`). */
export function runRehearse(
  dataDir: string,
  date: string,
  speed: number,
  extra: readonly string[] = [],
): CliRun {
  return runCli(["rehearse", "--data", dataDir, "--date", date, "--speed", String(speed), ...extra]);
}

/** Asserts the rehearsal exited 0, agreeing with the backtest on exactly `trades`, each printed on both rows. */
export function assertAgreesWithBacktest(r: CliRun, trades: readonly PrintedTrade[]): void {
  const out = `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
  assert.equal(r.status, 0, out);
  assert.match(
    r.stdout,
    new RegExp(`AGREE: the service made the backtest's ${trades.length} trade\\(s\\)`),
    out,
  );
  for (const t of trades) {
    const row = [t.symbol, t.scenario, t.entry, t.entryPrice, t.exit, t.exitPrice, t.reason]
      .map((field) => String(field).replaceAll(".", "\\."))
      .join("\\s+");
    for (const side of ["service", "backtest"]) assert.match(r.stdout, new RegExp(`${side}\\s+${row}`), out);
  }
}
