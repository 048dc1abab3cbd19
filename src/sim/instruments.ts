/**
 * The simulator's instrument master: the index (BSE:SENSEX token 265, or NSE:NIFTY 50 token
 * 256265, segment INDICES) and the option contracts of the data (BFO-OPT or NFO-OPT, as the
 * underlying's profile says), with tokens whose low byte is the segment code, as Kite's are.
 * Real tokens can be taken from a Kite master dump when one is given.
 */
import type { TradingCalendar } from "../domain/calendar.js";
import { INSTRUMENT_COLUMNS, type Instrument } from "../domain/instruments.js";
import { addDays, type IsoDate, weekdayOf } from "../domain/ist.js";
import { parseOptionSymbol } from "../domain/symbols.js";
import { findUnderlyingProfile, type UnderlyingProfile, underlyingProfile } from "../domain/underlyings.js";
import { hashString } from "./rng.js";

/** One instrument the simulator quotes and trades. */
export interface SimInstrument {
  instrumentToken: number;
  exchangeToken: number;
  tradingsymbol: string;
  /** The underlying's name (SENSEX for the index and its options). */
  name: string;
  exchange: "BSE" | "BFO" | "NSE" | "NFO";
  segment: "INDICES" | "BFO-OPT" | "NFO-OPT";
  instrumentType: "EQ" | "CE" | "PE";
  expiry: IsoDate | null;
  strike: number;
  /** Price step (0.05 for options; the index's master row says 0, its prices move by 0.01). */
  tickSize: number;
  lotSize: number;
  isIndex: boolean;
}

/** Kite's master header, in Kite's column order. */
export const MASTER_HEADER = INSTRUMENT_COLUMNS.join(",");

/** Token of BSE:SENSEX in Kite's master. */
export const SENSEX_TOKEN = underlyingProfile("SENSEX").index.instrumentToken;
/** The low byte of an option token: the segment code of the exchange (ticker-protocol's). */
const SEGMENT_CODE = { BFO: 5, NFO: 2 } as const;
const OPTION_TICK = 0.05;
const INDEX_PRICE_STEP = 0.01;

/** The simulator's instruments, looked up by token or by `EXCHANGE:SYMBOL`. */
export class SimInstruments {
  private readonly byToken = new Map<number, SimInstrument>();
  private readonly byKey = new Map<string, SimInstrument>();

  constructor(readonly list: readonly SimInstrument[]) {
    for (const i of list) {
      this.byToken.set(i.instrumentToken, i);
      this.byKey.set(`${i.exchange}:${i.tradingsymbol}`, i);
    }
  }

  /** By instrument token. */
  byInstrumentToken(token: number): SimInstrument | undefined {
    return this.byToken.get(token);
  }

  /** By exchange and tradingsymbol. */
  find(exchange: string, tradingsymbol: string): SimInstrument | undefined {
    return this.byKey.get(`${exchange}:${tradingsymbol}`);
  }

  /** By a quote key as Kite accepts it: `EXCHANGE:SYMBOL` or an instrument token. */
  resolve(key: string): SimInstrument | undefined {
    if (/^\d+$/.test(key)) return this.byToken.get(Number(key));
    return this.byKey.get(key);
  }

  /** By tradingsymbol alone (the data's file names). */
  bySymbol(tradingsymbol: string): SimInstrument | undefined {
    return this.list.find((i) => i.tradingsymbol === tradingsymbol);
  }

  /**
   * The master CSV as `GET /instruments[/EXCHANGE]` sends it: contracts that have not expired by
   * `date` (Kite lists only live contracts), index first.
   */
  csv(date: IsoDate, exchange?: string): string {
    const rows = [MASTER_HEADER];
    for (const i of this.list) {
      if (exchange && i.exchange !== exchange) continue;
      if (i.expiry && i.expiry < date) continue;
      rows.push(masterRow(i));
    }
    return `${rows.join("\n")}\n`;
  }
}

function masterRow(i: SimInstrument): string {
  return [
    i.instrumentToken,
    i.exchangeToken,
    i.tradingsymbol,
    i.name,
    "0.0",
    i.expiry ?? "",
    pythonFloat(i.strike),
    i.isIndex ? "0.0" : pythonFloat(i.tickSize),
    i.isIndex ? 0 : i.lotSize,
    i.instrumentType,
    i.segment,
    i.exchange,
  ].join(",");
}

/** Numbers as Kite's master writes them (`80500.0`, `0.05`). */
function pythonFloat(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

export interface BuildInstrumentsOptions {
  /** The index name (SENSEX). */
  underlying: string;
  /** Every tradingsymbol of the data. */
  symbols: Iterable<string>;
  calendar: TradingCalendar;
  /** Rows of a real Kite master (BFO and/or BSE): their tokens are used for the symbols they list. */
  master?: readonly Instrument[];
}

/** The index and every option symbol of the data as instruments; other symbols are left out. */
export function buildSimInstruments(o: BuildInstrumentsOptions): SimInstruments {
  const real = new Map<string, Instrument>();
  for (const row of o.master ?? []) real.set(`${row.exchange}:${row.tradingsymbol}`, row);
  const profile = simProfileOf(o.underlying);
  const list: SimInstrument[] = [
    {
      instrumentToken: profile.index.instrumentToken,
      exchangeToken: 1,
      tradingsymbol: profile.index.tradingsymbol,
      name: profile.index.tradingsymbol,
      exchange: profile.index.exchange,
      segment: "INDICES",
      instrumentType: "EQ",
      expiry: null,
      strike: 0,
      tickSize: INDEX_PRICE_STEP,
      lotSize: 0,
      isIndex: true,
    },
  ];
  const usedTokens = new Set<number>([1]);
  const options = [...new Set(o.symbols)].filter((s) => s !== o.underlying).sort();
  for (const symbol of options) {
    const parsed = parseOptionSymbol(symbol);
    if (!parsed || parsed.underlying !== o.underlying) continue;
    const known = real.get(`${profile.optionExchange}:${symbol}`);
    const expiry =
      known?.expiry ??
      parsed.expiry ??
      monthlyExpiry(parsed.expiryMonth, profile.weeklyExpiryWeekday, o.calendar);
    let exchangeToken = known?.exchangeToken ?? 800_000 + (hashString(symbol) % 150_000);
    while (usedTokens.has(exchangeToken) && !known) exchangeToken++;
    usedTokens.add(exchangeToken);
    list.push({
      instrumentToken: known?.instrumentToken ?? exchangeToken * 256 + SEGMENT_CODE[profile.optionExchange],
      exchangeToken,
      tradingsymbol: symbol,
      name: o.underlying,
      exchange: profile.optionExchange,
      segment: profile.optionSegment,
      instrumentType: parsed.optionType,
      expiry,
      strike: parsed.strike,
      tickSize: known?.tickSize || OPTION_TICK,
      lotSize: known?.lotSize || profile.fallbackLotSize,
      isIndex: false,
    });
  }
  return new SimInstruments(list);
}

/**
 * The profile of the data's underlying; one the system does not trade (BANKEX, say) is listed
 * as SENSEX is, on BSE and BFO, under its own name.
 */
function simProfileOf(underlying: string): UnderlyingProfile {
  const known = findUnderlyingProfile(underlying);
  if (known) return known;
  const bse = underlyingProfile("SENSEX");
  return { ...bse, name: underlying, index: { ...bse.index, tradingsymbol: underlying } };
}

/**
 * The month's (`YYYY-MM`) last expiry weekday (Thursday SENSEX, Tuesday NIFTY), moved to the
 * previous trading day on a holiday.
 */
function monthlyExpiry(month: string, expiryWeekday: number, calendar: TradingCalendar): IsoDate {
  const [y, m] = [Number(month.slice(0, 4)), Number(month.slice(5, 7))];
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, "0")}-01`;
  let day = addDays(next, -1);
  while (weekdayOf(day) !== expiryWeekday) day = addDays(day, -1);
  return calendar.onOrBefore(day);
}
