import { type ChargeBreakdown, type ChargeRates, paise, roundTripCharges } from "../../domain/charges.js";
import type { BrokerPosition, OrderSide, Product } from "../../ports/broker.js";

/*
 * The paper account's net positions: the average price of what is open, the realised P&L of
 * what was closed, and the charges of every round trip (an opening fill matched by a closing
 * one, long or short), computed with the domain's roundTripCharges. P&L here is gross, as
 * Kite's positions report it; charges are kept beside it.
 */

/** One fill applied to the positions. */
export interface PaperFill {
  exchange: string;
  tradingsymbol: string;
  product: Product;
  side: OrderSide;
  quantity: number;
  price: number;
}

/** A completed round trip (part of a position opened and closed again). */
export interface RoundTrip {
  tradingsymbol: string;
  exchange: string;
  product: Product;
  /** Long (bought first) or short (sold first). */
  direction: "long" | "short";
  quantity: number;
  buyPrice: number;
  sellPrice: number;
  /** (sell - buy) × quantity. */
  grossPnl: number;
  charges: ChargeBreakdown;
  netPnl: number;
}

interface Position {
  exchange: string;
  tradingsymbol: string;
  product: Product;
  /** Signed: above 0 long, below 0 short. */
  quantity: number;
  /** Average price of the open quantity (0 when flat). */
  averagePrice: number;
  realised: number;
  lastPrice: number;
}

/** Net positions of the paper account, with realised P&L and round-trip charges. */
export class PaperPositions {
  private readonly byKey = new Map<string, Position>();
  private readonly trips: RoundTrip[] = [];

  constructor(private readonly rates?: ChargeRates) {}

  /** Applies a fill; returns the round trips it completed (none for an opening fill). */
  apply(fill: PaperFill): RoundTrip[] {
    const p = this.positionOf(fill);
    p.lastPrice = fill.price;
    const signed = fill.side === "BUY" ? fill.quantity : -fill.quantity;
    const completed: RoundTrip[] = [];
    // The part of the fill that closes open quantity of the other direction.
    const closing = p.quantity * signed < 0 ? Math.min(Math.abs(p.quantity), fill.quantity) : 0;
    if (closing > 0) {
      const long = p.quantity > 0;
      const buyPrice = long ? p.averagePrice : fill.price;
      const sellPrice = long ? fill.price : p.averagePrice;
      const gross = paise((sellPrice - buyPrice) * closing);
      const charges = roundTripCharges(buyPrice, sellPrice, closing, this.rates);
      const trip: RoundTrip = {
        tradingsymbol: p.tradingsymbol,
        exchange: p.exchange,
        product: p.product,
        direction: long ? "long" : "short",
        quantity: closing,
        buyPrice,
        sellPrice,
        grossPnl: gross,
        charges,
        netPnl: paise(gross - charges.total),
      };
      completed.push(trip);
      this.trips.push(trip);
      p.realised = paise(p.realised + gross);
      p.quantity += long ? -closing : closing;
      if (p.quantity === 0) p.averagePrice = 0;
    }
    const opening = fill.quantity - closing;
    if (opening > 0) {
      const open = Math.abs(p.quantity);
      p.averagePrice = (p.averagePrice * open + fill.price * opening) / (open + opening);
      p.quantity += fill.side === "BUY" ? opening : -opening;
    }
    return completed;
  }

  /** Marks a symbol's positions to a new last price. */
  mark(tradingsymbol: string, lastPrice: number): void {
    for (const p of this.byKey.values()) if (p.tradingsymbol === tradingsymbol) p.lastPrice = lastPrice;
  }

  /** Every position of the day, flat ones included (as Kite's net positions list them). */
  list(): BrokerPosition[] {
    return [...this.byKey.values()].map((p) => ({
      tradingsymbol: p.tradingsymbol,
      exchange: p.exchange,
      product: p.product,
      quantity: p.quantity,
      averagePrice: paise(p.averagePrice),
      lastPrice: p.lastPrice,
      pnl: paise(p.realised + p.quantity * (p.lastPrice - p.averagePrice)),
    }));
  }

  /** The round trips completed so far, in order. */
  roundTrips(): readonly RoundTrip[] {
    return this.trips;
  }

  /** Realised P&L of the day: gross, the charges of the round trips, and net. */
  realised(): { gross: number; charges: number; net: number } {
    let gross = 0;
    let charges = 0;
    for (const t of this.trips) {
      gross += t.grossPnl;
      charges += t.charges.total;
    }
    return { gross: paise(gross), charges: paise(charges), net: paise(gross - charges) };
  }

  private positionOf(fill: PaperFill): Position {
    const key = `${fill.exchange}:${fill.tradingsymbol}:${fill.product}`;
    let p = this.byKey.get(key);
    if (!p) {
      p = {
        exchange: fill.exchange,
        tradingsymbol: fill.tradingsymbol,
        product: fill.product,
        quantity: 0,
        averagePrice: 0,
        realised: 0,
        lastPrice: fill.price,
      };
      this.byKey.set(key, p);
    }
    return p;
  }
}
