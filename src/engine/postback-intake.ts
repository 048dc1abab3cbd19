import { performance } from "node:perf_hooks";
import type { OrderHistorySource, OrderUpdate } from "../ports/broker.js";
import type { Store } from "../ports/store.js";
import type { PostbackClaim } from "../ports/store-records.js";
import { type OrderUpdateConsumer, PostbackConfirmer, type Schedule } from "./postback-confirmer.js";
import { EnginePostbackSink } from "./postback-sink.js";

/*
 * The postback intake of `pivot start` in live mode, assembled: bodies stored over the order
 * manager's Store (the same connection), the confirmer reading Kite's order history, the sink
 * the web route hands verified bodies to. Every unconfirmed claim is audited and logged; the
 * trader is alerted of the first of an order, then at most once every ALERT_EVERY_MS for it (a
 * replay flood must not become a flood of messages).
 */

/** Between two alerts about one order's unconfirmed postbacks. */
export const ALERT_EVERY_MS = 5 * 60_000;

export interface PostbackIntakeDeps {
  store: Store;
  broker: OrderHistorySource;
  /** The order manager. */
  orders: OrderUpdateConsumer;
  /** Tells the trader (Telegram and the log): a forged or doctored postback, or one unverifiable. */
  alert: (message: string) => void;
  onConsumerError: (error: unknown, update: OrderUpdate) => void;
  /** Logs what is not alerted. */
  log?: (message: string) => void;
  /** Real time in ms (the confirmer's pace, the alert spacing); default performance.now. */
  now?: () => number;
  /** The confirmer's timers; default real ones. */
  schedule?: Schedule;
}

export interface PostbackIntake {
  sink: EnginePostbackSink;
  confirmer: PostbackConfirmer;
}

/** Builds the intake and asks again about the claims a restart left waiting. */
export function createPostbackIntake(deps: PostbackIntakeDeps): PostbackIntake {
  const bodies = deps.store.postbackBodies;
  const now = deps.now ?? (() => performance.now());
  const alertedAt = new Map<string, number>();
  const confirmer = new PostbackConfirmer({
    history: deps.broker,
    claims: bodies,
    orders: deps.orders,
    onConsumerError: deps.onConsumerError,
    now,
    ...(deps.schedule ? { schedule: deps.schedule } : {}),
    onOverflow: () =>
      deps.alert(
        "postbacks are arriving for more orders than their confirmation can follow: the rest wait in " +
          "the database (none is applied unconfirmed; the order book's polling keeps the trades right)",
      ),
    onUnconfirmed: (claim, reason) => {
      try {
        deps.store.audit.record("postback", "postback_unconfirmed", { ...claimDetails(claim), reason });
      } finally {
        const message = unconfirmedMessage(claim, reason);
        const at = now();
        const last = alertedAt.get(claim.orderId);
        if (last === undefined || at - last >= ALERT_EVERY_MS) {
          alertedAt.set(claim.orderId, at);
          deps.alert(message);
        } else deps.log?.(message);
      }
    },
  });
  confirmer.resume();
  return { sink: new EnginePostbackSink({ bodies, confirmer }), confirmer };
}

/** The alert's text: what was claimed, why it was not believed, what happens now. */
export function unconfirmedMessage(claim: PostbackClaim, reason: string): string {
  return (
    `postback of order ${claim.orderId} NOT applied: it claimed ${claim.status} with ${claim.filledQuantity} of ` +
    `${claim.quantity} filled at ${claim.averagePrice}, but ${reason}. A replayed or doctored postback, or ` +
    "Kite's order history lagging: the order book's polling shows what really happened."
  );
}

function claimDetails(claim: PostbackClaim): Record<string, unknown> {
  return {
    orderId: claim.orderId,
    status: claim.status,
    filledQuantity: claim.filledQuantity,
    quantity: claim.quantity,
    price: claim.price,
    triggerPrice: claim.triggerPrice,
    averagePrice: claim.averagePrice,
    bodyId: claim.id,
  };
}
