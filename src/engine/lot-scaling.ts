/*
 * Lot scaling: the strategy sizes positions with the configured lots; the operator may change
 * the lots for the day (the control state), and the order goes out scaled to them.
 */

/** The quantity to order for a strategy position of `strategyQuantity` sized with `configLots`. */
export function scaledQuantity(
  strategyQuantity: number,
  configLots: number,
  controlLots: number | null,
): number {
  const lots = controlLots ?? configLots;
  return Math.round((strategyQuantity / configLots) * lots);
}
