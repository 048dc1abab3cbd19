import type { IsoDate } from "../domain/ist.js";

/*
 * A contract without candles on the previous trading day has no pivots, so no structure and no
 * trade: a backtest of a folder without the previous day would say "0 trades" and nothing else.
 * This is the warning it says instead, per day: which contracts, and, when the data lacks the
 * previous day altogether (a folder of `pivot export-candles`, say), how to add it.
 */

/** Symbols named in full before "and N more". */
const LISTED = 6;

/** The warning for `date` whose `symbols` lack candles on `previousDay`; null when none do. */
export function missingPivotsWarning(
  date: IsoDate,
  previousDay: IsoDate,
  symbols: readonly string[],
  contracts: number,
  previousDayInData: boolean,
  dataDir = "DIR",
): string | null {
  if (symbols.length === 0) return null;
  const listed = symbols.slice(0, LISTED).join(", ");
  const more = symbols.length > LISTED ? ` and ${symbols.length - LISTED} more` : "";
  if (previousDayInData) {
    const which =
      symbols.length === contracts
        ? `none of its ${contracts} contracts has`
        : `${symbols.length} of ${contracts} contracts have no`;
    return `${date}: ${which} candles on ${previousDay}, so no pivots and no trades: ${listed}${more}`;
  }
  return (
    `${date}: the data has no candles of ${previousDay}, the previous trading day, so no contract has pivots and nothing is traded (${listed}${more}); ` +
    `add that day: pivot fetch-candles --date ${date} --out ${dataDir} (from Kite: the day and the one before) ` +
    `or pivot export-candles --date ${previousDay} --out ${dataDir} (a day the service recorded)`
  );
}
