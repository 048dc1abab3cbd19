import { isRetryable, type KiteFailure, type KiteResult, kiteFail } from "./kite-errors.js";
import type { PlaceOrderParams } from "./kite-rest-types.js";

/* What KiteRest.placeOrder decides by: a valid order, an ambiguous failure, an uncertain result. */

const TAG = /^[A-Za-z0-9]{1,20}$/;

/** True when a lost or unclear answer leaves it open whether Kite took the order. */
export function isAmbiguous(failure: KiteFailure): boolean {
  return isRetryable(failure) || failure.kind === "unknown";
}

export function uncertain<T>(cause: KiteFailure, tag: string, lookup: KiteFailure): KiteResult<T> {
  return kiteFail({
    ...cause,
    uncertain: true,
    message: `${cause.message}; the order book could not be read (${lookup.message}): the order may have been placed, reconcile by tag ${tag} before placing again`,
  });
}

export function checkOrder(p: PlaceOrderParams): string | null {
  if (typeof p.tag !== "string" || !TAG.test(p.tag)) {
    return "every order needs a tag of 1-20 letters or digits (it is how a lost answer is found again)";
  }
  if (!Number.isInteger(p.quantity) || p.quantity <= 0) {
    return `quantity: expected a whole number above 0, found ${p.quantity}`;
  }
  if (!p.tradingsymbol) return "tradingsymbol is empty";
  return null;
}
