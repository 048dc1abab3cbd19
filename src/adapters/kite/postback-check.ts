import type { PostbackCheck } from "../../ports/app.js";
import { orderUpdateOf } from "./kite-broker.js";
import { verifyPostback } from "./postback-verify.js";

/**
 * Kite's postback body checked (postback-verify.ts) and translated into the port's terms: the
 * order id and status for the route's limits and logs, and the OrderUpdate the engine's sink
 * takes (null: a verified body the engine cannot read). Never throws.
 */
export function checkKitePostback(rawBody: string, apiSecret: string): PostbackCheck {
  const verified = verifyPostback(rawBody, apiSecret);
  if (!verified.ok) return verified;
  const { order_id: orderId, status } = verified.update;
  return { ok: true, orderId, status, update: orderUpdateOf(verified.update, "postback", rawBody) };
}
