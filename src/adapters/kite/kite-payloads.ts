import { z } from "zod";

/*
 * What the system reads from each Kite payload (field names as Kite writes them, shapes from
 * Zerodha's recorded mocks), checked at run time: a payload that does not fit fails the call
 * with a clear message instead of crashing later. Fields the system does not read are dropped.
 *
 * Times: kiteconnect turns some `YYYY-MM-DD HH:MM:SS` strings into Date objects by parsing
 * them in the HOST's time zone. `kiteTimeText` turns such a Date back into the very string
 * Kite sent (same local time zone, so the round trip is exact), so a Kite time is always the
 * IST wall-clock text Kite wrote, whatever the host's zone.
 */

/** Kite's `YYYY-MM-DD HH:MM:SS` text of a time the client may have turned into a Date. */
export function kiteTimeText(value: unknown): unknown {
  if (!(value instanceof Date)) return value;
  if (Number.isNaN(value.getTime())) return null;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${value.getFullYear()}-${p(value.getMonth() + 1)}-${p(value.getDate())} ${p(value.getHours())}:${p(value.getMinutes())}:${p(value.getSeconds())}`;
}

const text = z.string();
const optionalText = z
  .string()
  .nullish()
  .transform((v) => v ?? null);
const time = z.preprocess(kiteTimeText, z.string().nullish()).transform((v) => v ?? null);
const id = z.union([z.string(), z.number()]).transform(String);
const optionalId = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v === null || v === undefined ? null : String(v)));
const num = z.number();
const optionalNum = z
  .number()
  .nullish()
  .transform((v) => v ?? 0);

export const profileSchema = z.object({
  user_id: text,
  user_name: optionalText,
  user_shortname: optionalText,
  email: optionalText,
  broker: optionalText,
  exchanges: z.array(text).default([]),
  products: z.array(text).default([]),
  order_types: z.array(text).default([]),
});
/** GET /user/profile. */
export type KiteProfile = z.output<typeof profileSchema>;

export const sessionSchema = z.object({
  access_token: z.string().min(1),
  user_id: text,
  user_name: optionalText,
  login_time: time,
});
/** POST /session/token (generateSession): only what the system keeps. */
export type KiteSession = z.output<typeof sessionSchema>;

const segmentMarginSchema = z.object({
  enabled: z.boolean().default(true),
  net: num,
  available: z.object({
    adhoc_margin: optionalNum,
    cash: optionalNum,
    opening_balance: optionalNum,
    live_balance: optionalNum,
    collateral: optionalNum,
    intraday_payin: optionalNum,
  }),
  utilised: z.object({
    debits: optionalNum,
    exposure: optionalNum,
    m2m_realised: optionalNum,
    m2m_unrealised: optionalNum,
    option_premium: optionalNum,
    span: optionalNum,
  }),
});
export const marginsSchema = z.object({
  equity: segmentMarginSchema.optional(),
  commodity: segmentMarginSchema.optional(),
});
/** GET /user/margins. */
export type KiteMargins = z.output<typeof marginsSchema>;
export type KiteSegmentMargin = z.output<typeof segmentMarginSchema>;

const ohlcValues = z.object({ open: num, high: num, low: num, close: num });
const depthEntry = z.object({ price: num, quantity: num, orders: num });

export const quoteSchema = z.record(
  z.string(),
  z.object({
    instrument_token: num,
    timestamp: time,
    last_trade_time: time,
    last_price: num,
    last_quantity: optionalNum,
    average_price: optionalNum,
    volume: optionalNum,
    buy_quantity: optionalNum,
    sell_quantity: optionalNum,
    oi: optionalNum,
    net_change: optionalNum,
    lower_circuit_limit: optionalNum,
    upper_circuit_limit: optionalNum,
    ohlc: ohlcValues,
    depth: z.object({ buy: z.array(depthEntry), sell: z.array(depthEntry) }).optional(),
  }),
);
/** GET /quote, keyed `EXCHANGE:SYMBOL`. */
export type KiteQuotes = z.output<typeof quoteSchema>;

export const ohlcSchema = z.record(
  z.string(),
  z.object({ instrument_token: num, last_price: num, ohlc: ohlcValues }),
);
/** GET /quote/ohlc, keyed `EXCHANGE:SYMBOL`. */
export type KiteOhlcQuotes = z.output<typeof ohlcSchema>;

export const ltpSchema = z.record(z.string(), z.object({ instrument_token: num, last_price: num }));
/** GET /quote/ltp, keyed `EXCHANGE:SYMBOL`. */
export type KiteLtps = z.output<typeof ltpSchema>;

export const orderSchema = z.object({
  order_id: id,
  exchange_order_id: optionalId,
  parent_order_id: optionalId,
  status: text,
  status_message: optionalText,
  order_timestamp: time,
  exchange_timestamp: time,
  exchange_update_timestamp: time,
  variety: text,
  exchange: text,
  tradingsymbol: text,
  instrument_token: num,
  order_type: text,
  transaction_type: text,
  validity: text,
  product: text,
  quantity: num,
  price: optionalNum,
  trigger_price: optionalNum,
  average_price: optionalNum,
  filled_quantity: optionalNum,
  pending_quantity: optionalNum,
  cancelled_quantity: optionalNum,
  tag: optionalText,
  tags: z.array(text).nullish(),
  guid: optionalText,
});
export const ordersSchema = z.array(orderSchema);
/** One order of GET /orders, or one state of GET /orders/{id}. */
export type KiteOrder = z.output<typeof orderSchema>;

export const tradeSchema = z.object({
  trade_id: id,
  order_id: id,
  exchange_order_id: optionalId,
  exchange: text,
  tradingsymbol: text,
  instrument_token: num,
  product: text,
  transaction_type: text,
  average_price: num,
  quantity: num,
  fill_timestamp: time,
  order_timestamp: time,
  exchange_timestamp: time,
});
export const tradesSchema = z.array(tradeSchema);
/** One fill of GET /trades or GET /orders/{id}/trades. */
export type KiteTrade = z.output<typeof tradeSchema>;

const positionSchema = z.object({
  tradingsymbol: text,
  exchange: text,
  instrument_token: num,
  product: text,
  quantity: num,
  overnight_quantity: optionalNum,
  multiplier: optionalNum,
  average_price: optionalNum,
  close_price: optionalNum,
  last_price: optionalNum,
  value: optionalNum,
  pnl: optionalNum,
  m2m: optionalNum,
  unrealised: optionalNum,
  realised: optionalNum,
  buy_quantity: optionalNum,
  buy_price: optionalNum,
  buy_value: optionalNum,
  sell_quantity: optionalNum,
  sell_price: optionalNum,
  sell_value: optionalNum,
  day_buy_quantity: optionalNum,
  day_sell_quantity: optionalNum,
});
export const positionsSchema = z.object({ net: z.array(positionSchema), day: z.array(positionSchema) });
/** GET /portfolio/positions. */
export type KitePositions = z.output<typeof positionsSchema>;
export type KitePosition = z.output<typeof positionSchema>;

export const orderIdSchema = z.object({ order_id: id });
/** POST / PUT / DELETE /orders/regular[/id]. */
export type KiteOrderId = z.output<typeof orderIdSchema>;

/** One candle as kiteconnect hands it over (`date` a Date of Kite's `...+0530` time). */
export const historicalRowSchema = z
  .object({
    date: z.union([z.date(), z.string()]),
    open: num,
    high: num,
    low: num,
    close: num,
    volume: optionalNum,
    oi: z.number().optional(),
  })
  .transform((row, ctx) => {
    const time = row.date instanceof Date ? row.date.getTime() : Date.parse(row.date);
    if (!Number.isFinite(time)) {
      ctx.addIssue({ code: "custom", message: "unreadable candle time" });
      return z.NEVER;
    }
    const candle: KiteHistoricalCandle = {
      time,
      open: row.open,
      high: row.high,
      low: row.low,
      close: row.close,
      volume: row.volume,
    };
    if (row.oi !== undefined) candle.oi = row.oi;
    return candle;
  });
export const historicalSchema = z.array(historicalRowSchema);

/** One historical candle: `time` is its start (epoch ms). */
export interface KiteHistoricalCandle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  oi?: number;
}

/** Names the first problem of a payload that does not fit its schema (paths and types only, no values). */
export function describePayloadIssue(what: string, error: z.ZodError): string {
  const issue = error.issues[0];
  const at = issue && issue.path.length > 0 ? ` at ${issue.path.map(String).join(".")}` : "";
  return `unexpected ${what} payload${at}: ${issue?.message ?? "invalid"}`;
}
