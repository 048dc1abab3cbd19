import { PaperBroker } from "../adapters/paper/paper-broker.js";
import { PaperOrdersRepository } from "../adapters/sqlite/paper-orders-repo.js";
import type { Store } from "../adapters/sqlite/store.js";
import type { Config } from "../config/schema.js";
import type { Clock } from "../ports/clock.js";
import { strategyParamsFrom } from "../strategy/params.js";

/**
 * Paper mode's broker as `pivot start` runs it: its book journaled in the paper database (the
 * day's orders and fills are found again after a restart), `paper.slippage_ticks`, and the
 * configured charges.
 */
export function paperBrokerOf(
  config: Config,
  clock: Clock,
  store: Store,
  onJournalError?: (error: unknown, orderId?: string) => void,
): PaperBroker {
  return new PaperBroker({
    clock,
    ...(onJournalError ? { onJournalError } : {}),
    journal: new PaperOrdersRepository(store.db),
    slippage: { ticks: config.paper.slippage_ticks },
    chargeRates: strategyParamsFrom(config).charges,
  });
}
