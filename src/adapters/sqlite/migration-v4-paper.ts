/*
 * v4: paper mode's book (the paper broker's orders and their fills), so that a restart of paper
 * mode in the middle of a position finds its orders, its resting stop and its fills again
 * (before, an empty in-memory book made every paper position look closed by hand). Orders are
 * keyed by their paper order id, which is never reused (it goes on counting across restarts
 * and days) and listed in placement order (rowid); fills reference their order. The tables exist in every database (migrations are
 * one list) but only paper mode's is written.
 */
const SIDES = `'BUY', 'SELL'`;
const TYPES = `'MARKET', 'LIMIT', 'SL', 'SL-M'`;
const STATUSES = `'OPEN', 'TRIGGER PENDING', 'COMPLETE', 'CANCELLED', 'REJECTED'`;

export const V4_PAPER_BOOK = `
CREATE TABLE paper_orders (
  order_id TEXT PRIMARY KEY,
  date TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  tag TEXT NOT NULL,
  exchange TEXT NOT NULL,
  tradingsymbol TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN (${SIDES})),
  type TEXT NOT NULL CHECK (type IN (${TYPES})),
  product TEXT NOT NULL CHECK (product IN ('MIS', 'NRML')),
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  price REAL NOT NULL,
  trigger_price REAL NOT NULL,
  market_protection REAL NOT NULL,
  status TEXT NOT NULL CHECK (status IN (${STATUSES})),
  status_message TEXT,
  filled_quantity INTEGER NOT NULL CHECK (filled_quantity >= 0 AND filled_quantity <= quantity),
  average_price REAL NOT NULL,
  fill_value REAL NOT NULL,
  armed_after_ms INTEGER NOT NULL,
  order_timestamp TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  triggered INTEGER NOT NULL CHECK (triggered IN (0, 1)),
  -- The MARKET bound: NULL with protection_fixed 0 = not fixed yet; NULL with 1 = unbounded.
  protection_limit REAL,
  protection_fixed INTEGER NOT NULL CHECK (protection_fixed IN (0, 1)),
  arriving INTEGER NOT NULL CHECK (arriving IN (0, 1))
) STRICT;
CREATE INDEX paper_orders_by_date ON paper_orders (date);

CREATE TABLE paper_fills (
  id INTEGER PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES paper_orders (order_id),
  date TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  exchange TEXT NOT NULL,
  tradingsymbol TEXT NOT NULL,
  product TEXT NOT NULL CHECK (product IN ('MIS', 'NRML')),
  side TEXT NOT NULL CHECK (side IN (${SIDES})),
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  price REAL NOT NULL CHECK (price > 0),
  at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX paper_fills_by_date ON paper_fills (date, id);
`;
