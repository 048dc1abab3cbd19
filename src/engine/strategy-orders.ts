/*
 * The strategy's decisions as orders: an entry goes to the order manager scaled to the day's
 * lots, unless the entry gate has closed since the last poll (then the strategy forgets the
 * position and the trader is told the entry was not placed); an exit goes when the entry was placed; at the end of the day every position still
 * open is exited. The trader and the views hear of each.
 */

import type { EventEmitter } from "node:events";
import type { Config } from "../config/schema.js";
import type { Store } from "../ports/store.js";
import type { OpenPosition, Trade } from "../strategy/types.js";
import type { EntryGate } from "./entry-gate.js";
import type { FillLedger } from "./fill-ledger.js";
import type { LiveDay } from "./live-day.js";
import { scaledQuantity } from "./lot-scaling.js";
import type { OrderManager } from "./order-manager.js";
import type { ServiceNotices } from "./service-notices.js";
import type { TradingServiceEvents } from "./trading-service-deps.js";

export interface StrategyOrdersDeps {
  config: Config;
  store: Pick<Store, "control" | "positions">;
  orderManager: Pick<OrderManager, "enter" | "exit">;
  gate: Pick<EntryGate, "block" | "apply">;
  /** The day in progress (null outside market hours). */
  day: () => LiveDay | null;
  notices: Pick<ServiceNotices, "notify" | "entry" | "exit" | "entryUnfilled">;
  fills: Pick<FillLedger, "strategyExited">;
  events: EventEmitter<TradingServiceEvents>;
  /** Work in flight that the service waits for (and whose failure it reports). */
  track: (work: Promise<unknown>) => void;
}

/** See the file comment. */
export class StrategyOrders {
  constructor(private readonly d: StrategyOrdersDeps) {}

  entry(p: OpenPosition): void {
    const block = this.d.gate.block();
    if (block) {
      // A gate that closed since the last poll: the strategy must not keep a position the
      // broker never got.
      this.d.gate.apply();
      this.d.day()?.cancelEntry(p.trade_id);
      this.d.notices.notify("warning", `entry ${p.trade_id} ${p.symbol} not placed: ${block}`);
      this.d.notices.entryUnfilled(p.trade_id, block, p.symbol);
      return;
    }
    const quantity = scaledQuantity(p.quantity, this.d.config.trading.lots, this.d.store.control.lots());
    this.d.notices.entry(p, quantity);
    this.d.events.emit("trade", p.trade_id);
    this.d.track(
      this.d.orderManager.enter({
        tradeId: p.trade_id,
        symbol: p.symbol,
        quantity,
        stopLoss: p.stop_loss,
        target: p.target,
      }),
    );
  }

  exit(t: Trade): void {
    this.d.notices.exit(t);
    this.d.fills.strategyExited(t.trade_id); // its message, once the broker's side is known
    this.d.events.emit("trade", t.trade_id);
    if (!this.d.store.positions.byTradeId(t.trade_id)) return; // its entry was never placed
    this.d.track(this.d.orderManager.exit(t.trade_id, t.exit_reason, t.symbol));
  }

  /** Exits every position still open and not already closing. */
  async exitAll(reason: string): Promise<void> {
    const open = this.d.store.positions.open().filter((p) => p.state !== "CLOSING");
    await Promise.all(open.map((p) => this.d.orderManager.exit(p.tradeId, reason)));
  }
}
