import type { OpeningZone, PivotLevels } from "../domain/pivots.js";
import type { Scenario } from "./types.js";

/** A rising candle that meets an entry scenario's price rules (STRATEGY.md section 5). */
export interface ScenarioMatch {
  scenario: Scenario;
  target: number;
  /** The scenario matched but its target is not above the close (recorded, never taken). */
  targetNotAbove: boolean;
}

/**
 * The scenario a candle of a bullish contract meets, or null. The first scenario that matches
 * with its target above the close gives the signal; a match whose target is not above the close
 * is still returned (flagged) when none gives one. `first` is the day's first candle (09:15),
 * whose open decides by itself; later candles go by the contract's opening zone.
 */
export function matchScenario(
  p: PivotLevels,
  zone: OpeningZone,
  first: boolean,
  open: number,
  close: number,
): ScenarioMatch | null {
  const s1 = first ? p.S1 <= open && open <= p.PP && close > p.R1 : zone === "Z1" && close > p.R1;
  const s2 = (first ? p.PP <= open && open <= p.R1 : zone === "Z2") && p.R2 < close && close < p.R3;
  const s3 = !first && p.R2 <= open && open <= p.R3 && close > p.R3;
  if (!(s1 || s2 || s3)) return null;
  let flagged: ScenarioMatch | null = null;
  if (s1) {
    if (p.R3 > close) return { scenario: 1, target: p.R3, targetNotAbove: false };
    flagged = { scenario: 1, target: p.R3, targetNotAbove: true };
  }
  if (s2) {
    if (p.R4 > close) return { scenario: 2, target: p.R4, targetNotAbove: false };
    flagged ??= { scenario: 2, target: p.R4, targetNotAbove: true };
  }
  if (s3) {
    if (p.R5 > close) return { scenario: 3, target: p.R5, targetNotAbove: false };
    flagged ??= { scenario: 3, target: p.R5, targetNotAbove: true };
  }
  return flagged;
}
