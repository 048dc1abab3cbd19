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

test("entry message with the fill → the price the broker filled, the model's beside it, the risk from the fill", () => {
  const text = renderNotification({
    kind: "entry",
    tradeId: "20250905_001",
    symbol: "SENSEX2591180300PE",
    scenario: 1,
    time: "2025-09-05T10:15:00+05:30",
    entry: 121.35,
    stop: 98.4,
    target: 160,
    quantity: 20,
    reason: "scenario 1",
    fill: { quantity: 20, price: 121.6 },
  });
  assert.match(text, /Bought at 121\.60 \(fill\) · model entry 121\.35/);
  assert.match(text, /Stop 98\.40 · target 160\.00/);
  assert.match(text, /Risk ₹464\.00/); // (121.60 - 98.40) × 20
});

test("exit message of an emergency exit (no stop could rest) → says so in words, not as a close at the broker", () => {
  const text = renderNotification({ ...EXIT, reason: "EMERGENCY" });
  assert.match(text, /emergency exit \(no stop could rest\) at 160\.90/);
  assert.doesNotMatch(text, /closed at the broker/);
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
