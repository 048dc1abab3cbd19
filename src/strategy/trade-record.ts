import { paise, roundTripCharges } from "../domain/charges.js";
import { type IsoDate, isoIst } from "../domain/ist.js";
import { type PivotLevels, roundForDisplay } from "../domain/pivots.js";
import type { ExitReason, OpenPosition, StrategyParams, Trade } from "./types.js";

/** The record of a position closed at `price` at `closeMinute` (P&L in paise-exact rupees, charges deducted). */
export function closedTrade(
  open: OpenPosition,
  date: IsoDate,
  price: number,
  closeMinute: number,
  reason: ExitReason,
  charges: StrategyParams["charges"],
): Trade {
  const pnlPoints = paise(price - open.entry_price);
  const pnlRupees = paise(pnlPoints * open.quantity);
  const cost = roundTripCharges(open.entry_price, price, open.quantity, charges).total;
  return {
    ...open,
    target: roundForDisplay(open.target),
    date,
    exit_time: isoIst(date, closeMinute),
    exit_price: price,
    exit_reason: reason,
    pnl_points: pnlPoints,
    pnl_rupees: pnlRupees,
    charges: cost,
    net_pnl_rupees: paise(pnlRupees - cost),
  };
}

/** Pivot levels rounded for reports and records. */
export function roundLevels(p: PivotLevels): PivotLevels {
  return {
    PP: roundForDisplay(p.PP),
    R1: roundForDisplay(p.R1),
    R2: roundForDisplay(p.R2),
    R3: roundForDisplay(p.R3),
    R4: roundForDisplay(p.R4),
    R5: roundForDisplay(p.R5),
    S1: roundForDisplay(p.S1),
    S2: roundForDisplay(p.S2),
    S3: roundForDisplay(p.S3),
  };
}
