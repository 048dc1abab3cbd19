/** Median of a list of numbers (the lists are small). */
export function median(values: readonly number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}

/** One measured figure of a benchmark, as printed and written to bench/results.json. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** What the issue asks for, as text (e.g. ">= 1,000,000"), when it asks. */
  target?: string;
  /** Whether the figure meets the target (absent without a target). */
  met?: boolean;
}
