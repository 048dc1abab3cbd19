import type { MarketTrade } from "../../domain/matching/match-order.js";
import type { MarketTick } from "../../ports/market-data.js";

/** The best bid and ask and the traded quantity of a tick, when the feed has them. */
export type TickBook = Omit<MarketTrade, "price" | "available">;

/** The best bid and ask (from the depth) and the traded quantity of a ticker packet. */
export function bookOf(tick: MarketTick): TickBook {
  const bid = tick.depth?.buy[0];
  const ask = tick.depth?.sell[0];
  const book: TickBook = {};
  if (bid && bid.price > 0 && bid.quantity > 0) book.bestBid = { price: bid.price, quantity: bid.quantity };
  if (ask && ask.price > 0 && ask.quantity > 0) book.bestAsk = { price: ask.price, quantity: ask.quantity };
  if (tick.last_quantity !== undefined && tick.last_quantity > 0) book.quantity = tick.last_quantity;
  return book;
}
