/** The feed watch and the certificate reminder (src/app/reminders.ts). */
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { certificateReminder, FEED_LOST_AFTER_MS, watchFeed } from "../../src/app/reminders.js";
import { ManualClock } from "../../src/ports/clock.js";
import type { Notification } from "../../src/ports/notifier.js";
import { makeSelfSignedCert } from "../ops/self-signed.js";
import { HandTimers } from "../support/hand-timers.js";

const tmp = mkdtempSync(join(tmpdir(), "pivot-reminders-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function feedWorld(marketHours = true) {
  const clock = new ManualClock(Date.parse("2025-09-05T05:00:00Z"));
  const timers = new HandTimers(clock);
  const feed = Object.assign(new EventEmitter(), { stats: { lastFrameAt: clock.now() - 500 } });
  const told: Notification[] = [];
  const stop = watchFeed(feed, { notify: (n) => told.push(n) }, clock, timers.setTimer, () => marketHours);
  const after = (ms: number) => {
    clock.advance(ms);
    timers.fireDue();
  };
  return { feed, told, after, stop, clock };
}

test("a reconnect within seconds → nothing told", () => {
  const w = feedWorld();
  w.feed.emit("disconnected");
  w.after(FEED_LOST_AFTER_MS - 1);
  w.feed.emit("connected");
  w.after(FEED_LOST_AFTER_MS * 3);
  assert.deepEqual(w.told, []);
});

test("the feed down for 10 s → feed_lost once, then feed_restored with when it was lost", () => {
  const w = feedWorld();
  const lostAt = w.clock.now();
  w.feed.emit("disconnected");
  w.after(FEED_LOST_AFTER_MS);
  w.feed.emit("disconnected"); // the retries fail too: still one message
  w.after(60_000);
  w.feed.emit("connected");
  assert.deepEqual(
    w.told.map((n) => n.kind),
    ["feed_lost", "feed_restored"],
  );
  const restored = w.told[1];
  assert.ok(restored?.kind === "feed_restored");
  assert.equal(restored.lostAt, lostAt);
});

test("outside market hours, or after stop → nothing told", () => {
  const closed = feedWorld(false);
  closed.feed.emit("disconnected");
  closed.after(FEED_LOST_AFTER_MS * 2);
  assert.deepEqual(closed.told, []);
  const stopped = feedWorld();
  stopped.feed.emit("disconnected");
  stopped.stop();
  stopped.after(FEED_LOST_AFTER_MS * 2);
  assert.deepEqual(stopped.told, []);
});

test("certificateReminder → a reminder under 14 days left, none further off or without a readable file", () => {
  const { cert } = makeSelfSignedCert(mkdtempSync(join(tmp, "c-")), "trade.example.com", 10);
  const now = Date.now();
  const r = certificateReminder(cert, "trade.example.com", now);
  assert.ok(r?.topic === "tls_certificate");
  assert.ok(r.daysLeft === 9 || r.daysLeft === 10, `daysLeft ${r.daysLeft}`);
  assert.equal(certificateReminder(cert, "trade.example.com", now - 30 * 86_400_000), null, "40 days off");
  assert.equal(certificateReminder("", "x", now), null);
  const junk = join(tmp, "junk.pem");
  writeFileSync(junk, "not a certificate");
  assert.equal(certificateReminder(junk, "x", now), null);
});
