import type { PivotLevels, Structure } from "../domain/pivots.js";
import type { OptionType } from "../domain/symbols.js";
import type { ContractSetup } from "../strategy/types.js";
import type { SeriesWalk } from "./replay-day.js";

/*
 * A day's contract setups as numbers, for the day setups' file (day-setup-store.ts): per
 * setup its strike, quantity, option type, structure, whether it has pivots, the nine pivot
 * levels, the count of its prior candle sizes and those sizes, then its series' walk over the
 * session grid (candles, word count, words: replay-day.ts), as float64: exactly the values the
 * setup had (no decimal text in between), read back without parsing.
 */

const OPTION_TYPES: readonly OptionType[] = ["CE", "PE"];
const STRUCTURES: readonly (Structure | null)[] = [null, "BULLISH", "BEARISH", "NEUTRAL"];
/** The pivot levels in the order classicPivots gives them (kept: a trade's JSON lists them so). */
const LEVELS = ["PP", "R1", "R2", "R3", "R4", "R5", "S1", "S2", "S3"] as const;
/** Numbers of a setup before its prior sizes. */
const FIXED = 6 + LEVELS.length;

/** A day's setups and their series' walks, in the same order. */
export interface SetupsAndWalks {
  setups: ContractSetup[];
  walks: SeriesWalk[];
}

/** The setups' numbers (their symbols are kept apart); null when one holds a value the form has no code for. */
export function encodeSetups({ setups, walks }: SetupsAndWalks): Float64Array | null {
  if (walks.length !== setups.length) return null;
  let total = 0;
  setups.forEach((s, i) => {
    total += FIXED + s.priorSizes.length + 2 + (walks[i] as SeriesWalk).slots.length;
  });
  const values = new Float64Array(total);
  let k = 0;
  for (const [i, s] of setups.entries()) {
    const optionType = OPTION_TYPES.indexOf(s.optionType);
    const structure = STRUCTURES.indexOf(s.structure);
    if (optionType < 0 || structure < 0) return null;
    values[k++] = s.strike;
    values[k++] = s.quantity;
    values[k++] = optionType;
    values[k++] = structure;
    values[k++] = s.pivots ? 1 : 0;
    for (const level of LEVELS) values[k++] = s.pivots ? s.pivots[level] : 0;
    values[k++] = s.priorSizes.length;
    for (const size of s.priorSizes) values[k++] = size;
    const walk = walks[i] as SeriesWalk;
    values[k++] = walk.candles;
    values[k++] = walk.slots.length;
    for (const word of walk.slots) values[k++] = word;
  }
  return values;
}

/** The setups of `symbols` and their walks from their numbers; null when the numbers do not fit them. */
export function decodeSetups(symbols: readonly string[], values: Float64Array): SetupsAndWalks | null {
  const setups: ContractSetup[] = [];
  const walks: SeriesWalk[] = [];
  let k = 0;
  for (const symbol of symbols) {
    if (k + FIXED > values.length) return null;
    const optionType = OPTION_TYPES[values[k + 2] as number];
    const structure = STRUCTURES[values[k + 3] as number];
    const sizes = values[k + FIXED - 1] as number;
    if (optionType === undefined || structure === undefined || k + FIXED + sizes > values.length) return null;
    const p = k + 5;
    const pivots: PivotLevels | null =
      values[k + 4] === 1
        ? {
            PP: values[p] as number,
            R1: values[p + 1] as number,
            R2: values[p + 2] as number,
            R3: values[p + 3] as number,
            R4: values[p + 4] as number,
            R5: values[p + 5] as number,
            S1: values[p + 6] as number,
            S2: values[p + 7] as number,
            S3: values[p + 8] as number,
          }
        : null;
    setups.push({
      symbol,
      strike: values[k] as number,
      optionType,
      quantity: values[k + 1] as number,
      pivots,
      structure,
      priorSizes: numbersOf(values, k + FIXED, sizes),
    });
    k += FIXED + sizes;
    const words = values[k + 1] as number;
    if (!(words >= 0) || k + 2 + words > values.length) return null;
    walks.push({
      candles: values[k] as number,
      slots: numbersOf(values, k + 2, words),
    });
    k += 2 + words;
  }
  return k === values.length ? { setups, walks } : null;
}

/** `count` numbers of `values` from `from` as an array (a plain loop: Array.from iterates, far slower). */
function numbersOf(values: Float64Array, from: number, count: number): number[] {
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = values[from + i] as number;
  return out;
}
