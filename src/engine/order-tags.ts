import type { OrderPurpose } from "../ports/store-records.js";

/*
 * Order tags: the one identity of an order that survives a crash and a lost answer (Kite keeps
 * the tag and shows it in the order book). A tag is the purpose letter, the trade id's letters
 * and digits, and (for stops and exits, which may be placed more than once) an attempt letter:
 * `E20250905001`, `S20250905001a`, `X20250905001b`. At most 20 characters, as Kite requires.
 */

const PURPOSE_LETTER: Record<OrderPurpose, string> = { ENTRY: "E", STOP_LOSS: "S", EXIT: "X" };
const ATTEMPTS = "abcdefghijklmnopqrstuvwxyz";

/** The most attempts a stop or an exit of one trade may have (one tag letter each). */
export const MAX_ATTEMPTS = ATTEMPTS.length;

/** The trade id as a tag body: letters and digits only; throws when it cannot fit a tag. */
export function tagBodyOf(tradeId: string): string {
  const body = tradeId.replace(/[^A-Za-z0-9]/g, "");
  if (body.length === 0 || body.length > 18) {
    throw new RangeError(`trade id ${tradeId} cannot make an order tag (1-18 letters or digits needed)`);
  }
  return body;
}

/** The tag of an order of a trade: the entry has one; stops and exits have attempts 0, 1, ... */
export function orderTag(tradeId: string, purpose: OrderPurpose, attempt = 0): string {
  const base = `${PURPOSE_LETTER[purpose]}${tagBodyOf(tradeId)}`;
  if (purpose === "ENTRY") return base;
  const letter = ATTEMPTS[attempt];
  if (letter === undefined) throw new RangeError(`attempt ${attempt} of ${purpose} for ${tradeId}: too many`);
  return `${base}${letter}`;
}

const TICKS_PER_RUPEE = 20; // the 0.05 tick of BFO options

/** A price rounded up to the 0.05 tick (2 decimals exact). */
export function roundUpToTick(price: number): number {
  return Math.ceil(Math.round(price * TICKS_PER_RUPEE * 1e6) / 1e6) / TICKS_PER_RUPEE;
}

/** A price rounded down to the 0.05 tick (2 decimals exact). */
export function roundDownToTick(price: number): number {
  return Math.floor(Math.round(price * TICKS_PER_RUPEE * 1e6) / 1e6) / TICKS_PER_RUPEE;
}
