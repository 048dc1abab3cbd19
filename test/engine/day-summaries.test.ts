import assert from "node:assert/strict";
import { test } from "node:test";
import { Store } from "../../src/adapters/sqlite/store.js";
import { TradingCalendar } from "../../src/domain/calendar.js";
import { istEpochMs, parseHhmm } from "../../src/domain/ist.js";
import { periodSummaries, summariseDay } from "../../src/engine/day-summaries.js";
import { ManualClock } from "../../src/ports/clock.js";
import type { Notification } from "../../src/ports/notifier.js";

const calendar = new TradingCalendar();

function memoryStore(): Store {
  return Store.open(":memory:", { clock: new ManualClock(istEpochMs("2025-09-05", parseHhmm("15:40"))) });
}

function recorder() {
  const told: Notification[] = [];
  const alerts: string[] = [];
  return {
    told,
    alerts,
    notices: {
      notify: (level: string, message: string) => alerts.push(`${level}: ${message}`),
      tell: (n: Notification) => told.push(n),
    },
  };
}

test("periodSummaries on a Friday → the week's summary from its Monday; no month's", () => {
  const list = periodSummaries(calendar, memoryStore(), "2025-09-05");
  assert.deepEqual(
    list.map((n) => n.kind),
    ["weekly_summary"],
  );
  const week = list[0] as Extract<Notification, { kind: "weekly_summary" }>;
  assert.equal(week.from, "2025-09-01");
  assert.equal(week.to, "2025-09-05");
});

test("periodSummaries on the month's last trading day mid-week → the month's summary only", () => {
  const list = periodSummaries(calendar, memoryStore(), "2025-09-30");
  assert.deepEqual(
    list.map((n) => n.kind),
    ["monthly_summary"],
  );
  assert.equal((list[0] as Extract<Notification, { kind: "monthly_summary" }>).month, "2025-09");
});

test("periodSummaries on a Wednesday mid-month → none", () => {
  assert.deepEqual(periodSummaries(calendar, memoryStore(), "2025-09-03"), []);
});

test("summariseDay on a Friday → the daily summary recorded and told, then the week's", () => {
  const store = memoryStore();
  const r = recorder();
  summariseDay({ calendar, store, notices: r.notices }, "2025-09-05");
  assert.ok(store.dailySummary.get("2025-09-05"), "the daily summary is recorded");
  assert.deepEqual(
    r.told.map((n) => n.kind),
    ["daily_summary", "weekly_summary"],
  );
  assert.match(r.alerts.join("\n"), /^info: 2025-09-05 summary: 0 trade\(s\)/m);
});

test("summariseDay whose record fails → a warning, and the summary is still told", () => {
  const store = memoryStore();
  const failing = Object.assign(Object.create(store.dailySummary), {
    upsert: () => {
      throw new Error("disk full");
    },
  });
  const r = recorder();
  summariseDay(
    { calendar, store: { trades: store.trades, dailySummary: failing }, notices: r.notices },
    "2025-09-03",
  );
  assert.match(r.alerts.join("\n"), /^warning: recording the daily summary failed: disk full/m);
  assert.deepEqual(
    r.told.map((n) => n.kind),
    ["daily_summary"],
  );
});
