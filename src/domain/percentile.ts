/**
 * The p-th percentile of `values` with linear interpolation between closest ranks, as
 * numpy's default (`h = (n-1)p/100`, `v[k] + (h-k)(v[k+1]-v[k])`). Sorts `values` in place
 * (callers pass a scratch buffer). NaN for an empty input.
 */
export function percentileInPlace(values: number[] | Float64Array, count: number, p: number): number {
  if (count === 0) return Number.NaN;
  // Insertion sort: the windows are 20 long, where it beats Array#sort and allocates nothing.
  for (let i = 1; i < count; i++) {
    const v = values[i] as number;
    let j = i - 1;
    while (j >= 0 && (values[j] as number) > v) {
      values[j + 1] = values[j] as number;
      j--;
    }
    values[j + 1] = v;
  }
  const h = ((count - 1) * p) / 100;
  const k = Math.floor(h);
  const lower = values[k] as number;
  if (k >= count - 1) return lower;
  return lower + (h - k) * ((values[k + 1] as number) - lower);
}
