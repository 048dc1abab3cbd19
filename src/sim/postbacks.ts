/**
 * Order postbacks: the JSON body Kite POSTs to the app's postback URL on every order update
 * (kite-mocks postback.json), with `checksum = sha256_hex(order_id + order_timestamp + api_secret)`.
 * Fire and forget, as Kite's: a failed POST is logged and never retried, and nothing here can
 * block or crash the simulator. Posts go out one after another, in the order of the updates.
 */
import type { FaultState } from "./faults.js";
import type { UpdateKind } from "./order-book.js";
import { orderPayload, type SimOrder } from "./orders.js";
import { hashString } from "./rng.js";
import { sha256Hex } from "./sessions.js";

const POST_TIMEOUT_MS = 5_000;

/** The postback body of an order update. */
export function postbackPayload(
  order: SimOrder,
  kind: UpdateKind,
  account: { userId: string; apiKey: string; apiSecret: string },
): Record<string, unknown> {
  const o = orderPayload(order);
  const orderTimestamp = o.order_timestamp as string;
  return {
    user_id: account.userId,
    unfilled_quantity: order.quantity - order.filledQuantity,
    app_id: hashString(account.apiKey) % 100_000,
    checksum: sha256Hex(order.orderId + orderTimestamp + account.apiSecret),
    placed_by: o.placed_by,
    order_id: o.order_id,
    exchange_order_id: o.exchange_order_id,
    parent_order_id: null,
    status: kind,
    status_message: o.status_message,
    status_message_raw: o.status_message_raw,
    order_timestamp: orderTimestamp,
    exchange_update_timestamp: o.exchange_update_timestamp,
    exchange_timestamp: o.exchange_timestamp,
    variety: o.variety,
    exchange: o.exchange,
    tradingsymbol: o.tradingsymbol,
    instrument_token: o.instrument_token,
    order_type: o.order_type,
    transaction_type: o.transaction_type,
    validity: o.validity,
    product: o.product,
    quantity: o.quantity,
    disclosed_quantity: o.disclosed_quantity,
    price: o.price,
    trigger_price: o.trigger_price,
    average_price: o.average_price,
    filled_quantity: o.filled_quantity,
    pending_quantity: o.pending_quantity,
    cancelled_quantity: o.cancelled_quantity,
    market_protection: o.market_protection,
    meta: {},
    tag: o.tag,
    guid: o.guid,
  };
}

/** Sends postbacks to one URL. */
export class PostbackSender {
  private chain: Promise<void> = Promise.resolve();
  private readonly inFlight = new Set<AbortController>();
  private closed = false;
  readonly stats = { sent: 0, failed: 0, skipped: 0 };

  constructor(
    private readonly url: string | undefined,
    private readonly faults: FaultState,
    private readonly log: (line: string) => void,
  ) {}

  /** Queues one postback (unless no URL is set, or the skip_postbacks fault eats it). */
  send(payload: Record<string, unknown>): void {
    if (!this.url || this.closed) return;
    if (this.faults.takeSkipPostback()) {
      this.stats.skipped++;
      return;
    }
    const url = this.url;
    const body = JSON.stringify(payload);
    this.chain = this.chain.then(() =>
      this.post(url, body, String(payload.order_id), String(payload.status)),
    );
  }

  /** Resolves when every queued postback has been tried. */
  idle(): Promise<void> {
    return this.chain;
  }

  /** Aborts what is in flight and sends nothing more. */
  close(): void {
    this.closed = true;
    for (const c of this.inFlight) c.abort();
  }

  private async post(url: string, body: string, orderId: string, status: string): Promise<void> {
    if (this.closed) return;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), POST_TIMEOUT_MS);
    this.inFlight.add(controller);
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: controller.signal,
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) this.stats.sent++;
      else {
        this.stats.failed++;
        this.log(`postback ${orderId} ${status} → HTTP ${res.status} (not retried)`);
      }
    } catch (e) {
      this.stats.failed++;
      this.log(`postback ${orderId} ${status} failed: ${(e as Error).message} (not retried)`);
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }
}
