import assert from "node:assert/strict";
import { PaperBroker } from "../../src/adapters/paper/paper-broker.js";
import { Store } from "../../src/adapters/sqlite/store.js";
import { type ExecutionConfig, executionConfig } from "../../src/engine/execution-config.js";
import { OrderManager, type OrderManagerEvents } from "../../src/engine/order-manager.js";
import type {
  Broker,
  BrokerPosition,
  BrokerResult,
  OrderChanges,
  OrderRequest,
  OrderUpdate,
} from "../../src/ports/broker.js";
import { ManualClock } from "../../src/ports/clock.js";

/* The order manager's test world: a paper broker at 09:30 IST, or a scripted one. */

export const SYM = "SENSEX2591180500CE";
export const TRADE = "20250905_001";
const EVENTS: (keyof OrderManagerEvents)[] = [
  "entry_filled",
  "entry_failed",
  "partial_fill",
  "stop_placed",
  "stop_missing_replaced",
  "exit_filled",
  "manual_close",
  "order_rejected",
  "emergency_exit",
  "unexplained_quantity",
  "alert",
];

interface Seen {
  name: string;
  [k: string]: unknown;
}

/** A paper world at 09:30 IST with the contract at 100; `wrap` may put a broker in front of the paper one. */
export function world(
  cfg: Partial<ExecutionConfig> = {},
  wrap?: (paper: PaperBroker, clock: ManualClock) => Broker,
) {
  const clock = new ManualClock(Date.parse("2025-09-05T04:00:00Z"));
  const store = Store.open(":memory:", { clock });
  const paper = new PaperBroker({ clock });
  const broker = wrap ? wrap(paper, clock) : paper;
  const prices = new Map<string, number>();
  const tick = (price: number): void => {
    clock.advance(1000);
    prices.set(SYM, price);
    paper.onTick(SYM, price);
  };
  tick(100);
  const config = executionConfig(cfg);
  const make = (subscribe = true) => {
    const om = new OrderManager({ broker, store, clock, config, ltpOf: (s) => prices.get(s) ?? null });
    const seen: Seen[] = [];
    for (const name of EVENTS) om.on(name, (p: object) => seen.push({ name, ...p }));
    const stop = subscribe ? broker.onOrderUpdate((u) => om.onOrderUpdate(u)) : () => {};
    const names = (kind: string) => seen.filter((e) => e.name === kind);
    return { om, seen, stop, names };
  };
  const { om, seen, stop, names } = make();
  const book = async () => {
    const r = await paper.orders();
    assert.ok(r.ok);
    return r.value;
  };
  return { clock, store, paper, broker, tick, om, seen, stop, names, book, make, prices };
}

/** Enters TRADE (stop loss 90) and fills it on the next tick at 100. */
export async function entered(w: ReturnType<typeof world>) {
  await w.om.enter({ tradeId: TRADE, symbol: SYM, quantity: 20, stopLoss: 90 });
  w.tick(100);
  await w.om.idle();
}

// ---- helpers ---------------------------------------------------------------------------

/** The broker's methods bound to it (to override one in a spread). */
export function bind(b: Broker): Broker {
  return {
    placeOrder: b.placeOrder.bind(b),
    modifyOrder: b.modifyOrder.bind(b),
    cancelOrder: b.cancelOrder.bind(b),
    orders: b.orders.bind(b),
    positions: b.positions.bind(b),
    onOrderUpdate: b.onOrderUpdate.bind(b),
  };
}

/** A broker on which `beforeCancel` happens just before each cancel reaches the book. */
export function racing(paper: PaperBroker, beforeCancel: () => void): Broker {
  return {
    ...bind(paper),
    cancelOrder: (id: string) => {
      beforeCancel();
      return paper.cancelOrder(id);
    },
  };
}

/** A broker whose fills the test makes (partial fills), with cancel and modify. */
export class ScriptedBroker implements Broker {
  readonly placed: OrderRequest[] = [];
  private readonly book: OrderUpdate[] = [];
  private readonly listeners = new Set<(u: OrderUpdate) => void>();

  async placeOrder(r: OrderRequest): Promise<BrokerResult<{ orderId: string }>> {
    this.placed.push(r);
    const u: OrderUpdate = {
      orderId: String(this.book.length + 1),
      tag: r.tag,
      tradingsymbol: r.tradingsymbol,
      side: r.side,
      type: r.type,
      status: r.type === "SL" ? "TRIGGER PENDING" : "OPEN",
      statusMessage: null,
      quantity: r.quantity,
      filledQuantity: 0,
      pendingQuantity: r.quantity,
      averagePrice: 0,
      price: r.price ?? 0,
      triggerPrice: r.triggerPrice ?? 0,
      orderTimestamp: "2025-09-05 09:30:00",
      source: "socket",
      raw: "{}",
    };
    this.book.push(u);
    this.emit(u);
    return { ok: true, value: { orderId: u.orderId } };
  }
  readonly modifications: OrderChanges[] = [];
  async modifyOrder(id: string, c: OrderChanges): Promise<BrokerResult<{ orderId: string }>> {
    this.modifications.push(c);
    return this.change(id, (u) => {
      const quantity = c.quantity ?? u.quantity;
      const type = c.type ?? u.type;
      const status = type === "SL" || type === "SL-M" ? u.status : "OPEN";
      return {
        ...u,
        quantity,
        pendingQuantity: quantity - u.filledQuantity,
        type,
        status,
        price: c.price ?? (c.type ? 0 : u.price),
      };
    });
  }
  async cancelOrder(id: string): Promise<BrokerResult<{ orderId: string }>> {
    return this.change(id, (u) => ({ ...u, status: "CANCELLED", pendingQuantity: 0 }));
  }
  async orders(): Promise<BrokerResult<OrderUpdate[]>> {
    return { ok: true, value: [...this.book] };
  }
  async positions(): Promise<BrokerResult<BrokerPosition[]>> {
    return { ok: true, value: [] };
  }
  onOrderUpdate(l: (u: OrderUpdate) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  fill(id: string, filled: number, price: number): void {
    void this.change(id, (u) => ({
      ...u,
      filledQuantity: filled,
      pendingQuantity: u.quantity - filled,
      averagePrice: price,
      status: filled === u.quantity ? "COMPLETE" : u.status,
    }));
  }
  byId(id: string): OrderUpdate | undefined {
    return this.book.find((u) => u.orderId === id);
  }
  byTag(tag: string): OrderUpdate | undefined {
    return this.book.find((u) => u.tag === tag);
  }
  private async change(
    id: string,
    f: (u: OrderUpdate) => OrderUpdate,
  ): Promise<BrokerResult<{ orderId: string }>> {
    const i = this.book.findIndex((u) => u.orderId === id);
    const u = this.book[i];
    if (!u || u.status === "CANCELLED" || u.status === "COMPLETE") {
      return { ok: false, error: { kind: "input", message: "not live" } };
    }
    const next = f(u);
    this.book[i] = next;
    this.emit(next);
    return { ok: true, value: { orderId: id } };
  }
  private emit(u: OrderUpdate): void {
    for (const l of [...this.listeners]) l(u);
  }
}
