import type { IsoDate } from "./ist.js";
import type { OptionType } from "./symbols.js";
import { findUnderlyingProfile } from "./underlyings.js";

/** One row of Kite's instrument master. */
export interface Instrument {
  instrumentToken: number;
  exchangeToken: number;
  tradingsymbol: string;
  name: string;
  lastPrice: number;
  /** Expiry date, or null for instruments that do not expire. */
  expiry: IsoDate | null;
  strike: number;
  tickSize: number;
  lotSize: number;
  instrumentType: string;
  segment: string;
  exchange: string;
}

/** An option contract of the master, with its type narrowed. */
export interface OptionContract extends Instrument {
  instrumentType: OptionType;
  expiry: IsoDate;
}

/** The columns of Kite's instrument master, in Kite's order. */
export const INSTRUMENT_COLUMNS = [
  "instrument_token",
  "exchange_token",
  "tradingsymbol",
  "name",
  "last_price",
  "expiry",
  "strike",
  "tick_size",
  "lot_size",
  "instrument_type",
  "segment",
  "exchange",
] as const;

/** A problem in the master file: which line and why. */
export class InstrumentMasterError extends Error {}

/**
 * Parses Kite's instrument master CSV (`GET /instruments/EXCHANGE`). Columns are found by
 * header name; names in quotes (some master rows quote `name`) are unquoted.
 */
export function parseInstrumentMaster(csv: string): Instrument[] {
  const lines = csv.split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? "");
  const index = new Map(header.map((h, i) => [h.trim(), i]));
  const missing = INSTRUMENT_COLUMNS.filter((c) => !index.has(c));
  if (missing.length > 0) {
    throw new InstrumentMasterError(`instrument master: missing column(s) ${missing.join(", ")}`);
  }
  const col = (fields: string[], name: (typeof INSTRUMENT_COLUMNS)[number]) =>
    fields[index.get(name) as number] ?? "";
  const out: Instrument[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === "") continue;
    const f = splitCsvLine(line);
    const tokenText = col(f, "instrument_token").trim();
    const token = Number(tokenText);
    if (tokenText === "" || !Number.isInteger(token)) {
      throw new InstrumentMasterError(
        `instrument master line ${i + 1}: instrument_token is not a whole number`,
      );
    }
    const expiry = col(f, "expiry").trim();
    out.push({
      instrumentToken: token,
      exchangeToken: Number(col(f, "exchange_token")),
      tradingsymbol: col(f, "tradingsymbol"),
      name: col(f, "name"),
      lastPrice: Number(col(f, "last_price")) || 0,
      expiry: expiry === "" ? null : expiry,
      strike: Number(col(f, "strike")) || 0,
      tickSize: Number(col(f, "tick_size")) || 0,
      lotSize: Number(col(f, "lot_size")) || 0,
      instrumentType: col(f, "instrument_type"),
      segment: col(f, "segment"),
      exchange: col(f, "exchange"),
    });
  }
  return out;
}

function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(",");
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(field);
      field = "";
    } else field += ch;
  }
  out.push(field);
  return out;
}

/** The instrument master of one or more exchanges, with the look-ups the system needs. */
export class InstrumentMaster {
  private readonly bySymbol = new Map<string, Instrument>();
  private readonly options = new Map<string, OptionContract[]>();

  constructor(readonly instruments: readonly Instrument[]) {
    for (const i of instruments) this.bySymbol.set(`${i.exchange}:${i.tradingsymbol}`, i);
  }

  /** The instrument `EXCHANGE:SYMBOL`, or with a bare symbol the first exchange that lists it. */
  find(symbol: string, exchange?: string): Instrument | undefined {
    if (exchange) return this.bySymbol.get(`${exchange}:${symbol}`);
    return (
      this.bySymbol.get(`BFO:${symbol}`) ??
      this.bySymbol.get(`BSE:${symbol}`) ??
      this.bySymbol.get(`NFO:${symbol}`)
    );
  }

  /**
   * The index row of an underlying, segment INDICES: `SENSEX` → BSE:SENSEX (token 265), `NIFTY`
   * → NSE:NIFTY 50 (token 256265, its symbol from the underlying's profile).
   */
  indexOf(underlying: string): Instrument | undefined {
    const index = findUnderlyingProfile(underlying)?.index;
    const symbol = index?.tradingsymbol ?? underlying;
    return this.instruments.find(
      (i) =>
        i.segment === "INDICES" && i.tradingsymbol === symbol && (!index || i.exchange === index.exchange),
    );
  }

  /** Every option contract (CE/PE) of an underlying (a shared list: do not change it). */
  optionsOf(underlying: string): readonly OptionContract[] {
    let list = this.options.get(underlying);
    if (!list) {
      list = this.instruments.filter(
        (i): i is OptionContract =>
          i.name === underlying &&
          (i.instrumentType === "CE" || i.instrumentType === "PE") &&
          i.expiry !== null,
      );
      this.options.set(underlying, list);
    }
    return list;
  }

  /** Expiry dates of an underlying's options, ascending. */
  expiriesOf(underlying: string): IsoDate[] {
    return [...new Set(this.optionsOf(underlying).map((o) => o.expiry))].sort();
  }

  /** The nearest expiry on or after `date` (the master already holds holiday-moved dates). */
  nearestExpiry(underlying: string, date: IsoDate): IsoDate | undefined {
    return this.expiriesOf(underlying).find((e) => e >= date);
  }

  /** Strikes listed for one expiry, ascending. */
  strikesOf(underlying: string, expiry: IsoDate): number[] {
    const strikes = this.optionsOf(underlying)
      .filter((o) => o.expiry === expiry)
      .map((o) => o.strike);
    return [...new Set(strikes)].sort((a, b) => a - b);
  }

  /** Lot size of an underlying's options (from its first listed contract), undefined when none is listed. */
  lotSizeOf(underlying: string): number | undefined {
    return this.optionsOf(underlying)[0]?.lotSize;
  }

  /** The option contract of an expiry, strike and type, if listed. */
  option(underlying: string, expiry: IsoDate, strike: number, type: OptionType): OptionContract | undefined {
    return this.optionsOf(underlying).find(
      (o) => o.expiry === expiry && o.strike === strike && o.instrumentType === type,
    );
  }
}

/** At-the-money strike: `round(spot / interval) * interval`. */
export function atmStrike(spot: number, strikeInterval: number): number {
  return Math.round(spot / strikeInterval) * strikeInterval;
}

/** The strikes of a day's universe: ATM - range … ATM + range in steps of the interval. */
export function universeStrikes(atm: number, strikeRange: number, strikeInterval: number): number[] {
  const steps = Math.round(strikeRange / strikeInterval);
  const strikes: number[] = [];
  // Each strike from the ATM by a whole number of steps, rounded: adding the interval over and
  // over would gather float error (100 becoming 99.99999999999999 with a 0.1 interval).
  for (let k = -steps; k <= steps; k++) strikes.push(Math.round((atm + k * strikeInterval) * 1e6) / 1e6);
  return strikes;
}

/** The day's universe from the master: the nearest expiry's CE and PE at each strike of the ATM window. */
export function dayUniverse(
  master: InstrumentMaster,
  underlying: string,
  date: IsoDate,
  spot: number,
  strikeRange: number,
  strikeInterval: number,
): { expiry: IsoDate; atm: number; contracts: OptionContract[]; missing: string[] } | null {
  const expiry = master.nearestExpiry(underlying, date);
  if (!expiry) return null;
  const atm = atmStrike(spot, strikeInterval);
  const contracts: OptionContract[] = [];
  const missing: string[] = [];
  for (const strike of universeStrikes(atm, strikeRange, strikeInterval)) {
    for (const type of ["CE", "PE"] as const) {
      const c = master.option(underlying, expiry, strike, type);
      if (c) contracts.push(c);
      else missing.push(`${strike}${type}`);
    }
  }
  return { expiry, atm, contracts, missing };
}
