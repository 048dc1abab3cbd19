/** Which side of the market an order is on. */
export type Side = "BUY" | "SELL";

/*
 * Price arithmetic on the exchange's tick grid (0.05 for SENSEX options). Prices are counted
 * in ticks and rounded against the trader, so a simulated fill is never flattered by float
 * noise or by rounding.
 */

/** The default tick size of BFO/NFO options. */
export const DEFAULT_TICK_SIZE = 0.05;

/** Slippage of a paper fill: whole ticks, or a percent of the price; buys pay more, sells get less. */
export type Slippage = { ticks: number } | { percent: number };

/** No slippage. */
export const NO_SLIPPAGE: Slippage = { ticks: 0 };

/** Throws on a slippage that is negative or not a number (a configuration error). */
export function checkSlippage(s: Slippage): void {
  const value = "ticks" in s ? s.ticks : s.percent;
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`slippage must be a number of ticks or a percent >= 0, got ${JSON.stringify(s)}`);
  }
}

/** A tick count as a price, rounded to paise (what Kite shows). */
export function priceOfTicks(ticks: number, tickSize: number): number {
  return Math.round(ticks * tickSize * 100) / 100;
}

/** True when `price` lies on the tick grid. */
export function isOnTick(price: number, tickSize: number): boolean {
  const steps = price / tickSize;
  return Math.abs(steps - Math.round(steps)) < 1e-6;
}

/** `price` moved against the trader by the slippage, on the grid (buys rounded up, sells down), never below one tick. */
export function slippedPrice(price: number, side: Side, slippage: Slippage, tickSize: number): number {
  const slipTicks = "ticks" in slippage ? slippage.ticks : (price * slippage.percent) / 100 / tickSize;
  const exact = price / tickSize + (side === "BUY" ? slipTicks : -slipTicks);
  // The epsilon keeps a price already on the grid (100.05 / 0.05 = 2000.9999…) where it is.
  const ticks = side === "BUY" ? Math.ceil(exact - 1e-6) : Math.floor(exact + 1e-6);
  return priceOfTicks(Math.max(1, ticks), tickSize);
}

/** Automatic market protection (-1), in percent: the same UNCONFIRMED figure as the simulator's. */
export const AUTO_MARKET_PROTECTION_PCT = 2;

/**
 * The worst price a protected market order may trade at, from a reference price (Kite converts
 * a protected market order into a limit there); null = unbounded (protection 0).
 */
export function protectionLimitOf(
  side: Side,
  marketProtection: number,
  referencePrice: number,
  tickSize: number,
): number | null {
  const pct = marketProtection === -1 ? AUTO_MARKET_PROTECTION_PCT : marketProtection;
  if (pct <= 0 || referencePrice <= 0) return null;
  const exact = (referencePrice * (side === "BUY" ? 1 + pct / 100 : 1 - pct / 100)) / tickSize;
  const ticks = side === "BUY" ? Math.ceil(exact - 1e-6) : Math.floor(exact + 1e-6);
  return priceOfTicks(Math.max(1, ticks), tickSize);
}
