import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { Store } from "../../../src/adapters/sqlite/store.js";
import type { OrderRequest, OrderUpdate } from "../../../src/ports/broker.js";
import { ManualClock } from "../../../src/ports/clock.js";
import type { OpenPosition, SignalRecord, Trade } from "../../../src/strategy/types.js";

/** 2025-09-04 09:15 IST. */
export const T0 = Date.UTC(2025, 8, 4, 3, 45);

/** A fresh temporary folder, removed after the file's tests. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "pivot-sqlite-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** An in-memory store with a manual clock. */
export function memoryStore(): { store: Store; clock: ManualClock } {
  const clock = new ManualClock(T0);
  const store = Store.open(":memory:", { clock });
  after(() => store.close());
  return { store, clock };
}

export const PIVOTS = { PP: 100, R1: 120, R2: 140, R3: 160, R4: 180, R5: 200, S1: 80, S2: 60, S3: 40 };

export const POSITION: OpenPosition = {
  trade_id: "20250904_001",
  symbol: "SENSEX2590481000CE",
  strike: 81000,
  option_type: "CE",
  scenario: 1,
  first_candle_entry: true,
  structure: "BULLISH",
  re_entry: false,
  entry_time: "2025-09-04T09:18:00+05:30",
  entry_price: 121.35,
  stop_loss: 98.4,
  target: 160,
  quantity: 20,
  candles_held: 0,
  pivots: PIVOTS,
};

export const TRADE: Trade = {
  ...POSITION,
  candles_held: 7,
  date: "2025-09-04",
  exit_time: "2025-09-04T09:39:00+05:30",
  exit_price: 161.2,
  exit_reason: "TARGET",
  pnl_points: 39.85,
  pnl_rupees: 797,
  charges: 64.12,
  net_pnl_rupees: 732.88,
};

export const SIGNAL: SignalRecord = {
  date: "2025-09-04",
  time: "2025-09-04T09:18:00+05:30",
  symbol: POSITION.symbol,
  scenario: 1,
  first_candle: true,
  open: 99,
  high: 123,
  low: 98.4,
  close: 121.35,
  size: 22.58,
  threshold: 4.1,
  entry_price: 121.35,
  stop_loss: 98.4,
  target: 160,
  action: "TAKEN",
  reason: null,
  detail: "Z1 open, close above R1",
  trade_id: POSITION.trade_id,
};

export const REQUEST: OrderRequest = {
  exchange: "BFO",
  tradingsymbol: POSITION.symbol,
  side: "BUY",
  type: "MARKET",
  quantity: 20,
  product: "MIS",
  marketProtection: -1,
  tag: "E20250904001",
};

/** An update of the REQUEST order as Kite would report it. */
export function update(changes: Partial<OrderUpdate>): OrderUpdate {
  return {
    orderId: "250904000000123",
    tag: REQUEST.tag,
    tradingsymbol: REQUEST.tradingsymbol,
    side: "BUY",
    type: "MARKET",
    status: "OPEN",
    statusMessage: null,
    quantity: 20,
    filledQuantity: 0,
    pendingQuantity: 20,
    averagePrice: 0,
    price: 0,
    triggerPrice: 0,
    orderTimestamp: "2025-09-04 09:18:01",
    source: "socket",
    raw: '{"order_id":"250904000000123"}',
    ...changes,
  };
}
