/*
 * Feeds /metrics from the service's real code path, whatever the mode (live, paper, the demo
 * and the rehearsal against the simulator): ticks as the ticker delivers them, candles and
 * signals as the live day emits them, order updates as the store applies them, and the
 * latencies around the broker's placement. Nothing here changes what the engine does: it
 * listens, and times the one call it wraps.
 */

import type { Store } from "../adapters/sqlite/store.js";
import { istEpochMs, istPartsOf } from "../domain/ist.js";
import type { TradingServiceEvents } from "../engine/trading-service-deps.js";
import type { Broker } from "../ports/broker.js";
import type { Clock } from "../ports/clock.js";
import type { ServiceMetrics } from "../web/service-metrics.js";

/** The emitters the metering listens to (the service's events, the ticker, the store). */
export interface MeteredSources {
  events: {
    on<K extends keyof TradingServiceEvents>(
      event: K,
      listener: (...args: TradingServiceEvents[K]) => void,
    ): unknown;
    off<K extends keyof TradingServiceEvents>(
      event: K,
      listener: (...args: TradingServiceEvents[K]) => void,
    ): unknown;
  };
  ticker: {
    on(event: "ticks", listener: (ticks: readonly unknown[]) => void): unknown;
    off(event: "ticks", listener: (ticks: readonly unknown[]) => void): unknown;
  };
  store: Pick<Store, "onOrderChanged">;
}

export interface MeteringOptions {
  metrics: ServiceMetrics;
  /** The service's clock (market time in the demo): candle ends are on it. */
  clock: Clock;
  /** Candles are this long and aligned to the market's open (minute of day). */
  candleMinutes: number;
  openMinute: number;
  /** Real seconds, for the broker's answer (default performance.now()). */
  stopwatch?: () => number;
}

/** An entry's tag (order-tags.ts): E and the trade id's letters and digits, no attempt letter. */
const ENTRY_TAG = /^E[A-Za-z0-9]{1,18}$/;

export class ServiceMetering {
  private readonly stops: Array<() => void> = [];
  private readonly stopwatch: () => number;

  constructor(private readonly o: MeteringOptions) {
    this.stopwatch = o.stopwatch ?? (() => performance.now() / 1000);
  }

  /** Starts listening; `stop()` ends it. */
  listen(s: MeteredSources): this {
    const { metrics } = this.o;
    const onTicks = (ticks: readonly unknown[]) => metrics.ticks.inc(ticks.length);
    s.ticker.on("ticks", onTicks);
    this.stops.push(() => s.ticker.off("ticks", onTicks));
    const onCandle = (_symbol: string, candle: { start: number }) => {
      metrics.candles.inc();
      const now = this.o.clock.now();
      const end = istEpochMs(istPartsOf(now).date, candle.start + this.o.candleMinutes);
      metrics.tickToCandleSeconds.observe(Math.max(0, now - end) / 1000);
    };
    s.events.on("candle", onCandle);
    this.stops.push(() => s.events.off("candle", onCandle));
    const onSignal = (signal: TradingServiceEvents["signal"][0]) =>
      metrics.signals.inc({ taken: signal.action === "TAKEN" ? "true" : "false" });
    s.events.on("signal", onSignal);
    this.stops.push(() => s.events.off("signal", onSignal));
    this.stops.push(s.store.onOrderChanged((order) => metrics.orders.inc({ status: order.status })));
    return this;
  }

  /**
   * The broker with its placements timed: the acknowledgement's latency in real seconds, and,
   * for an entry, the time from the candle close it acts on to the order leaving (the service's
   * clock). Every other member is the broker's own (a paper broker keeps its tick feed).
   */
  meter<B extends Broker>(broker: B): B {
    const { metrics } = this.o;
    const placeOrder: Broker["placeOrder"] = async (request) => {
      if (ENTRY_TAG.test(request.tag)) {
        metrics.signalToOrderSeconds.observe(this.sinceLastClose(this.o.clock.now()) / 1000);
      }
      const started = this.stopwatch();
      const result = await broker.placeOrder(request);
      if (result.ok) metrics.orderAckSeconds.observe(Math.max(0, this.stopwatch() - started));
      return result;
    };
    return new Proxy(broker, {
      get(target, key) {
        if (key === "placeOrder") return placeOrder;
        const value = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  /** Milliseconds since the latest candle close (entries are placed at a close). */
  private sinceLastClose(now: number): number {
    const { date, minute } = istPartsOf(now);
    const { openMinute, candleMinutes } = this.o;
    const closes = Math.floor((minute - openMinute) / candleMinutes);
    if (closes < 1) return 0;
    return Math.max(0, now - istEpochMs(date, openMinute + closes * candleMinutes));
  }
}
