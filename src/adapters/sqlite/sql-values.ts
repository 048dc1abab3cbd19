/** SQLite has no boolean: 0/1 integers (CHECKed in the schema). */
export function toFlag(value: boolean): 0 | 1 {
  return value ? 1 : 0;
}

/** The boolean of a 0/1 column. */
export function fromFlag(value: unknown): boolean {
  return value === 1 || value === 1n;
}

/** The first and last possible dates of a month `YYYY-MM`, for a range query on a date column. */
export function monthRange(month: string): { from: string; to: string } {
  if (!/^\d{4}-\d{2}$/.test(month)) throw new RangeError(`expected a month YYYY-MM, found "${month}"`);
  return { from: `${month}-01`, to: `${month}-31` };
}
