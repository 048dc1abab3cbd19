import type { Broker } from "../ports/broker.js";
import type { Clock } from "../ports/clock.js";
import type { Store } from "../ports/store.js";
import type { OrderPurpose } from "../ports/store-records.js";
import type { ExecutionConfig } from "./execution-config.js";

/** The order manager's interface types (see order-manager.ts). */

export type AlertLevel = "info" | "warning" | "critical";

export interface OrderManagerEvents {
  entry_filled: [{ tradeId: string; quantity: number; averagePrice: number }];
  entry_failed: [{ tradeId: string; reason: string }];
  partial_fill: [{ tradeId: string; filledQuantity: number; quantity: number }];
  stop_placed: [{ tradeId: string; tag: string; quantity: number; triggerPrice: number; price: number }];
  stop_missing_replaced: [{ tradeId: string; tag: string }];
  exit_filled: [{ tradeId: string; quantity: number; averagePrice: number; reason: string }];
  manual_close: [{ tradeId: string }];
  order_rejected: [{ tradeId: string; purpose: OrderPurpose; tag: string; message: string }];
  /** The position is sold at once at market: its stops were refused (`reason` says which and why). */
  emergency_exit: [{ tradeId: string; reason: string }];
  /** The broker holds more of a contract than the trades explain (a late duplicate, an order by hand). */
  unexplained_quantity: [{ symbol: string; atBroker: number; explained: number; sold: boolean }];
  alert: [{ level: AlertLevel; message: string }];
}

export interface EntryIntent {
  tradeId: string;
  symbol: string;
  /** lots × lot size. */
  quantity: number;
  /** The strategy's stop loss (the entry candle's low); the protective stop rests below it. */
  stopLoss: number;
  target?: number;
}

export interface ReconcileReport {
  /** Broker updates that changed one of our orders. */
  updatesApplied: number;
  /** Tags written NEW that the broker's book does not hold after `unsentAfterMs`: marked FAILED. */
  unsentMarkedFailed: string[];
  manualCloses: string[];
  /** Trades the broker read flat once: closed as MANUAL only if a reading ≥ 5 s later and the book agree. */
  flatReadings: string[];
  stopsReplaced: string[];
  /** Contracts whose unexplained quantity at the broker was sold (flatten_unexplained). */
  excessSold: string[];
  /** Non-closed positions stepped (resumed). */
  tradesStepped: string[];
  problems: string[];
}

/** A trade's holding not covered by a resting protective order (the never-naked invariant). */
export interface Exposure {
  tradeId: string;
  symbol: string;
  held: number;
  /** Quantity resting at the broker to sell it: the live stop, or the exit that replaced it. */
  covered: number;
  uncovered: number;
  /** When this process first saw it uncovered (epoch ms). */
  sinceMs: number;
}

export interface OrderManagerDeps {
  broker: Broker;
  store: Store;
  clock: Clock;
  config: ExecutionConfig;
  /** The last traded price of a contract (null when unknown). */
  ltpOf: (symbol: string) => number | null;
}
