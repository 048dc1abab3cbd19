import type { ExitReason, OutsideExitReason } from "../domain/trade.js";
import { EMERGENCY_REASON } from "./stop-keeper.js";

/** The strategy's own exits: the strategy closes those positions itself, at its model price. */
const STRATEGY_EXITS: ReadonlySet<string> = new Set<ExitReason>([
  "STOP_LOSS",
  "TARGET",
  "TIMEOUT",
  "EOD",
  "MAX_DAILY_LOSS",
]);

/**
 * The order manager's reason of an exit it made on its own, as the trade records it (null: the
 * strategy's own exit). An unknown reason (one lost before schema v7) is MANUAL.
 */
export function outsideExitReason(orderManagerReason: string): OutsideExitReason | null {
  if (STRATEGY_EXITS.has(orderManagerReason)) return null;
  if (orderManagerReason === "protective_stop" || orderManagerReason === "STOP_FILLED") return "STOP_FILLED";
  if (orderManagerReason === "PANIC") return "PANIC";
  if (orderManagerReason === EMERGENCY_REASON) return "EMERGENCY";
  return "MANUAL";
}
