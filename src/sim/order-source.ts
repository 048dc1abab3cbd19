import { canonicalIp, ipInList } from "../ops/ip-address.js";
import { KiteError } from "./kite-errors.js";

/*
 * Since 1 April 2026 Kite takes order placement, modification and cancellation only from the
 * addresses registered for the account (its "IP Whitelist"); quotes, the order book, positions
 * and the socket answer any address (KITE.md "Retail algo rules"). `pivot sim --allowed-ips`
 * plays that rule, and every order request is recorded with its source address and algo_id so
 * that tests can see what reached the broker.
 */

export type OrderAction = "place" | "modify" | "cancel";

/** One order request as the simulator received it. */
export interface OrderRequestRecord {
  action: OrderAction;
  /** The order placed, modified or cancelled (null when a placement was refused). */
  orderId: string | null;
  sourceAddress: string;
  /** The `algo_id` form field of a placement, null when absent. */
  algoId: string | null;
  accepted: boolean;
}

/**
 * The simulator's answer to an order request from an address outside the whitelist: HTTP 403,
 * error_type PermissionException, a message naming the address and the fix. Kite's exact
 * wording is not published; clients recognise it by "IP" with "whitelist" (kite-errors.ts).
 */
export function sourceAddressError(address: string): KiteError {
  return new KiteError(
    403,
    "PermissionException",
    `Order requests are not allowed from IP ${address}: it is not in the IP whitelist of this Kite Connect account (developers.kite.trade, Profile, IP Whitelist).`,
  );
}

/** Checks and records order requests. */
export class OrderSourceGate {
  private readonly records: OrderRequestRecord[] = [];

  /** `allowed`: the whitelist; null lets every address through (the default). */
  constructor(private readonly allowed: readonly string[] | null) {}

  /** Throws the Kite-shaped refusal when `address` may not send order requests (the refusal is recorded). */
  check(action: OrderAction, address: string, orderId: string | null, algoId: string | null): void {
    if (this.allowed === null || ipInList(address, this.allowed)) return;
    this.records.push({ action, orderId, sourceAddress: canonicalIp(address), algoId, accepted: false });
    throw sourceAddressError(canonicalIp(address));
  }

  /** Records an accepted order request. */
  accepted(action: OrderAction, address: string, orderId: string, algoId: string | null): void {
    this.records.push({ action, orderId, sourceAddress: canonicalIp(address), algoId, accepted: true });
  }

  /** Every order request so far, oldest first. */
  list(): OrderRequestRecord[] {
    return this.records.map((r) => ({ ...r }));
  }
}
