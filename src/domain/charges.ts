/** Rates of the charges on an options round trip (STRATEGY.md section 7), all configurable. */
export interface ChargeRates {
  /** Rupees per executed order. */
  brokeragePerOrder: number;
  /** Securities transaction tax, percent of the sell premium. */
  sttSellPct: number;
  /** Exchange transaction charge, percent of the premium turnover (both sides). */
  exchangePct: number;
  /** SEBI turnover fee, rupees per crore of turnover. */
  sebiPerCrore: number;
  /** GST, percent of brokerage + exchange + SEBI charges. */
  gstPct: number;
  /** Stamp duty, percent of the buy premium. */
  stampBuyPct: number;
}

export const DEFAULT_CHARGE_RATES: ChargeRates = {
  brokeragePerOrder: 20,
  sttSellPct: 0.1,
  exchangePct: 0.0325,
  sebiPerCrore: 10,
  gstPct: 18,
  stampBuyPct: 0.003,
};

export interface ChargeBreakdown {
  brokerage: number;
  stt: number;
  exchange: number;
  sebi: number;
  gst: number;
  stamp: number;
  total: number;
}

const CRORE = 10_000_000;

/** Charges of one buy-then-sell round trip of `quantity` at the two premiums, rounded to paise. */
export function roundTripCharges(
  buyPrice: number,
  sellPrice: number,
  quantity: number,
  rates: ChargeRates = DEFAULT_CHARGE_RATES,
): ChargeBreakdown {
  const buyValue = buyPrice * quantity;
  const sellValue = sellPrice * quantity;
  const turnover = buyValue + sellValue;
  const brokerage = rates.brokeragePerOrder * 2;
  const stt = (sellValue * rates.sttSellPct) / 100;
  const exchange = (turnover * rates.exchangePct) / 100;
  const sebi = (turnover * rates.sebiPerCrore) / CRORE;
  const gst = ((brokerage + exchange + sebi) * rates.gstPct) / 100;
  const stamp = (buyValue * rates.stampBuyPct) / 100;
  // Each part is rounded to paise and the total is their sum, so the breakdown a trader sees adds up.
  const parts = {
    brokerage: paise(brokerage),
    stt: paise(stt),
    exchange: paise(exchange),
    sebi: paise(sebi),
    gst: paise(gst),
    stamp: paise(stamp),
  };
  const total = paise(parts.brokerage + parts.stt + parts.exchange + parts.sebi + parts.gst + parts.stamp);
  return { ...parts, total };
}

/** Rounds rupees to paise. */
export function paise(rupees: number): number {
  return Math.round(rupees * 100) / 100;
}
