import type { DailyBar } from "./candle.js";

/** Classic floor-trader pivot levels, the ones the strategy trades on. Full precision. */
export interface PivotLevels {
  PP: number;
  R1: number;
  R2: number;
  R3: number;
  R4: number;
  R5: number;
  S1: number;
  S2: number;
  S3: number;
}

export type Structure = "BULLISH" | "BEARISH" | "NEUTRAL";
export type OpeningZone = "Z1" | "Z2" | "NONE";

/** The previous day's high, low and close that pivots are computed from. */
export type HighLowClose = Pick<DailyBar, "high" | "low" | "close">;

/** Classic pivots of STRATEGY.md section 3, from the previous day's high, low and close. */
export function classicPivots({ high: H, low: L, close: C }: HighLowClose): PivotLevels {
  const PP = (H + L + C) / 3;
  const R1 = 2 * PP - L;
  const S1 = 2 * PP - H;
  const R2 = PP + (H - L);
  const S2 = PP - (H - L);
  const R3 = H + 2 * (PP - L);
  const S3 = L - 2 * (H - PP);
  const R4 = R3 + (R2 - R1);
  const R5 = R4 + (R3 - R2);
  return { PP, R1, R2, R3, R4, R5, S1, S2, S3 };
}

/**
 * Structure of a contract's levels: with `a = R1 - PP` and `b = PP - S1`, NEUTRAL when
 * `|a - b| < neutralBand`, else BULLISH when a > b and BEARISH when a < b.
 */
export function structureOf(p: PivotLevels, neutralBand: number): Structure {
  const a = p.R1 - p.PP;
  const b = p.PP - p.S1;
  if (Math.abs(a - b) < neutralBand) return "NEUTRAL";
  return a > b ? "BULLISH" : "BEARISH";
}

/** Opening zone from the first candle's open: Z1 when `S1 <= O <= PP`, Z2 when `PP < O <= R1`. */
export function openingZoneOf(p: PivotLevels, firstOpen: number | undefined): OpeningZone {
  if (firstOpen === undefined) return "NONE";
  if (p.S1 <= firstOpen && firstOpen <= p.PP) return "Z1";
  if (p.PP < firstOpen && firstOpen <= p.R1) return "Z2";
  return "NONE";
}

/** Fibonacci pivots: classic PP with retracement ratios of the range. */
export function fibonacciPivots({ high: H, low: L, close: C }: HighLowClose): Record<string, number> {
  const PP = (H + L + C) / 3;
  const r = H - L;
  return {
    PP,
    R1: PP + 0.382 * r,
    R2: PP + 0.618 * r,
    R3: PP + r,
    S1: PP - 0.382 * r,
    S2: PP - 0.618 * r,
    S3: PP - r,
  };
}

/** Camarilla pivots: levels around the close at 1.1/12, 1.1/6, 1.1/4 and 1.1/2 of the range. */
export function camarillaPivots({ high: H, low: L, close: C }: HighLowClose): Record<string, number> {
  const r = (H - L) * 1.1;
  return {
    PP: (H + L + C) / 3,
    R1: C + r / 12,
    R2: C + r / 6,
    R3: C + r / 4,
    R4: C + r / 2,
    R5: L === 0 ? Number.NaN : (H / L) * C,
    S1: C - r / 12,
    S2: C - r / 6,
    S3: C - r / 4,
    S4: C - r / 2,
  };
}

/** Woodie pivots: the close weighs twice in the pivot. */
export function woodiePivots({ high: H, low: L, close: C }: HighLowClose): Record<string, number> {
  const PP = (H + L + 2 * C) / 4;
  return {
    PP,
    R1: 2 * PP - L,
    R2: PP + (H - L),
    S1: 2 * PP - H,
    S2: PP - (H - L),
  };
}

/** Central pivot range: pivot, bottom and top central levels and the width in percent of the pivot. */
export function centralPivotRange({ high: H, low: L, close: C }: HighLowClose): Record<string, number> {
  const pivot = (H + L + C) / 3;
  const bc = (H + L) / 2;
  const tc = 2 * pivot - bc;
  const top = Math.max(tc, bc);
  const bottom = Math.min(tc, bc);
  return { PP: pivot, TC: top, BC: bottom, width_pct: pivot === 0 ? 0 : ((top - bottom) / pivot) * 100 };
}

/** Rounds a level to 2 decimals for display only; comparisons always use full precision. */
export function roundForDisplay(level: number): number {
  return Math.round(level * 100) / 100;
}
