/**
 * Positions from the day's trades (kite-mocks positions.json): one per tradingsymbol and
 * product. The simulator has no overnight positions, so `net` and `day` hold the same rows.
 * P&L follows Kite: value = sell value - buy value, pnl = value + quantity × last price.
 */
import type { LiveQuote } from "./market-replay.js";
import type { SimTrade } from "./orders.js";

const r2 = (n: number) => Math.round(n * 100) / 100;

export interface PositionRow extends Record<string, unknown> {
  tradingsymbol: string;
  quantity: number;
  average_price: number;
  pnl: number;
}

/** The `{net, day}` of `GET /portfolio/positions`. */
export function positionsOf(
  trades: readonly SimTrade[],
  quote: (token: number) => LiveQuote | undefined,
): { net: PositionRow[]; day: PositionRow[] } {
  const groups = new Map<string, SimTrade[]>();
  for (const t of trades) {
    const key = `${t.order.instrument.exchange}:${t.order.instrument.tradingsymbol}:${t.order.product}`;
    const list = groups.get(key);
    if (list) list.push(t);
    else groups.set(key, [t]);
  }
  const rows: PositionRow[] = [];
  for (const list of groups.values()) {
    const first = (list[0] as SimTrade).order;
    let buyQ = 0;
    let buyV = 0;
    let sellQ = 0;
    let sellV = 0;
    for (const t of list) {
      if (t.order.transactionType === "BUY") {
        buyQ += t.quantity;
        buyV += t.quantity * t.price;
      } else {
        sellQ += t.quantity;
        sellV += t.quantity * t.price;
      }
    }
    const q = quote(first.instrument.instrumentToken);
    const last = q?.lastPrice ?? 0;
    const quantity = buyQ - sellQ;
    const buyPrice = buyQ > 0 ? r2(buyV / buyQ) : 0;
    const sellPrice = sellQ > 0 ? r2(sellV / sellQ) : 0;
    const value = r2(sellV - buyV);
    const pnl = r2(value + quantity * last);
    rows.push({
      tradingsymbol: first.instrument.tradingsymbol,
      exchange: first.instrument.exchange,
      instrument_token: first.instrument.instrumentToken,
      product: first.product,
      quantity,
      overnight_quantity: 0,
      multiplier: 1,
      average_price: quantity > 0 ? buyPrice : quantity < 0 ? sellPrice : 0,
      close_price: q?.close ?? 0,
      last_price: last,
      value,
      pnl,
      m2m: pnl,
      unrealised: pnl,
      realised: 0,
      buy_quantity: buyQ,
      buy_price: buyPrice,
      buy_value: r2(buyV),
      buy_m2m: r2(buyV),
      sell_quantity: sellQ,
      sell_price: sellPrice,
      sell_value: r2(sellV),
      sell_m2m: r2(sellV),
      day_buy_quantity: buyQ,
      day_buy_price: buyPrice,
      day_buy_value: r2(buyV),
      day_sell_quantity: sellQ,
      day_sell_price: sellPrice,
      day_sell_value: r2(sellV),
    });
  }
  return { net: rows, day: rows.map((r) => ({ ...r })) };
}
