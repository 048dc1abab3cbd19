import type { OrderUpdate } from "../ports/broker.js";

/** A function told of every order update. */
export type OrderUpdateListener = (update: OrderUpdate) => void;

/**
 * The listeners of a broker's order updates. A listener that throws is reported and the
 * others still hear the update: the feed that delivers it (a socket, a postback, the market
 * ticks of the paper broker) must never be broken by one of its consumers.
 */
export class OrderUpdateListeners {
  private readonly listeners = new Set<OrderUpdateListener>();

  constructor(private readonly onListenerError: (error: unknown, update: OrderUpdate) => void = () => {}) {}

  /** Adds a listener; returns the function that removes it. */
  add(listener: OrderUpdateListener): () => void {
    // A wrapper per call, so the same function added twice is also removed one at a time.
    const own: OrderUpdateListener = (u) => listener(u);
    this.listeners.add(own);
    return () => {
      this.listeners.delete(own);
    };
  }

  /** Tells every listener, each isolated from the others' failures. */
  emit(update: OrderUpdate): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(update);
      } catch (e) {
        try {
          this.onListenerError(e, update);
        } catch {
          // a failing error reporter must not reach the feed either
        }
      }
    }
  }
}
