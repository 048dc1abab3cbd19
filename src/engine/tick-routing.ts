/*
 * Tick routing: the ticker's ticks of the contracts the service follows become last prices
 * (for the order manager's checks and the views, as `tick` events) and, in paper mode, the
 * paper broker's market; in live mode the ticker's order frames go to the Kite broker.
 */

import type { EventEmitter } from "node:events";
import type { MarketTick } from "../ports/market-data.js";
import type { ServiceBroker, ServiceTicker, TradingServiceEvents } from "./trading-service-deps.js";

/** See the file comment. */
export class TickRouter {
  private readonly symbolOf = new Map<number, string>();
  private readonly lastPrices = new Map<string, number>();

  constructor(
    private readonly broker: ServiceBroker,
    private readonly events: EventEmitter<TradingServiceEvents>,
  ) {}

  /** Listens to the ticker's ticks (and, live, its order frames); returns the way to stop. */
  attach(ticker: ServiceTicker): () => void {
    const onTicks = (ticks: MarketTick[]) => this.onTicks(ticks);
    ticker.on("ticks", onTicks);
    const broker = this.broker;
    if (broker.mode !== "live") return () => ticker.off("ticks", onTicks);
    const onOrder = (data: Record<string, unknown>) => {
      broker.broker.feedSocketOrder(data);
    };
    ticker.on("order", onOrder);
    return () => {
      ticker.off("ticks", onTicks);
      ticker.off("order", onOrder);
    };
  }

  /** Follows a contract: its ticks are routed under its trading symbol. */
  follow(instrumentToken: number, tradingsymbol: string): void {
    this.symbolOf.set(instrumentToken, tradingsymbol);
  }

  /** The last traded price of a followed contract (null when unknown). */
  lastPrice(symbol: string): number | null {
    return this.lastPrices.get(symbol) ?? null;
  }

  onTicks(ticks: readonly MarketTick[]): void {
    for (const t of ticks) {
      const symbol = this.symbolOf.get(t.instrument_token);
      if (symbol && t.last_price > 0) {
        this.lastPrices.set(symbol, t.last_price);
        this.events.emit("tick", symbol, t.last_price);
      }
    }
    if (this.broker.mode === "paper") this.broker.broker.onTicks(ticks, (token) => this.symbolOf.get(token));
  }
}
