import { type IsoDate, isIsoDate } from "./ist.js";

export type OptionType = "CE" | "PE";

/** What a BFO/NFO option tradingsymbol says about its contract. */
export interface OptionSymbol {
  underlying: string;
  strike: number;
  optionType: OptionType;
  /** `weekly` symbols carry their expiry date; `monthly` ones only the month. */
  kind: "weekly" | "monthly";
  /** The expiry date (weekly symbols only). */
  expiry?: IsoDate;
  /** `YYYY-MM` of the expiry. */
  expiryMonth: string;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] as const;
/** Weekly symbols write the month as one character: 1-9 for Jan-Sep, O, N, D for Oct-Dec. */
const WEEKLY_MONTH_CODES = "123456789OND";

const WEEKLY_TAIL = /^(\d{2})([1-9OND])(\d{2})(\d+(?:\.\d+)?)(CE|PE)$/;
const MONTHLY_TAIL = /^(\d{2})(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)(\d+(?:\.\d+)?)(CE|PE)$/;
const LETTERS_PREFIX = /^[A-Z&-]+/;

/**
 * Parses an option tradingsymbol, weekly (`SENSEX2591180500CE`) or monthly
 * (`SENSEX25SEP80500CE`). Pass `underlying` when its name ends in digits (`SENSEX50`).
 * Returns null for anything that is not an option symbol.
 */
export function parseOptionSymbol(symbol: string, underlying?: string): OptionSymbol | null {
  const name = underlying ?? LETTERS_PREFIX.exec(symbol)?.[0];
  if (!name || !symbol.startsWith(name)) return null;
  const tail = symbol.slice(name.length);

  const w = WEEKLY_TAIL.exec(tail);
  if (w) {
    const year = 2000 + Number(w[1]);
    const month = WEEKLY_MONTH_CODES.indexOf(w[2] as string) + 1;
    const day = Number(w[3]);
    const expiry = `${year}-${pad2(month)}-${pad2(day)}`;
    if (!isIsoDate(expiry)) return null;
    return {
      underlying: name,
      strike: Number(w[4]),
      optionType: w[5] as OptionType,
      kind: "weekly",
      expiry,
      expiryMonth: expiry.slice(0, 7),
    };
  }
  const m = MONTHLY_TAIL.exec(tail);
  if (m) {
    const year = 2000 + Number(m[1]);
    const month = MONTHS.indexOf(m[2] as (typeof MONTHS)[number]) + 1;
    return {
      underlying: name,
      strike: Number(m[3]),
      optionType: m[4] as OptionType,
      kind: "monthly",
      expiryMonth: `${year}-${pad2(month)}`,
    };
  }
  return null;
}

/** Formats a weekly option symbol: `SENSEX` + `YY` + month code + `DD` + strike + `CE|PE`. */
export function formatWeeklySymbol(
  underlying: string,
  expiry: IsoDate,
  strike: number,
  type: OptionType,
): string {
  const month = Number(expiry.slice(5, 7));
  return `${underlying}${expiry.slice(2, 4)}${WEEKLY_MONTH_CODES[month - 1]}${expiry.slice(8, 10)}${strike}${type}`;
}

/** Formats a monthly option symbol: `SENSEX` + `YY` + `MON` + strike + `CE|PE`. */
export function formatMonthlySymbol(
  underlying: string,
  expiry: IsoDate,
  strike: number,
  type: OptionType,
): string {
  const month = Number(expiry.slice(5, 7));
  return `${underlying}${expiry.slice(2, 4)}${MONTHS[month - 1]}${strike}${type}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
