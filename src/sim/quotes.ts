/**
 * What a client sees of an instrument's live state: the REST quote payloads (kite-mocks
 * quote.json, ohlc.json, ltp.json) and the ticker packets, from one LiveQuote.
 */
import type { DepthLevel, Tick, TickMode } from "../adapters/kite/ticker-protocol.js";
import { kiteTimestamp } from "./kite-time.js";
import type { LiveQuote } from "./market-replay.js";
import { hashString } from "./rng.js";

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Kite's `GET /quote/ltp` entry. */
export function ltpPayload(q: LiveQuote): { instrument_token: number; last_price: number } {
  return { instrument_token: q.instrument.instrumentToken, last_price: q.lastPrice };
}

/** Kite's `GET /quote/ohlc` entry. */
export function ohlcPayload(q: LiveQuote) {
  return {
    instrument_token: q.instrument.instrumentToken,
    last_price: q.lastPrice,
    ohlc: { open: q.open, high: q.high, low: q.low, close: q.close },
  };
}

/** Kite's `GET /quote` entry (full market quote with depth) at market time `nowMs`. */
export function quotePayload(q: LiveQuote, nowMs: number) {
  const tick = q.instrument.tickSize;
  const index = q.instrument.isIndex;
  const reference = Math.max(q.close, q.lastPrice);
  return {
    instrument_token: q.instrument.instrumentToken,
    timestamp: kiteTimestamp(nowMs),
    last_trade_time: q.lastTradeTime === null ? null : kiteTimestamp(q.lastTradeTime),
    last_price: q.lastPrice,
    last_quantity: q.lastQuantity,
    buy_quantity: q.buyQuantity,
    sell_quantity: q.sellQuantity,
    volume: q.volume,
    average_price: q.averagePrice,
    oi: 0,
    oi_day_high: 0,
    oi_day_low: 0,
    net_change: q.close > 0 ? round2(q.lastPrice - q.close) : 0,
    lower_circuit_limit: index ? 0 : tick,
    upper_circuit_limit: index ? 0 : round2(Math.ceil((reference * 3) / tick) * tick),
    ohlc: { open: q.open, high: q.high, low: q.low, close: q.close },
    depth: depthOf(q),
  };
}

/** Five bids and five asks around the last price (zeros for an index, which has no book). */
export function depthOf(q: LiveQuote): { buy: DepthLevel[]; sell: DepthLevel[] } {
  const buy: DepthLevel[] = [];
  const sell: DepthLevel[] = [];
  const step = q.instrument.tickSize;
  const lot = q.instrument.lotSize || 1;
  for (let i = 0; i < 5; i++) {
    if (q.instrument.isIndex || q.lastPrice <= 0) {
      buy.push({ price: 0, quantity: 0, orders: 0 });
      sell.push({ price: 0, quantity: 0, orders: 0 });
      continue;
    }
    const h = hashString(`${q.instrument.instrumentToken}|${q.lastTradeTime}|${i}`);
    const bid = round2(q.lastPrice - i * step);
    buy.push({
      price: Math.max(bid, 0),
      quantity: bid > 0 ? lot * (1 + (h % 30)) : 0,
      orders: bid > 0 ? 1 + ((h >>> 8) % 9) : 0,
    });
    sell.push({
      price: round2(q.lastPrice + (i + 1) * step),
      quantity: lot * (1 + ((h >>> 12) % 30)),
      orders: 1 + ((h >>> 20) % 9),
    });
  }
  return { buy, sell };
}

/** The ticker packet of an instrument in a mode, for encodeFrame. */
export function tickerTick(q: LiveQuote, mode: TickMode, nowMs: number): Tick {
  const token = q.instrument.instrumentToken;
  const tradable = !q.instrument.isIndex;
  const tick: Tick = { mode, tradable, instrument_token: token, last_price: q.lastPrice };
  if (mode === "ltp") return tick;
  tick.ohlc = { open: q.open, high: q.high, low: q.low, close: q.close };
  tick.change = q.close === 0 ? 0 : ((q.lastPrice - q.close) * 100) / q.close;
  const exchangeSeconds = Math.floor((q.lastTradeTime ?? nowMs) / 1000);
  if (q.instrument.isIndex) {
    if (mode === "full") tick.timestamp = exchangeSeconds;
    return tick;
  }
  tick.last_quantity = q.lastQuantity;
  tick.average_price = q.averagePrice;
  tick.volume = q.volume;
  tick.buy_quantity = q.buyQuantity;
  tick.sell_quantity = q.sellQuantity;
  if (mode === "full") {
    tick.last_trade_time = q.lastTradeTime === null ? 0 : exchangeSeconds;
    tick.oi = 0;
    tick.oi_day_high = 0;
    tick.oi_day_low = 0;
    tick.timestamp = exchangeSeconds;
    tick.depth = depthOf(q);
  }
  return tick;
}
