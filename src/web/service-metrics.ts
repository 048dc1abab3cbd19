import { MetricsRegistry } from "./metrics.js";

/*
 * The metrics /metrics serves: the engine's (ticks, candles, signals, orders, latencies) and
 * the web server's own (postbacks). One object is built at start-up and handed to both; the
 * engine calls e.g. `metrics.ticks.inc()`, `metrics.orders.inc({ status: "COMPLETE" })`,
 * `metrics.orderAckSeconds.observe(0.042)`.
 */

/** What a postback came to (the outcome label of pivot_postbacks_total). */
export type PostbackOutcome =
  | "pending"
  | "applied"
  | "duplicate"
  | "ignored"
  | "invalid_json"
  | "missing_checksum"
  | "bad_checksum"
  | "missing_fields"
  | "too_large"
  | "rate_limited"
  | "sink_failed";

/** Builds the service's metrics on a registry (a new one by default). */
export function createServiceMetrics(registry: MetricsRegistry = new MetricsRegistry()) {
  return {
    registry,
    ticks: registry.counter("pivot_ticks_total", "Ticks received from the Kite ticker."),
    candles: registry.counter("pivot_candles_total", "Candles closed by the candle builder."),
    signals: registry.counter("pivot_signals_total", "Strategy signals, by whether an entry was taken.", [
      "taken",
    ]),
    orders: registry.counter("pivot_orders_total", "Order updates applied, by the order's new status.", [
      "status",
    ]),
    postbacks: registry.counter("pivot_postbacks_total", "POST /postback requests, by outcome.", ["outcome"]),
    tickToCandleSeconds: registry.summary(
      "pivot_candle_close_delay_seconds",
      "From a candle's end to its close being acted on.",
    ),
    signalToOrderSeconds: registry.summary(
      "pivot_signal_to_order_seconds",
      "From a candle's close to its entry order being sent.",
    ),
    orderAckSeconds: registry.summary(
      "pivot_order_ack_seconds",
      "From sending an order to the broker's acknowledgement.",
    ),
    postbackSeconds: registry.summary(
      "pivot_postback_handling_seconds",
      "Handling a valid postback: verify, store, hand to the engine.",
    ),
  };
}

/** The service's metrics. */
export type ServiceMetrics = ReturnType<typeof createServiceMetrics>;

/** Counts a postback's outcome. */
export function countPostback(metrics: ServiceMetrics, outcome: PostbackOutcome): void {
  metrics.postbacks.inc({ outcome });
}
