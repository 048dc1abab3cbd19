import type { Notification } from "../ports/notifier.js";
import type { Store } from "../ports/store.js";
import type { StoredOrder } from "../ports/store-records.js";

type EntryUnfilled = Extract<Notification, { kind: "entry_unfilled" }>;

/**
 * The trader's message for an entry that ended with nothing bought (the order manager's
 * `entry_failed`): the contract, what became of the order and why, from the store as it is
 * when the event comes (the order's Kite status message first, else the engine's reason).
 * `symbol`: the contract when no order names it (an entry the engine gave up before placing);
 * else the trade's. Null when neither is known (nothing to name).
 */
export function entryUnfilledNotice(
  store: Pick<Store, "orders" | "trades">,
  ended: { tradeId: string; reason: string; symbol?: string | undefined },
  nowMs: number,
): EntryUnfilled | null {
  const { tradeId, reason } = ended;
  const entry = store.orders.byTrade(tradeId).find((o) => o.purpose === "ENTRY") ?? null;
  const symbol = entry?.tradingsymbol ?? ended.symbol ?? store.trades.byId(tradeId)?.symbol;
  if (symbol === undefined) return null;
  return {
    kind: "entry_unfilled",
    tradeId,
    symbol,
    tag: entry?.tag ?? null,
    quantity: entry?.quantity ?? null,
    fate: fateOf(entry),
    why: entry?.statusMessage ?? (isBareStatus(reason, entry) ? null : reason),
    workedMs: entry ? Math.max(0, entry.updatedAtMs - entry.createdAtMs) : null,
    at: nowMs,
  };
}

function fateOf(entry: StoredOrder | null): EntryUnfilled["fate"] {
  if (!entry) return "not_placed";
  if (entry.status === "REJECTED") return "rejected";
  if (entry.status === "FAILED") return "refused";
  return "cancelled";
}

/** The manager's reason that says only the order's status (`entry CANCELLED`): the fate says it. */
function isBareStatus(reason: string, entry: StoredOrder | null): boolean {
  return entry !== null && reason === `entry ${entry.status}`;
}
