import { type CheckedOrder, SLM_INDEX_OPTION_REJECTION } from "../../domain/matching/order-checks.js";

/*
 * What Kite refuses beyond the checks it shares with the simulator (domain/matching's
 * orderProblem), so that paper mode fails where live mode would: a bad or reused tag, and
 * orders accepted then REJECTED (an order id and a REJECTED update: SL-M on an index option,
 * refused by the exchange). Messages are Kite's wording as the simulator writes it.
 */

export { SLM_INDEX_OPTION_REJECTION };

const TAG = /^[A-Za-z0-9]{1,20}$/;
const INDEX_OPTION = /^(SENSEX50|SENSEX|BANKEX|NIFTY|BANKNIFTY|FINNIFTY|MIDCPNIFTY|NIFTYNXT50)\d.*(CE|PE)$/;

/** True for options on an index (SENSEX, BANKEX, NIFTY, ...) on BFO or NFO. */
export function isIndexOption(exchange: string, tradingsymbol: string): boolean {
  return (exchange === "BFO" || exchange === "NFO") && INDEX_OPTION.test(tradingsymbol);
}

/** Why Kite would refuse a tag (null when fine). */
export function tagProblem(tag: unknown): string | null {
  return typeof tag === "string" && TAG.test(tag)
    ? null
    : "every order needs a tag of 1-20 letters or digits (it is how a lost answer is found again)";
}

/** Why the exchange would reject an accepted order (null when it takes it). */
export function rejectionOf(o: CheckedOrder, indexOption: boolean): string | null {
  if (o.type === "SL-M" && indexOption) return SLM_INDEX_OPTION_REJECTION;
  return null;
}
