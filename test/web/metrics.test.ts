import assert from "node:assert/strict";
import { test } from "node:test";
import { MetricsRegistry } from "../../src/web/metrics.js";
import { createServiceMetrics } from "../../src/web/service-metrics.js";

test("a counter without labels → its total in the text format with HELP and TYPE", () => {
  const r = new MetricsRegistry();
  const c = r.counter("x_total", "Things.");
  c.inc();
  c.inc(2);
  c.inc(-5); // ignored: counters only go up
  c.inc(Number.NaN);
  assert.equal(c.get(), 3);
  assert.equal(r.render(), "# HELP x_total Things.\n# TYPE x_total counter\nx_total 3\n");
});

test("a counter with labels → one line per label set, values escaped", () => {
  const r = new MetricsRegistry();
  const c = r.counter("orders_total", "Orders.", ["status"]);
  c.inc({ status: "COMPLETE" });
  c.inc({ status: 'we"ird\\\n' }, 2);
  c.inc({ status: "COMPLETE" });
  assert.equal(c.get({ status: "COMPLETE" }), 2);
  assert.match(r.render(), /^orders_total\{status="COMPLETE"\} 2$/m);
  assert.match(r.render(), /^orders_total\{status="we\\"ird\\\\\\n"\} 2$/m);
});

test("a summary → quantiles of the recent window by nearest rank, sum and count of all", () => {
  const r = new MetricsRegistry();
  const s = r.summary("lat_seconds", "Latency.", [0.5, 0.99], 100);
  assert.ok(Number.isNaN(s.quantile(0.5)));
  assert.match(r.render(), /^lat_seconds\{quantile="0.5"\} NaN$/m);
  for (let i = 1; i <= 200; i++) s.observe(i / 1000);
  s.observe(Number.POSITIVE_INFINITY); // ignored
  // The window keeps the last 100: 0.101 .. 0.200.
  assert.equal(s.quantile(0.5), 0.15);
  assert.equal(s.quantile(0.99), 0.199);
  const text = r.render();
  assert.match(text, /^# TYPE lat_seconds summary$/m);
  assert.match(text, /^lat_seconds_count 200$/m);
  assert.match(text, /^lat_seconds_sum 20\.1/m);
});

test("a gauge → read at each scrape; a failing read is NaN", () => {
  const r = new MetricsRegistry();
  let v = 1;
  r.gauge("g", "G.", () => v);
  r.gauge("bad", "Bad.", () => {
    throw new Error("x");
  });
  assert.match(r.render(), /^g 1$/m);
  v = 2;
  assert.match(r.render(), /^g 2$/m);
  assert.match(r.render(), /^bad NaN$/m);
});

test("a metric registered twice or with a bad name → an error", () => {
  const r = new MetricsRegistry();
  r.counter("a_total", "A.");
  assert.throws(() => r.counter("a_total", "A."), /twice/);
  assert.throws(() => r.counter("a-total", "A."), /not a Prometheus name/);
});

test("the service's metrics → ticks, candles, signals, orders, postbacks and latencies, all rendered", () => {
  const m = createServiceMetrics();
  const text = m.registry.render();
  for (const name of [
    "pivot_ticks_total",
    "pivot_candles_total",
    "pivot_signals_total",
    "pivot_orders_total",
    "pivot_postbacks_total",
    "pivot_signal_to_order_seconds",
    "pivot_order_ack_seconds",
    "pivot_postback_handling_seconds",
  ]) {
    assert.match(text, new RegExp(`^# TYPE ${name} `, "m"));
  }
});
