/** A source of order ids: each call returns a new one. */
export type OrderIdSource = () => string;

/**
 * Deterministic order ids, `prefix` and a zero-padded counter from 1 (`PAPER000001`), so that
 * the same ticks and orders give the same ids, run after run.
 */
export function sequentialOrderIds(prefix = "PAPER"): OrderIdSource {
  let n = 0;
  return () => `${prefix}${String(++n).padStart(6, "0")}`;
}
