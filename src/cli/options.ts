import { isIsoDate } from "../domain/ist.js";
import { UserError } from "./user-error.js";

/** Parses a `--flag` value as a finite number or fails with a message naming the flag. */
export function numberOption(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n))
    throw new UserError(`${flag}: expected a number, found "${value}"`);
  return n;
}

/** Parses a `--flag` value as a whole number within bounds. */
export function integerOption(
  flag: string,
  value: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const n = numberOption(flag, value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UserError(`${flag}: expected a whole number from ${min} to ${max}, found "${value}"`);
  }
  return n;
}

/** Checks a `--flag` value is a date `YYYY-MM-DD`. */
export function dateOption(flag: string, value: string): string {
  if (!isIsoDate(value)) throw new UserError(`${flag}: expected a date YYYY-MM-DD, found "${value}"`);
  return value;
}
