import assert from "node:assert/strict";
import { test } from "node:test";
import {
  formatBytes,
  formatDate,
  formatDuration,
  formatIstClock,
  formatIstMinute,
  formatPrice,
  formatRupees,
  formatSignedPoints,
  formatSignedRupees,
  groupIndian,
} from "../../../src/adapters/telegram/format.js";
import { esc, html, splitMessage, toPlainText } from "../../../src/adapters/telegram/html.js";
import { htmlProblem } from "../../support/fake-bot-api.js";

test("formatRupees → Indian grouping with paise, sign before the symbol", () => {
  assert.equal(formatRupees(0), "₹0.00");
  assert.equal(formatRupees(999), "₹999.00");
  assert.equal(formatRupees(1000), "₹1,000.00");
  assert.equal(formatRupees(123456.789), "₹1,23,456.79");
  assert.equal(formatRupees(12345678.9), "₹1,23,45,678.90");
  assert.equal(formatRupees(-25000), "-₹25,000.00");
  assert.equal(formatRupees(-0.001), "₹0.00");
  assert.equal(groupIndian("1234567890"), "1,23,45,67,890");
});

test("signed rupees and points → + for gains, - for losses, none for zero", () => {
  assert.equal(formatSignedRupees(797), "+₹797.00");
  assert.equal(formatSignedRupees(-1234.5), "-₹1,234.50");
  assert.equal(formatSignedRupees(0.001), "₹0.00");
  assert.equal(formatSignedPoints(39.85), "+39.85");
  assert.equal(formatSignedPoints(-12.4), "-12.40");
  assert.equal(formatPrice(80718.25), "80,718.25");
});

test("IST times and dates → independent of the host's zone", () => {
  const t = Date.UTC(2025, 8, 4, 3, 48, 5); // 09:18:05 IST
  assert.equal(formatIstClock(t), "09:18:05");
  assert.equal(formatIstMinute("2025-09-04T09:18:00+05:30"), "09:18");
  assert.equal(formatIstMinute("2025-09-04T03:48:00Z"), "09:18");
  assert.equal(formatIstMinute("not a time"), "not a time");
  assert.equal(formatDate("2025-09-04"), "Thu 04 Sep 2025");
});

test("durations and sizes → the largest fitting unit", () => {
  assert.equal(formatDuration(45_000), "45 s");
  assert.equal(formatDuration(185_000), "3 min 05 s");
  assert.equal(formatDuration(7_620_000), "2 h 07 min");
  assert.equal(formatDuration(100 * 3_600_000), "4 d 4 h");
  assert.equal(formatBytes(512 * 1024 * 1024), "512 MB");
  assert.equal(formatBytes(1.5 * 1024 ** 3), "1.5 GB");
});

test("html tag → every value escaped, the markup kept", () => {
  const text = html`<b>${"<script>&"}</b> ${'"q"'}`;
  assert.equal(text, "<b>&lt;script&gt;&amp;</b> &quot;q&quot;");
  assert.equal(htmlProblem(text), null);
  assert.equal(toPlainText(text), '<script>& "q"');
  assert.equal(esc("a < b"), "a &lt; b");
  assert.notEqual(htmlProblem("a < b"), null, "the fake refuses what Telegram refuses");
  assert.notEqual(htmlProblem("P&L"), null);
  assert.notEqual(htmlProblem("<b>open"), null);
});

test("splitMessage → pieces within the limit, at line breaks, nothing lost", () => {
  const lines = Array.from({ length: 50 }, (_, i) => `<b>line ${i}</b> ${"x".repeat(80)}`);
  const parts = splitMessage(lines.join("\n"), 1000);
  assert.ok(parts.length > 1);
  for (const p of parts) {
    assert.ok(p.length <= 1000);
    assert.equal(htmlProblem(p), null);
  }
  assert.equal(parts.join("\n"), lines.join("\n"));
  const long = splitMessage(`<b>${"&".repeat(300)}</b>`, 100);
  for (const p of long) assert.ok(p.length <= 100 && htmlProblem(p) === null);
  assert.equal(long.map(toPlainText).join(""), "&".repeat(300));
});
