import { createHash, timingSafeEqual } from "node:crypto";
import { type KiteOrder, orderSchema } from "./kite-payloads.js";

/*
 * Kite's postbacks (order updates POSTed to auth.postback_url). Anyone can POST to that URL, so
 * an update counts only when its checksum is sha256_hex(order_id + order_timestamp + api_secret)
 * with the timestamp exactly as received. Only order_id and order_timestamp are covered by the
 * checksum: the other fields are Kite's word as much as the transport's, which is why the
 * order book is reconciled too.
 */

/** A verified order update: the order's fields as in the order book, plus the raw fields Kite sent. */
export interface PostbackUpdate extends KiteOrder {
  user_id: string | null;
  unfilled_quantity: number;
}

export type PostbackResult =
  | { ok: true; update: PostbackUpdate }
  | { ok: false; reason: "invalid_json" | "missing_checksum" | "bad_checksum" | "missing_fields" };

const HEX64 = /^[0-9a-f]{64}$/;

/** Verifies a postback's raw body against the api_secret; never throws. */
export function verifyPostback(rawBody: string, apiSecret: string): PostbackResult {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return { ok: false, reason: "invalid_json" };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return { ok: false, reason: "invalid_json" };
  const b = body as Record<string, unknown>;
  if (typeof b.checksum !== "string" || b.checksum === "") return { ok: false, reason: "missing_checksum" };
  const orderId = b.order_id;
  const timestamp = b.order_timestamp;
  if (typeof orderId !== "string" || orderId === "" || typeof timestamp !== "string" || timestamp === "") {
    return { ok: false, reason: "missing_fields" };
  }
  // An empty secret would make the checksum computable by anyone.
  if (apiSecret === "") return { ok: false, reason: "bad_checksum" };
  const expected = Buffer.from(
    createHash("sha256")
      .update(orderId + timestamp + apiSecret)
      .digest("hex"),
  );
  const received = b.checksum.toLowerCase();
  // timingSafeEqual needs equal lengths; the length of a hex digest is no secret.
  if (!HEX64.test(received) || !timingSafeEqual(Buffer.from(received), expected)) {
    return { ok: false, reason: "bad_checksum" };
  }
  const order = orderSchema.safeParse(b);
  if (!order.success) return { ok: false, reason: "missing_fields" };
  return {
    ok: true,
    update: {
      ...order.data,
      user_id: typeof b.user_id === "string" ? b.user_id : null,
      unfilled_quantity: typeof b.unfilled_quantity === "number" ? b.unfilled_quantity : 0,
    },
  };
}
