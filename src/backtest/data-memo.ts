import type { CandleData } from "./candle-directory.js";

/**
 * Values derived from a loaded data set, computed once per data set and kept while it lives.
 * A data set is never changed once loaded, and `pivot optimize` backtests the same one
 * hundreds of times: what depends only on the data (the dates of each symbol, which series
 * sit on the session grid, the option contracts of each day) need not be worked out again.
 */
const memos = new WeakMap<CandleData, Map<string, unknown>>();

/** `compute()` for this data set and key, remembered for as long as the data set lives. */
export function memoFor<T>(data: CandleData, key: string, compute: () => T): T {
  let memo = memos.get(data);
  if (!memo) {
    memo = new Map();
    memos.set(data, memo);
  }
  if (memo.has(key)) return memo.get(key) as T;
  const value = compute();
  memo.set(key, value);
  return value;
}
