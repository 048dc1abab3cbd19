import assert from "node:assert/strict";
import { test } from "node:test";
import { dedupeKeyOf, renderNotification } from "../../../src/adapters/telegram/render.js";
import type { Notification } from "../../../src/ports/notifier.js";
import { htmlProblem } from "../../support/fake-bot-api.js";
import { SAMPLES } from "./samples.js";

/** The exact text of each sample (HTML parse mode), read and approved line by line. */
const EXPECTED: Record<keyof typeof SAMPLES, string> = {
  login_needed: [
    "🔑 <b>Kite login needed</b> for Thu 04 Sep 2025",
    '<a href="https://kite.zerodha.com/connect/login?api_key=k&amp;v=3&amp;redirect_params=state%3Dabc">Log in to Kite</a>',
    "Without a session by 09:00 IST, no trading today.",
  ].join("\n"),
  login_needed_again: [
    "🔑 <b>Kite login needed</b> for Thu 04 Sep 2025 (request 3)",
    '<a href="https://kite.zerodha.com/connect/login?api_key=k&amp;v=3">Log in to Kite</a>',
  ].join("\n"),
  login_ok: ["✅ <b>Kite login succeeded</b>: user AB1234 · 08:12:30 IST"].join("\n"),
  login_failed: [
    "❌ <b>Kite login failed</b> · 08:12:30 IST",
    "Kite refused the request token &lt;expired&gt;",
  ].join("\n"),
  pre_market: [
    "📋 <b>Pre-market</b> · Thu 04 Sep 2025",
    "Spot 80,718.25 · ATM 80,700",
    "Expiry Thu 04 Sep 2025 (expiry day)",
    "Universe: 5 contracts, strikes 80,600-80,800, 1 without pivots",
    "BULLISH (2):",
    "• SENSEX2590480600CE · R1 212.40",
    "• SENSEX2590480700PE · R1 181.05",
  ].join("\n"),
  pre_market_none: [
    "📋 <b>Pre-market</b> · Mon 08 Sep 2025",
    "Spot unknown · ATM unknown",
    "Expiry Thu 11 Sep 2025 (in 3 days)",
    "Universe: 0 contracts",
    "No BULLISH contract: nothing to trade unless the open adds strikes.",
  ].join("\n"),
  entry: [
    "🟢 <b>ENTRY</b> SENSEX2590481000CE · 09:18 IST",
    "Trade 20250904_001 · scenario 1 · qty 20",
    "Entry 121.35 · stop 98.40 · target 160.00",
    "Risk ₹459.00",
    "Z1 open, close above R1",
  ].join("\n"),
  exit_target: [
    "✅ <b>EXIT</b> SENSEX2590481000CE · 09:39 IST",
    "Trade 20250904_001 · target at 161.20",
    "P&amp;L +39.85 pts · +₹797.00 (net +₹732.88)",
  ].join("\n"),
  exit_stop: [
    "🔻 <b>EXIT</b> SENSEX2590480700PE · 11:03 IST",
    "Trade 20250904_002 · stop loss at 150.10",
    "P&amp;L -22.90 pts · -₹458.00",
  ].join("\n"),
  entry_timed_out: [
    "⚪ <b>Entry not filled</b>: SENSEX2590481000CE",
    "Trade 20250904_001 · order E20250904001 (BUY 20) cancelled after 30 s · 09:18:31 IST",
    "Nothing bought: no position, the strategy forgets this entry.",
  ].join("\n"),
  entry_rejected: [
    "⚪ <b>Entry not filled</b>: SENSEX2590481000CE",
    "Trade 20250904_001 · order E20250904001 (BUY 20) rejected by Kite · 09:18:02 IST",
    "Kite: Insufficient funds. Required margin is 2427.00 but available margin is 0.00",
    "Nothing bought: no position, the strategy forgets this entry.",
  ].join("\n"),
  entry_not_placed: [
    "⚪ <b>Entry not filled</b>: SENSEX2590480700PE",
    "Trade 20250904_002 · no order placed · 11:03:00 IST",
    "Why: entries blocked after panic",
    "Nothing bought: no position, the strategy forgets this entry.",
  ].join("\n"),
  rejected: [
    "⚠️ <b>Order rejected</b>: BUY 20 SENSEX2590481000CE",
    "Order E20250904001 (trade 20250904_001) · 09:18:02 IST",
    "Kite: Insufficient funds. Required margin is 2427.00 but available margin is 0.00",
  ].join("\n"),
  partly_filled: [
    "⚠️ <b>Order partly filled</b>: BUY 20 of 40 SENSEX2590481000CE",
    "Order E20250904001 (trade 20250904_001) · 09:18:32 IST",
  ].join("\n"),
  session_expired: [
    "⛔ <b>Kite session expired</b> · 11:02:00 IST",
    "No new entries until a new login (/login).",
    "The open position keeps its protective stop at the broker; exits are still attempted.",
  ].join("\n"),
  session_expired_flat: [
    "⛔ <b>Kite session expired</b> · 11:02:00 IST",
    "No new entries until a new login (/login).",
    "No position is open.",
  ].join("\n"),
  feed_lost: ["📡 <b>Market feed lost</b> · 10:15:02 IST", "Last tick at 10:14:50 IST. Reconnecting."].join(
    "\n",
  ),
  feed_restored: ["📡 <b>Market feed restored</b> · 10:16:22 IST, after 1 min 20 s"].join("\n"),
  error: [
    "🚨 <b>Error</b> · 10:15:02 IST",
    "order manager: placing the exit failed: 502 &lt;Bad Gateway&gt;",
  ].join("\n"),
  daily_summary: [
    "📊 <b>Daily summary</b> · Thu 04 Sep 2025",
    "Trades 3: 2 won, 1 lost (win rate 66.7%)",
    "Gross +₹1,234.00 · charges ₹150.00 · net +₹1,084.00",
    "Max drawdown ₹300.00",
    "Scenario 1/2/3: 2/1/0 · first candle 1, intraday 2",
    "Exits: target 2, stop loss 1, timeout 0, end of day 0, loss limit 0",
  ].join("\n"),
  daily_summary_empty: ["📊 <b>Daily summary</b> · Fri 05 Sep 2025", "No trades."].join("\n"),
  weekly_summary: [
    "📊 <b>Weekly summary</b> · Mon 01 Sep 2025 to Fri 05 Sep 2025 (5 trading days)",
    "Trades 3: 2 won, 1 lost (win rate 66.7%)",
    "Gross +₹1,234.00 · charges ₹150.00 · net +₹1,084.00",
    "Max drawdown ₹300.00",
    "Scenario 1/2/3: 2/1/0 · first candle 1, intraday 2",
    "Exits: target 2, stop loss 1, timeout 0, end of day 0, loss limit 0",
  ].join("\n"),
  monthly_summary: [
    "📊 <b>Monthly summary</b> · Sep 2025 (21 trading days)",
    "Trades 3: 2 won, 1 lost (win rate 66.7%)",
    "Gross +₹1,234.00 · charges ₹150.00 · net +₹1,084.00",
    "Max drawdown ₹300.00",
    "Scenario 1/2/3: 2/1/0 · first candle 1, intraday 2",
    "Exits: target 2, stop loss 1, timeout 0, end of day 0, loss limit 0",
  ].join("\n"),
  reminder_tls: [
    "⏰ <b>Reminder</b>: the TLS certificate of sensexbot.ddns.net expires on Sat 13 Sep 2025 (in 9 days). Renew it: sudo certbot renew",
  ].join("\n"),
  reminder_disk: ["⏰ <b>Reminder</b>: disk space low at /: 1.5 GB free (7.8%)."].join("\n"),
};

for (const [name, notification] of Object.entries(SAMPLES) as Array<[keyof typeof SAMPLES, Notification]>) {
  test(`renderNotification ${name} → the approved text, valid Telegram HTML`, () => {
    const text = renderNotification(notification);
    assert.equal(text, EXPECTED[name]);
    assert.equal(htmlProblem(text), null);
    assert.ok(text.length <= 4096);
  });
}

test("dedupeKeyOf → one key per event: trade id, order tag, date, or instant", () => {
  assert.equal(dedupeKeyOf(SAMPLES.entry), "entry:20250904_001");
  assert.equal(dedupeKeyOf(SAMPLES.exit_target), "exit:20250904_001");
  assert.equal(dedupeKeyOf(SAMPLES.pre_market), "pre_market:2025-09-04");
  assert.equal(dedupeKeyOf(SAMPLES.daily_summary), "daily_summary:2025-09-04");
  assert.equal(dedupeKeyOf(SAMPLES.monthly_summary), "monthly_summary:2025-09");
  assert.equal(dedupeKeyOf(SAMPLES.login_needed), "login_needed:2025-09-04:1");
  assert.equal(dedupeKeyOf(SAMPLES.rejected), "order_problem:E20250904001:rejected:0");
  assert.equal(dedupeKeyOf(SAMPLES.entry_timed_out), "entry_unfilled:20250904_001");
  assert.equal(dedupeKeyOf(SAMPLES.reminder_tls), "reminder:tls_certificate:sensexbot.ddns.net:2025-09-04");
  // Repeated requests, partial fills that grow, and different errors at one instant stay apart.
  assert.notEqual(dedupeKeyOf(SAMPLES.login_needed), dedupeKeyOf(SAMPLES.login_needed_again));
  assert.notEqual(
    dedupeKeyOf(SAMPLES.partly_filled),
    dedupeKeyOf({ ...SAMPLES.partly_filled, filledQuantity: 30 }),
  );
  const error = SAMPLES.error;
  assert.notEqual(dedupeKeyOf(error), dedupeKeyOf({ ...error, message: "another failure" }));
  assert.equal(dedupeKeyOf(error), dedupeKeyOf({ ...error }));
});

test("renderNotification with markup in every free text → escaped, never refused by Telegram", () => {
  const nasty = '<b>&amp; </i> "quoted" & <script>';
  const texts = [
    renderNotification({ ...SAMPLES.entry, reason: nasty, symbol: nasty } as typeof SAMPLES.entry),
    renderNotification({ kind: "error", at: 0, message: nasty, context: nasty }),
    renderNotification({
      kind: "reminder",
      date: "2025-09-04",
      reminder: { topic: "other", key: "k", message: nasty },
    }),
    renderNotification({
      ...SAMPLES.login_needed,
      url: `https://x/?a=1&b="><b>`,
    } as typeof SAMPLES.login_needed),
  ];
  for (const text of texts) {
    assert.equal(htmlProblem(text), null, text);
    assert.ok(!text.includes("<script>"));
  }
});
