/*
 * The never-naked warning's rows: each quantity held at the broker without a resting stop or
 * exit (the status's `exposures`), as the page shows it. Pure (no DOM, no clock): the caller
 * says how long ago the status was read, so "for how long" keeps counting between statuses.
 */

import type { StatusSnapshot } from "../../../ports/app.js";
import { contractLabel, formatDuration, formatWhole, istTimeOfEpoch } from "./format.js";

export interface ExposureRow {
  tradeId: string;
  symbol: string;
  /** `80,800 CE` when in today's universe, else the symbol. */
  contract: string;
  held: string;
  uncovered: string;
  /** IST wall clock, to the second (the invariant allows 2 s). */
  since: string;
  /** How long it has been uncovered, now. */
  forHow: string;
}

/** The rows of the status's exposures; `msSinceStatus`: real time since the status was read. */
export function exposureRows(
  s: Pick<StatusSnapshot, "exposures" | "universe">,
  msSinceStatus: number,
): ExposureRow[] {
  const later = Math.max(0, Math.floor(msSinceStatus / 1000));
  return s.exposures.map((e) => {
    const sinceMs = Date.parse(e.since);
    return {
      tradeId: e.tradeId,
      symbol: e.symbol,
      contract: contractLabel(s, e.symbol),
      held: formatWhole(e.held),
      uncovered: formatWhole(e.uncovered),
      since: Number.isNaN(sinceMs) ? e.since : `${istTimeOfEpoch(sinceMs)} IST`,
      forHow: formatDuration(e.forS + later),
    };
  });
}
