import { isIP } from "node:net";
import { z } from "zod";
import { isIsoDate, parseHhmm } from "../domain/ist.js";
import { SUPPORTED_UNDERLYINGS, underlyingProfile } from "../domain/underlyings.js";
import { isPasswordHash } from "../web/password-hash.js";

/*
 * The configuration schema. Keys and defaults follow the original system's config.json and
 * STRATEGY.md; every key has a default, so a partial file (or none) is valid. Each section's
 * shape is kept as a plain object too, so that an unknown key can be matched against the
 * known ones ("did you mean …?").
 */

const hhmm = z.string().refine(
  (s) => {
    try {
      parseHhmm(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: "expected a time HH:MM (IST, 24-hour)" },
);
const isoDate = z.string().refine(isIsoDate, { message: "expected a date YYYY-MM-DD" });
const positive = z.number().positive();
const wholeAtLeast = (min: number) => z.number().int().min(min);
/** One chat id: a whole number (negative for groups) or a public @channel name. */
const CHAT_ID = /^(-?\d+|@\w{4,})$/;
/** Telegram chat ids: one, or several separated by commas (commands are taken from each). */
const chatId = z
  .union([z.string(), z.number().int()])
  .transform((v) => String(v))
  .refine(
    (s) =>
      s
        .split(/[,\s]+/)
        .filter((part) => part !== "")
        .every((part) => CHAT_ID.test(part)),
    { message: "expected chat ids (whole numbers or @channel names) separated by commas" },
  );

export const authShape = {
  callback_port: z.number().int().min(1).max(65535).default(8001),
  redirect_url: z.string().default("http://127.0.0.1:8001/callback"),
  postback_url: z.string().default(""),
  auth_timeout_seconds: wholeAtLeast(10).default(300),
};

export const tradingShape = {
  /** The underlying (src/domain/underlyings.ts): its exchanges, strike step, expiry, holidays, charges. */
  instrument: z
    .string()
    .min(1)
    .refine((s) => s === "" || SUPPORTED_UNDERLYINGS.includes(s), {
      message: `expected a supported underlying (${SUPPORTED_UNDERLYINGS.join(", ")})`,
    })
    .default("SENSEX"),
  /** Default: the underlying's strike step (100 SENSEX, 50 NIFTY). */
  strike_interval: positive.optional(),
  /** Default: 5 strike steps (500 SENSEX, 250 NIFTY). */
  strike_range: z.number().min(0).optional(),
  candle_size_percentile: z.number().min(0).max(100).default(75),
  max_candles_timeout: wholeAtLeast(1).default(10),
  max_re_entries: wholeAtLeast(0).default(1),
  /** Used only without an instrument master; default: the underlying's (20 SENSEX, 65 NIFTY). */
  lot_size: wholeAtLeast(1).optional(),
  lots: wholeAtLeast(1).max(100).default(1),
  paper_trading: z.boolean().default(true),
  candle_interval_minutes: wholeAtLeast(1).max(60).default(3),
  structure_neutral_band: z.number().min(0).default(5),
};

export const riskShape = {
  max_daily_loss: positive.default(25_000),
  max_trades_per_day: wholeAtLeast(0).default(3),
  disaster_stop_pct: z.number().gt(0).lt(100).default(10),
  /** Sell a broker quantity above what the system's orders explain (a late duplicate, an order by hand). */
  flatten_unexplained: z.boolean().default(true),
};

export const marketShape = {
  start_time: hhmm.default("09:15"),
  end_time: hhmm.default("15:30"),
  eod_exit_time: hhmm.default("15:15"),
  holidays: z.array(isoDate).default([]),
};

export const dataShape = {
  database_path: z.string().min(1).default("data/trading.db"),
  /** Paper mode's own database: simulated trades never mix with real ones. */
  paper_database_path: z.string().min(1).default("data/paper-trading.db"),
  /** The service's log files (JSON lines, rotated daily and by size). */
  log_dir: z.string().min(1).default("logs"),
  log_level: z.enum(["trace", "debug", "info", "warn", "error", "fatal"]).default("info"),
  cache_dir: z.string().min(1).default("data/cache"),
  access_token_file: z.string().min(1).default("data/access_token.json"),
  /** The day archive (`pivot archive`, and the service after the close): backtest CSV files. */
  archive_dir: z.string().min(1).default("data/archive"),
  log_retention_days: wholeAtLeast(1).default(30),
};

const flag = z.boolean().default(true);
export const notificationsShape = {
  login_needed: flag,
  login_result: flag,
  pre_market: flag,
  entry: flag,
  exit: flag,
  order_problems: flag,
  session_expired: flag,
  feed: flag,
  errors: flag,
  daily_summary: flag,
  weekly_summary: flag,
  monthly_summary: flag,
  reminders: flag,
};

export const kiteShape = {
  /** REST base URL: Zerodha's, or `pivot sim`'s (e.g. http://127.0.0.1:9100). */
  api_root: z.string().url().default("https://api.kite.trade"),
  /** Ticker WebSocket URL. */
  ws_root: z.string().url().default("wss://ws.kite.trade"),
  /** Login page the trader is sent to. */
  login_url: z.string().url().default("https://kite.zerodha.com/connect/login"),
  /** Reconnect the ticker when no frame arrives for this long during market hours. */
  ticker_silence_seconds: z.number().min(2).max(300).default(10),
  /** Give up on one REST request after this long. */
  request_timeout_ms: z.number().int().min(500).max(60_000).default(7000),
  /**
   * Rehearsals only: live in the market time of `pivot sim` (at api_root) instead of the
   * system clock, so that a replayed day is traded at the simulator's speed.
   */
  simulator_clock: z.boolean().default(false),
  /**
   * The trader's Zerodha client id (e.g. "AB1234"): a Kite session of any other user is refused
   * before it is stored. Required for live trading.
   */
  user_id: z.string().trim().default(""),
  /**
   * The public addresses registered with Kite for order placement (Kite web: profile, API,
   * static IP; at most two). `pivot doctor` and the 08:00 session check compare this host's
   * address with them.
   */
  static_ips: z
    .array(z.string().refine((s) => isIP(s) !== 0, { message: "expected an IPv4 or IPv6 address" }))
    .max(2)
    .default([]),
};

/** The option chain archived after each close (Kite serves no candles of expired contracts). */
export const archiveShape = {
  /** Archive after the day's summary; `pivot archive` works either way. */
  enabled: z.boolean().default(true),
  /** Points each side of the ATM (of the open's and of the close's spot), a multiple of trading.strike_interval. */
  strike_range: z.number().min(0).default(1000),
};

export const telegramShape = {
  /** Bot API base URL (no trailing slash): Telegram's, or a local fake Bot API in tests. */
  api_root: z
    .string()
    .url()
    .refine((s) => !s.endsWith("/"), { message: "expected a URL without a trailing /" })
    .default("https://api.telegram.org"),
  /** Long-polling wait of one getUpdates call: how long Telegram holds it open when nothing happens. */
  polling_timeout_seconds: z.number().int().min(0).max(50).default(30),
  /** Give up on one sendMessage after this long (its message is then not sent again: it may have gone out). */
  send_timeout_seconds: z.number().int().min(2).max(120).default(20),
};

export const executionShape = {
  /** Entry order type: LIMIT at the last price plus a buffer, or MARKET with market protection. */
  entry_order: z.enum(["LIMIT", "MARKET"]).default("LIMIT"),
  entry_limit_buffer_pct: z.number().min(0).max(10).default(0.5),
  /** Kite's market_protection for MARKET orders: -1 automatic, or 0-100 percent. */
  market_protection: z.number().min(-1).max(100).default(-1),
  exit_order: z.enum(["LIMIT", "MARKET"]).default("MARKET"),
  exit_limit_buffer_pct: z.number().min(0).max(10).default(1),
  /** An entry not filled by then is cancelled and its signal dropped (a filled part is kept). */
  entry_timeout_seconds: z.number().int().min(1).max(900).default(30),
  max_orders_per_minute: z.number().int().min(1).max(400).default(20),
  product: z.enum(["MIS", "NRML"]).default("MIS"),
  /** Sent as `algo_id` with every order when set (an exchange-registered strategy's id); empty: none. */
  algo_id: z
    .string()
    .trim()
    .default("")
    .refine((s) => /^[A-Za-z0-9_-]{0,40}$/.test(s), {
      message: "expected letters, digits, - or _ (at most 40)",
    }),
};

export const paperShape = {
  /**
   * Paper mode: a marketable order pays this many ticks (0.05) beyond the last price when the
   * feed has no depth (with depth it buys at the best ask and sells at the best bid).
   */
  slippage_ticks: z.number().int().min(0).max(100).default(1),
};

export const chargesShape = {
  brokerage_per_order: z.number().min(0).default(20),
  stt_sell_pct: z.number().min(0).default(0.1),
  /** Default: the underlying's exchange (BSE 0.0325, NSE 0.03503). */
  exchange_pct: z.number().min(0).optional(),
  sebi_per_crore: z.number().min(0).default(10),
  gst_pct: z.number().min(0).default(18),
  stamp_buy_pct: z.number().min(0).default(0.003),
};

/** The smallest API token accepted: a guessable token would open /status to anyone. */
export const MIN_API_TOKEN_LENGTH = 24;

export const serverShape = {
  /** Where the web server listens; nginx in front terminates TLS. */
  host: z.string().min(1).default("127.0.0.1"),
  /** Null: auth.callback_port (see `serverPort`), where Kite's redirect and postbacks arrive. */
  port: z.number().int().min(1).max(65535).nullable().default(null),
  /** Bearer token for GET /status (secret; PIVOT_API_TOKEN overrides it). Empty: sessions only. */
  api_token: z
    .string()
    .default("")
    .refine((v) => v === "" || v.length >= MIN_API_TOKEN_LENGTH, {
      message: `expected a token of at least ${MIN_API_TOKEN_LENGTH} characters (or none)`,
    }),
  /** The dashboard password's scrypt hash, written by `pivot set-password`. Empty: no dashboard login. */
  password_hash: z
    .string()
    .default("")
    .refine((v) => v === "" || isPasswordHash(v), {
      message: "expected a hash written by pivot set-password ($scrypt$ln=..,r=..,p=..$salt$hash)",
    }),
  /** How long a dashboard login lasts. */
  session_hours: z.number().positive().max(720).default(12),
  /** The TLS certificate nginx serves (its expiry is reminded); empty: no reminder. */
  tls_cert_file: z.string().default(""),
};

/** The port the web server listens on: server.port, else auth.callback_port. */
export function serverPort(config: {
  server: { port: number | null };
  auth: { callback_port: number };
}): number {
  return config.server.port ?? config.auth.callback_port;
}

type Ctx = z.core.$RefinementCtx;

type TradingInput = z.output<z.ZodObject<typeof tradingShape>>;

/** The trading section with the unset strike step, range and lot size taken from the underlying. */
function withUnderlyingDefaults(t: TradingInput) {
  const profile = underlyingProfile(t.instrument);
  const filled = {
    ...t,
    strike_interval: t.strike_interval ?? profile.strikeStep,
    strike_range: t.strike_range ?? profile.defaultStrikeRange,
    lot_size: t.lot_size ?? profile.fallbackLotSize,
  };
  return inShapeOrder(filled, tradingShape);
}

/** `values` with its keys in the shape's order, so a printed configuration reads as the schema does. */
function inShapeOrder<T extends object>(values: T, shape: object): T {
  return Object.fromEntries(Object.keys(shape).map((k) => [k, values[k as keyof T]])) as T;
}

/** The exchange transaction charge, when unset, of the underlying's exchange. */
function withExchangeCharges<
  C extends { trading: { instrument: string }; charges: { exchange_pct?: number | undefined } },
>(c: C) {
  const exchangePct = c.charges.exchange_pct ?? underlyingProfile(c.trading.instrument).exchangeChargePct;
  return { ...c, charges: inShapeOrder({ ...c.charges, exchange_pct: exchangePct }, chargesShape) };
}

/** Cross-key check of a section: it runs while other sections have errors, so all are reported at once. */
function checkSessionTimes(
  m: { start_time: string; end_time: string; eod_exit_time: string },
  ctx: Ctx,
): void {
  const [start, eod, end] = [m.start_time, m.eod_exit_time, m.end_time].map(minutesOrNull);
  if (start == null || eod == null || end == null) return; // each bad time is reported on its own
  if (!(start < eod && eod <= end)) {
    ctx.addIssue({
      code: "custom",
      path: ["eod_exit_time"],
      message: `expected start_time < eod_exit_time <= end_time, found ${m.start_time} / ${m.eod_exit_time} / ${m.end_time}`,
    });
  }
}

function checkStrikeRange(t: { strike_range: number; strike_interval: number }, ctx: Ctx): void {
  const steps = t.strike_range / t.strike_interval;
  if (Math.abs(steps - Math.round(steps)) > 1e-9) {
    ctx.addIssue({
      code: "custom",
      path: ["strike_range"],
      message: `expected a multiple of trading.strike_interval (${t.strike_interval}), found ${t.strike_range}`,
    });
  }
}

function checkSimulatorClock(k: { simulator_clock: boolean; api_root: string }, ctx: Ctx): void {
  if (k.simulator_clock && /(^|\.)kite\.trade$/.test(hostOf(k.api_root))) {
    ctx.addIssue({
      code: "custom",
      path: ["simulator_clock"],
      message:
        "expected false with Zerodha's api_root: the simulator's clock is for rehearsals against `pivot sim`",
    });
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return "";
  }
}

function minutesOrNull(text: string): number | null {
  try {
    return parseHhmm(text);
  } catch {
    return null;
  }
}

export const rootShape = {
  api_key: z.string().default(""),
  api_secret: z.string().default(""),
  telegram_token: z.string().default(""),
  telegram_chat_id: chatId.default(""),
  auth: z.strictObject(authShape).prefault({}),
  trading: z
    .strictObject(tradingShape)
    .transform(withUnderlyingDefaults)
    .superRefine(checkStrikeRange)
    .prefault({}),
  risk_management: z.strictObject(riskShape).prefault({}),
  market: z.strictObject(marketShape).superRefine(checkSessionTimes).prefault({}),
  data: z.strictObject(dataShape).prefault({}),
  notifications: z.strictObject(notificationsShape).prefault({}),
  charges: z.strictObject(chargesShape).prefault({}),
  kite: z.strictObject(kiteShape).superRefine(checkSimulatorClock).prefault({}),
  execution: z.strictObject(executionShape).prefault({}),
  paper: z.strictObject(paperShape).prefault({}),
  server: z.strictObject(serverShape).prefault({}),
  telegram: z.strictObject(telegramShape).prefault({}),
  archive: z.strictObject(archiveShape).prefault({}),
};

/** Known keys of every object in the schema, by dotted path ("" is the root). */
export const KNOWN_KEYS: ReadonlyMap<string, readonly string[]> = new Map([
  ["", Object.keys(rootShape)],
  ["auth", Object.keys(authShape)],
  ["trading", Object.keys(tradingShape)],
  ["risk_management", Object.keys(riskShape)],
  ["market", Object.keys(marketShape)],
  ["data", Object.keys(dataShape)],
  ["notifications", Object.keys(notificationsShape)],
  ["charges", Object.keys(chargesShape)],
  ["kite", Object.keys(kiteShape)],
  ["execution", Object.keys(executionShape)],
  ["paper", Object.keys(paperShape)],
  ["server", Object.keys(serverShape)],
  ["telegram", Object.keys(telegramShape)],
  ["archive", Object.keys(archiveShape)],
]);

export const configSchema = z
  .strictObject(rootShape)
  .transform(withExchangeCharges)
  .superRefine(checkLiveUserId)
  .superRefine(checkArchiveRange);

/** Live trading needs the trader's client id: without it anyone's Kite session would be accepted. */
function checkLiveUserId(
  c: { trading: { paper_trading: boolean }; kite: { user_id: string } },
  ctx: Ctx,
): void {
  if (c.trading.paper_trading || c.kite.user_id !== "") return;
  ctx.addIssue({
    code: "custom",
    path: ["kite", "user_id"],
    message:
      "expected the trader's Zerodha client id (e.g. AB1234) for live trading (trading.paper_trading false): a Kite session of any other user is refused",
  });
}

/** archive.strike_range in whole strikes of trading.strike_interval (a cross-section check). */
function checkArchiveRange(
  c: { trading: { strike_interval: number }; archive: { strike_range: number } },
  ctx: Ctx,
): void {
  const steps = c.archive.strike_range / c.trading.strike_interval;
  if (Math.abs(steps - Math.round(steps)) > 1e-9) {
    ctx.addIssue({
      code: "custom",
      path: ["archive", "strike_range"],
      message: `expected a multiple of trading.strike_interval (${c.trading.strike_interval}), found ${c.archive.strike_range}`,
    });
  }
}

/** The validated configuration, every default filled in. */
export type Config = z.output<typeof configSchema>;
