/**
 * The schema, as an ordered list of migrations: migration N takes a database from version N-1
 * to N (`PRAGMA user_version`). A released migration is never edited; a change is a new one.
 *
 * Conventions of every table:
 * - STRICT tables: a value of the wrong type is an error, not silently stored.
 * - Enumerations are CHECKed, so a typo in code fails at the write rather than later.
 * - Prices and rupees are REAL with 2 decimals of meaning (as Kite gives them).
 * - Trading dates are `YYYY-MM-DD` (IST) text; strategy times (entry, exit, signal) are the
 *   ISO 8601 text with `+05:30` that the strategy produces; instants recorded by the system
 *   (received, created, updated, next attempt) are epoch milliseconds INTEGER from the injected
 *   clock, named `*_at_ms`, so that "due" and ordering queries compare integers.
 * - Booleans are INTEGER 0/1, CHECKed.
 */
import { V4_PAPER_BOOK } from "./migration-v4-paper.js";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const DATE_CHECK = (column: string) => `CHECK (${column} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')`;
const BOOL = (column: string) => `${column} INTEGER NOT NULL CHECK (${column} IN (0, 1))`;
const PIVOT_COLUMNS = (nullable: boolean) =>
  ["pp", "r1", "r2", "r3", "r4", "r5", "s1", "s2", "s3"]
    .map((k) => `pivot_${k} REAL${nullable ? "" : " NOT NULL"}`)
    .join(",\n  ");
const BROKER_STATUSES = `'OPEN', 'TRIGGER PENDING', 'COMPLETE', 'CANCELLED', 'REJECTED'`;
const SOURCES = `'postback', 'socket', 'poll', 'place', 'paper'`;
const EXIT_REASONS = `'STOP_LOSS', 'TARGET', 'TIMEOUT', 'EOD', 'MAX_DAILY_LOSS', 'PANIC', 'MANUAL'`;
const SKIP_REASONS = `'POSITION_OPEN', 'EXITED_THIS_CLOSE', 'AFTER_EOD_CUTOFF', 'ENTRIES_DISABLED', 'MAX_TRADES',
  'MAX_STOP_LOSSES', 'MAX_DAILY_LOSS', 'OUTRANKED', 'TARGET_NOT_ABOVE_ENTRY'`;
const STRUCTURES = `'BULLISH', 'BEARISH', 'NEUTRAL'`;

const V1 = `
CREATE TABLE trades (
  trade_id TEXT PRIMARY KEY,
  date TEXT NOT NULL ${DATE_CHECK("date")},
  status TEXT NOT NULL CHECK (status IN ('OPEN', 'CLOSED')),
  symbol TEXT NOT NULL,
  strike REAL NOT NULL,
  option_type TEXT NOT NULL CHECK (option_type IN ('CE', 'PE')),
  scenario INTEGER NOT NULL CHECK (scenario IN (1, 2, 3)),
  structure TEXT NOT NULL CHECK (structure IN (${STRUCTURES})),
  ${BOOL("first_candle_entry")},
  ${BOOL("re_entry")},
  entry_time TEXT NOT NULL,
  entry_price REAL NOT NULL,
  entry_candle_low REAL NOT NULL,
  stop_loss REAL NOT NULL,
  target REAL NOT NULL,
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  lot_size INTEGER CHECK (lot_size IS NULL OR lot_size > 0),
  candles_held INTEGER NOT NULL CHECK (candles_held >= 0),
  ${PIVOT_COLUMNS(false)},
  exit_time TEXT,
  exit_price REAL,
  exit_reason TEXT CHECK (exit_reason IS NULL OR exit_reason IN (${EXIT_REASONS})),
  pnl_points REAL,
  pnl_rupees REAL,
  charges REAL,
  net_pnl_rupees REAL,
  updated_at_ms INTEGER NOT NULL,
  CHECK (status = 'OPEN' OR (exit_time IS NOT NULL AND exit_price IS NOT NULL AND exit_reason IS NOT NULL
    AND pnl_points IS NOT NULL AND pnl_rupees IS NOT NULL AND charges IS NOT NULL AND net_pnl_rupees IS NOT NULL)),
  CHECK (status = 'CLOSED' OR exit_time IS NULL)
) STRICT;
CREATE INDEX trades_by_date ON trades (date, entry_time);
CREATE INDEX trades_open ON trades (status) WHERE status = 'OPEN';

CREATE TABLE signals (
  id INTEGER PRIMARY KEY,
  date TEXT NOT NULL ${DATE_CHECK("date")},
  time TEXT NOT NULL,
  symbol TEXT NOT NULL,
  scenario INTEGER NOT NULL CHECK (scenario IN (1, 2, 3)),
  ${BOOL("first_candle")},
  open REAL NOT NULL,
  high REAL NOT NULL,
  low REAL NOT NULL,
  close REAL NOT NULL,
  size REAL NOT NULL,
  threshold REAL NOT NULL,
  entry_price REAL NOT NULL,
  stop_loss REAL NOT NULL,
  target REAL NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('TAKEN', 'SKIPPED')),
  reason TEXT CHECK (reason IS NULL OR reason IN (${SKIP_REASONS})),
  detail TEXT NOT NULL,
  trade_id TEXT,
  recorded_at_ms INTEGER NOT NULL,
  UNIQUE (symbol, time)
) STRICT;
CREATE INDEX signals_by_date ON signals (date, time);

CREATE TABLE daily_summary (
  date TEXT PRIMARY KEY ${DATE_CHECK("date")},
  total_trades INTEGER NOT NULL CHECK (total_trades >= 0),
  wins INTEGER NOT NULL CHECK (wins >= 0),
  losses INTEGER NOT NULL CHECK (losses >= 0),
  win_rate REAL NOT NULL,
  gross_pnl REAL NOT NULL,
  charges REAL NOT NULL,
  net_pnl REAL NOT NULL,
  max_drawdown REAL NOT NULL CHECK (max_drawdown >= 0),
  scenario_1_trades INTEGER NOT NULL,
  scenario_2_trades INTEGER NOT NULL,
  scenario_3_trades INTEGER NOT NULL,
  first_candle_entries INTEGER NOT NULL,
  intraday_entries INTEGER NOT NULL,
  stop_losses INTEGER NOT NULL,
  targets INTEGER NOT NULL,
  timeouts INTEGER NOT NULL,
  eod_exits INTEGER NOT NULL,
  max_daily_loss_exits INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
) STRICT;

-- Written (status NEW) before the order is sent: a crash between sending and hearing back
-- leaves a row whose tag finds the order in Kite's order book.
CREATE TABLE orders (
  local_id INTEGER PRIMARY KEY AUTOINCREMENT,
  tag TEXT NOT NULL UNIQUE CHECK (length(tag) BETWEEN 1 AND 20),
  kite_order_id TEXT UNIQUE,
  trade_id TEXT,
  purpose TEXT NOT NULL CHECK (purpose IN ('ENTRY', 'EXIT', 'STOP_LOSS')),
  exchange TEXT NOT NULL CHECK (exchange IN ('BFO', 'BSE', 'NFO', 'NSE')),
  tradingsymbol TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),
  order_type TEXT NOT NULL CHECK (order_type IN ('MARKET', 'LIMIT', 'SL', 'SL-M')),
  product TEXT NOT NULL CHECK (product IN ('MIS', 'NRML')),
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  price REAL,
  trigger_price REAL,
  market_protection REAL,
  status TEXT NOT NULL CHECK (status IN ('NEW', 'PLACED', 'FAILED', ${BROKER_STATUSES})),
  status_message TEXT,
  filled_quantity INTEGER NOT NULL DEFAULT 0 CHECK (filled_quantity >= 0),
  pending_quantity INTEGER NOT NULL DEFAULT 0 CHECK (pending_quantity >= 0),
  average_price REAL NOT NULL DEFAULT 0,
  order_timestamp TEXT,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX orders_by_trade ON orders (trade_id) WHERE trade_id IS NOT NULL;
CREATE INDEX orders_live ON orders (status) WHERE status IN ('NEW', 'PLACED', 'OPEN', 'TRIGGER PENDING');

-- One row per distinct update of an order: the same update arriving by socket, postback and
-- poll is one row (the UNIQUE key), so it is applied once.
CREATE TABLE order_events (
  id INTEGER PRIMARY KEY,
  kite_order_id TEXT NOT NULL,
  tag TEXT,
  status TEXT NOT NULL CHECK (status IN (${BROKER_STATUSES})),
  filled_quantity INTEGER NOT NULL CHECK (filled_quantity >= 0),
  pending_quantity INTEGER NOT NULL CHECK (pending_quantity >= 0),
  quantity INTEGER NOT NULL,
  price REAL NOT NULL,
  trigger_price REAL NOT NULL,
  average_price REAL NOT NULL,
  status_message TEXT,
  order_timestamp TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN (${SOURCES})),
  raw TEXT NOT NULL,
  received_at_ms INTEGER NOT NULL,
  UNIQUE (kite_order_id, status, filled_quantity, quantity, price, trigger_price)
) STRICT;

-- Every arrival of an update (by which path, when, as received), except polls that repeat a
-- known update: the evidence of what the broker said and when.
CREATE TABLE order_event_arrivals (
  id INTEGER PRIMARY KEY,
  event_id INTEGER NOT NULL REFERENCES order_events (id),
  source TEXT NOT NULL CHECK (source IN (${SOURCES})),
  raw TEXT NOT NULL,
  received_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX order_event_arrivals_by_event ON order_event_arrivals (event_id);

CREATE TABLE positions (
  trade_id TEXT PRIMARY KEY,
  date TEXT NOT NULL ${DATE_CHECK("date")},
  symbol TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('OPENING', 'OPEN', 'CLOSING', 'CLOSED')),
  quantity INTEGER NOT NULL CHECK (quantity >= 0),
  average_price REAL NOT NULL,
  stop_loss REAL NOT NULL,
  target REAL NOT NULL,
  candles_held INTEGER NOT NULL CHECK (candles_held >= 0),
  entry_order_id INTEGER REFERENCES orders (local_id),
  exit_order_id INTEGER REFERENCES orders (local_id),
  opened_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  closed_at_ms INTEGER,
  CHECK ((state = 'CLOSED') = (closed_at_ms IS NOT NULL))
) STRICT;
CREATE INDEX positions_not_closed ON positions (state) WHERE state <> 'CLOSED';

CREATE TABLE universe_days (
  date TEXT PRIMARY KEY ${DATE_CHECK("date")},
  underlying TEXT NOT NULL,
  spot REAL,
  atm REAL,
  expiry TEXT,
  built_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE universe_contracts (
  date TEXT NOT NULL REFERENCES universe_days (date) ON DELETE CASCADE,
  symbol TEXT NOT NULL,
  instrument_token INTEGER,
  strike REAL NOT NULL,
  option_type TEXT NOT NULL CHECK (option_type IN ('CE', 'PE')),
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  structure TEXT CHECK (structure IS NULL OR structure IN (${STRUCTURES})),
  ${PIVOT_COLUMNS(true)},
  PRIMARY KEY (date, symbol),
  CHECK ((pivot_pp IS NULL) = (structure IS NULL))
) STRICT;

CREATE TABLE recorded_candles (
  date TEXT NOT NULL ${DATE_CHECK("date")},
  symbol TEXT NOT NULL,
  start INTEGER NOT NULL CHECK (start BETWEEN 0 AND 1439),
  open REAL NOT NULL,
  high REAL NOT NULL,
  low REAL NOT NULL,
  close REAL NOT NULL,
  volume REAL NOT NULL,
  PRIMARY KEY (date, symbol, start),
  CHECK (high >= low)
) STRICT, WITHOUT ROWID;

CREATE TABLE control_state (
  key TEXT PRIMARY KEY CHECK (key IN ('entries_enabled', 'panic', 'lots')),
  value TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  details TEXT NOT NULL CHECK (json_valid(details))
) STRICT;
CREATE INDEX audit_log_by_time ON audit_log (at_ms);

CREATE TABLE notification_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dedupe_key TEXT NOT NULL UNIQUE,
  channel TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('PENDING', 'SENDING', 'SENT', 'UNCERTAIN')),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at_ms INTEGER NOT NULL,
  last_error TEXT,
  created_at_ms INTEGER NOT NULL,
  sent_at_ms INTEGER,
  CHECK ((status = 'SENT') = (sent_at_ms IS NOT NULL))
) STRICT;
CREATE INDEX notification_outbox_waiting ON notification_outbox (channel, id) WHERE status IN ('PENDING', 'SENDING');
`;

/*
 * v2: an update's raw payload is kept once, in its arrivals. Every event has at least one
 * arrival (its first is always recorded), so an event's raw is its first arrival's; v1 stored
 * the same text in both tables, twice the bytes on the postback's hot path.
 */
const V2 = `
ALTER TABLE order_events DROP COLUMN raw;
`;

/*
 * v5: postbacks as received, before anything believes them. Kite's checksum covers only the
 * order id and timestamp, so a captured postback can be replayed with other fields: a body is
 * stored once (its arrivals counted, UNIQUE on its order id and SHA-256), its raw text capped, and what it
 * claims (status, quantities, prices) is applied only once the broker's order history shows
 * the same state (verdict CONFIRMED); a claim the history never shows is UNCONFIRMED, alerted
 * and never applied.
 */
const V5 = `
CREATE TABLE postback_bodies (
  id INTEGER PRIMARY KEY,
  kite_order_id TEXT NOT NULL,
  body_sha256 BLOB NOT NULL CHECK (length(body_sha256) = 32),
  status TEXT NOT NULL CHECK (status IN (${BROKER_STATUSES})),
  filled_quantity INTEGER NOT NULL CHECK (filled_quantity >= 0),
  quantity INTEGER NOT NULL CHECK (quantity >= 0),
  price REAL NOT NULL,
  trigger_price REAL NOT NULL,
  average_price REAL NOT NULL,
  raw TEXT NOT NULL,
  raw_bytes INTEGER NOT NULL CHECK (raw_bytes >= 0),
  arrivals INTEGER NOT NULL CHECK (arrivals >= 1),
  first_received_at_ms INTEGER NOT NULL,
  last_received_at_ms INTEGER NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('PENDING', 'CONFIRMED', 'UNCONFIRMED')),
  verdict_reason TEXT,
  verdict_at_ms INTEGER,
  CHECK ((verdict = 'PENDING') = (verdict_at_ms IS NULL)),
  -- The order id first: the index grows in order (a hash alone would scatter its inserts).
  UNIQUE (kite_order_id, body_sha256)
) STRICT;
-- Only the waiting ones are looked up by order on the hot path; every index costs each insert.
CREATE INDEX postback_bodies_pending ON postback_bodies (kite_order_id) WHERE verdict = 'PENDING';
`;

/**
 * v3: the truth comes from fills. A trade keeps the strategy's model prices (parity with the
 * backtest) and gains what the broker filled: entry and exit prices volume-weighted over the
 * fills, the quantity filled, gross and net P&L from them (all NULL for a trade without fills:
 * a backtest, or a trade whose entry has not filled yet), and the slippage derived from both.
 * The exit reasons gain STOP_FILLED (the protective stop filled at the broker); SQLite cannot
 * change a CHECK, so the table is rebuilt with every row copied. The daily summary gains the
 * day's slippage.
 */
const V3_TRADE_COLUMNS = `trade_id, date, status, symbol, strike, option_type, scenario, structure, first_candle_entry,
  re_entry, entry_time, entry_price, entry_candle_low, stop_loss, target, quantity, lot_size, candles_held,
  pivot_pp, pivot_r1, pivot_r2, pivot_r3, pivot_r4, pivot_r5, pivot_s1, pivot_s2, pivot_s3,
  exit_time, exit_price, exit_reason, pnl_points, pnl_rupees, charges, net_pnl_rupees, updated_at_ms`;
/** The trades table as of v3 (fills and slippage), named `table`, accepting `exitReasons`. */
const tradesTableWithFills = (table: string, exitReasons: string) => `
CREATE TABLE ${table} (
  trade_id TEXT PRIMARY KEY,
  date TEXT NOT NULL ${DATE_CHECK("date")},
  status TEXT NOT NULL CHECK (status IN ('OPEN', 'CLOSED')),
  symbol TEXT NOT NULL,
  strike REAL NOT NULL,
  option_type TEXT NOT NULL CHECK (option_type IN ('CE', 'PE')),
  scenario INTEGER NOT NULL CHECK (scenario IN (1, 2, 3)),
  structure TEXT NOT NULL CHECK (structure IN (${STRUCTURES})),
  ${BOOL("first_candle_entry")},
  ${BOOL("re_entry")},
  entry_time TEXT NOT NULL,
  entry_price REAL NOT NULL,
  entry_candle_low REAL NOT NULL,
  stop_loss REAL NOT NULL,
  target REAL NOT NULL,
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  lot_size INTEGER CHECK (lot_size IS NULL OR lot_size > 0),
  candles_held INTEGER NOT NULL CHECK (candles_held >= 0),
  ${PIVOT_COLUMNS(false)},
  exit_time TEXT,
  exit_price REAL,
  exit_reason TEXT CHECK (exit_reason IS NULL OR exit_reason IN (${exitReasons})),
  pnl_points REAL,
  pnl_rupees REAL,
  charges REAL,
  net_pnl_rupees REAL,
  updated_at_ms INTEGER NOT NULL,
  filled_quantity INTEGER CHECK (filled_quantity IS NULL OR filled_quantity >= 0),
  entry_fill_price REAL,
  exit_fill_price REAL,
  fill_pnl_rupees REAL,
  fill_charges REAL,
  fill_net_pnl_rupees REAL,
  entry_slippage REAL GENERATED ALWAYS AS (round(entry_fill_price - entry_price, 2)) VIRTUAL,
  exit_slippage REAL GENERATED ALWAYS AS (round(exit_fill_price - exit_price, 2)) VIRTUAL,
  slippage_rupees REAL GENERATED ALWAYS AS (round(fill_pnl_rupees - pnl_rupees, 2)) VIRTUAL,
  CHECK (status = 'OPEN' OR (exit_time IS NOT NULL AND exit_price IS NOT NULL AND exit_reason IS NOT NULL
    AND pnl_points IS NOT NULL AND pnl_rupees IS NOT NULL AND charges IS NOT NULL AND net_pnl_rupees IS NOT NULL)),
  CHECK (status = 'CLOSED' OR exit_time IS NULL)
) STRICT;`;
const V3 = `${tradesTableWithFills("trades_v3", `${EXIT_REASONS}, 'STOP_FILLED'`)}
INSERT INTO trades_v3 (${V3_TRADE_COLUMNS}) SELECT ${V3_TRADE_COLUMNS} FROM trades;
DROP TABLE trades;
ALTER TABLE trades_v3 RENAME TO trades;
CREATE INDEX trades_by_date ON trades (date, entry_time);
CREATE INDEX trades_open ON trades (status) WHERE status = 'OPEN';

ALTER TABLE daily_summary ADD COLUMN slippage_rupees REAL;
`;

/**
 * v6: the exit reason EMERGENCY (the position sold at once because no protective stop could
 * rest: two stops refused, or no stop price), which v5 recorded as MANUAL. The trades table is
 * rebuilt as v3 did, every row copied.
 */
const V6_TRADE_COLUMNS = `${V3_TRADE_COLUMNS}, filled_quantity, entry_fill_price, exit_fill_price, fill_pnl_rupees,
  fill_charges, fill_net_pnl_rupees`;
const V6 = `${tradesTableWithFills("trades_v6", `${EXIT_REASONS}, 'STOP_FILLED', 'EMERGENCY'`)}
INSERT INTO trades_v6 (${V6_TRADE_COLUMNS}) SELECT ${V6_TRADE_COLUMNS} FROM trades;
DROP TABLE trades;
ALTER TABLE trades_v6 RENAME TO trades;
CREATE INDEX trades_by_date ON trades (date, entry_time);
CREATE INDEX trades_open ON trades (status) WHERE status = 'OPEN';
`;

/**
 * v7: a position keeps the reason of the exit decided for it (the order manager's: a strategy
 * exit's STOP_LOSS, TARGET, EOD…, EMERGENCY, PANIC, protective_stop), written with the CLOSING
 * state, so that an exit in flight across a restart is recorded with its reason, not as MANUAL.
 * NULL: no exit decided yet, or decided before v7. A column added: every row kept as it is.
 */
const V7 = `
ALTER TABLE positions ADD COLUMN exit_reason TEXT;
`;

/** Every migration, in order; the last one's version is the schema version this code writes. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "create every table", sql: V1 },
  { version: 2, name: "raw payload of an order update kept once, in its arrivals", sql: V2 },
  { version: 3, name: "trades record their fills and slippage; exit reason STOP_FILLED", sql: V3 },
  { version: 4, name: "paper mode's orders and fills", sql: V4_PAPER_BOOK },
  { version: 5, name: "postback bodies stored once, confirmed from the order book", sql: V5 },
  { version: 6, name: "exit reason EMERGENCY", sql: V6 },
  { version: 7, name: "a closing position keeps its exit's reason", sql: V7 },
];

/** The schema version this code knows (the last migration's). */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
