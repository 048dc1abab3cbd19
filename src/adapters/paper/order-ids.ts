/** A source of order ids: each call returns a new one. */
export type OrderIdSource = () => string;

/**
 * Deterministic order ids, `prefix` and a zero-padded counter (`PAPER000001`), so that the same
 * ticks and orders give the same ids, run after run. `after`: the last id already used (found
 * in the paper database after a restart); counting goes on from it, so no id is used twice.
 */
export function sequentialOrderIds(prefix = "PAPER", after: string | null = null): OrderIdSource {
  let n = 0;
  if (after?.startsWith(prefix)) {
    const used = Number(after.slice(prefix.length));
    if (Number.isInteger(used) && used > 0) n = used;
  }
  return () => `${prefix}${String(++n).padStart(6, "0")}`;
}
