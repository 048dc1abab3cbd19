import type { Store } from "../ports/store.js";

/*
 * A replayed decision is matched to what the store holds by trade id AND contract. Trade ids are
 * numbered through the day, so a replay that decides differently from the live run (Kite's
 * candles are not the ticks the live run saw) can give a stored id to another contract: acting
 * on it would manage, and exit, the stored position under the wrong contract's decisions.
 */

/** The contract stored under `tradeId` when it is not `symbol` (position or trade row); else null. */
export function otherContractUnder(
  store: Pick<Store, "positions" | "trades">,
  tradeId: string,
  symbol: string,
): string | null {
  const stored = store.positions.byTradeId(tradeId)?.symbol ?? store.trades.byId(tradeId)?.symbol;
  return stored === undefined || stored === symbol ? null : stored;
}

/** The warning of a replayed decision refused because its id belongs to another contract. */
export function otherContractWarning(tradeId: string, symbol: string, stored: string): string {
  return (
    `${tradeId}: the replay decided ${symbol} under this id, but it is ${stored}'s in the database: ` +
    `refused (${stored} keeps its protective stop and is exited at the end of the day)`
  );
}
