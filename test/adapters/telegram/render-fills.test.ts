import assert from "node:assert/strict";
import { test } from "node:test";
import { tradesReply } from "../../../src/adapters/telegram/bot-replies.js";
import { renderNotification } from "../../../src/adapters/telegram/render.js";
import { summarize } from "../../../src/domain/summary.js";
import type { StoredTrade } from "../../../src/domain/trade.js";
import type { Notification } from "../../../src/ports/notifier.js";
import { TRADE } from "../sqlite/fixtures.js";

const EXIT: Extract<Notification, { kind: "exit" }> = {
  kind: "exit",
  tradeId: "20250905_001",
  symbol: "SENSEX2591180300PE",
  time: "2025-09-05T11:30:00+05:30",
  reason: "STOP_FILLED",
  exitPrice: 160.9,
  pnlPoints: 39.55,
  pnlRupees: 791,
  netPnlRupees: 738.3,
  fills: {
    quantity: 20,
    entryPrice: 121.6,
    exitPrice: 160.9,
    grossPnl: 786,
    charges: 52.7,
    netPnl: 733.3,
    entrySlippage: 0.25,
    exitSlippage: -0.3,
    slippageRupees: -11,
  },
};

test("exit message with fills → the P&L from the fills, fill prices beside the model's, the slippage a unit and in rupees", () => {
  const text = renderNotification(EXIT);
  assert.match(text, /stop filled at the broker at 160\.90/);
  assert.match(text, /P&amp;L \+₹786\.00 \(net \+₹733\.30\) from the fills/);
  assert.match(text, /Filled 20: bought 121\.60, sold 160\.90 · model exit 160\.90, \+₹791\.00/);
  assert.match(text, /Slippage -₹11\.00 \(entry \+0\.25, exit -0\.30 a unit\)/);
});

test("exit message without fills (nothing known from the broker) → the model's figures as before", () => {
  const text = renderNotification({ ...EXIT, reason: "TARGET", fills: null });
  assert.match(text, /target at 160\.90/);
  assert.match(text, /P&amp;L \+39\.55 pts · \+₹791\.00 \(net \+₹738\.30\)/);
  assert.doesNotMatch(text, /Slippage/);
});

test("daily summary with the day's slippage → a slippage line; without → none", () => {
  const figures = summarize([]);
  const withSlip = renderNotification({
    kind: "daily_summary",
    date: "2025-09-05",
    figures,
    slippageRupees: -42.5,
  });
  assert.match(withSlip, /Slippage -₹42\.50 \(fills minus model\)/);
  const without = renderNotification({
    kind: "monthly_summary",
    month: "2025-09",
    days: 2,
    figures,
    slippageRupees: null,
  });
  assert.doesNotMatch(without, /Slippage/);
});

test("/trades of a closed trade with fills → the fill prices and the P&L from the fills", () => {
  const trade: StoredTrade = {
    ...TRADE,
    status: "CLOSED",
    lot_size: 20,
    filled_quantity: 20,
    entry_fill_price: 121.6,
    exit_fill_price: 160.9,
    fill_pnl_rupees: 786,
    fill_charges: 52.68,
    fill_net_pnl_rupees: 733.32,
  };
  const text = tradesReply("2025-09-04", [trade]).text;
  assert.match(text, /09:18 121\.60 → 09:39 160\.90 target · \+₹786\.00/);
  assert.match(text, /Net of charges: \+₹733\.32/);
});
