import assert from "node:assert/strict";
import type { TradingServiceDeps } from "../../src/engine/trading-service-deps.js";

/* What the trading service's unit tests share. */

/** The history of a service without a Kite session: any call fails the test. */
export const historyWithoutSession: TradingServiceDeps["history"] = {
  hasSession: () => false,
  candles: async () => assert.fail("no call without a session"),
  instrumentMaster: async () => assert.fail("no call without a session"),
  lastPrice: async () => assert.fail("no call without a session"),
};
