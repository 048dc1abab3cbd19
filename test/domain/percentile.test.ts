import assert from "node:assert/strict";
import { test } from "node:test";
import { percentileInPlace } from "../../src/domain/percentile.js";

const pct = (values: number[], p: number) => percentileInPlace([...values], values.length, p);

test("percentileInPlace of an empty window → NaN", () => {
  assert.ok(Number.isNaN(percentileInPlace([], 0, 75)));
  assert.ok(Number.isNaN(percentileInPlace([1, 2, 3], 0, 75)));
});

test("percentileInPlace with n = 1 → the value whatever p (numpy: np.percentile([4.2], p))", () => {
  for (const p of [0, 25, 50, 75, 100]) assert.equal(pct([4.2], p), 4.2);
});

test("percentileInPlace with n = 2 → linear between the two (numpy [1, 3]: p75 = 2.5)", () => {
  // h = 1 × 0.75 = 0.75 → 1 + 0.75 × 2 = 2.5
  assert.equal(pct([3, 1], 75), 2.5);
  assert.equal(pct([3, 1], 50), 2);
  assert.equal(pct([3, 1], 0), 1);
  assert.equal(pct([3, 1], 100), 3);
  assert.equal(pct([3, 1], 25), 1.5);
});

test("percentileInPlace of 1..20 at p75 → 15.25 (h = 14.25)", () => {
  const values = Array.from({ length: 20 }, (_, i) => 20 - i); // descending, to exercise the sort
  assert.equal(pct(values, 75), 15.25);
  assert.equal(pct(values, 50), 10.5); // h = 9.5
  assert.equal(pct(values, 0), 1);
  assert.equal(pct(values, 100), 20);
  assert.ok(Math.abs(pct(values, 90) - 18.1) < 1e-12); // h = 17.1 → 18 + 0.1
});

test("percentileInPlace with p = 0 and p = 100 → minimum and maximum", () => {
  const v = [0.7, 0.2, 1.9, 0.05, 1.1];
  assert.equal(pct(v, 0), 0.05);
  assert.equal(pct(v, 100), 1.9);
});

test("percentileInPlace at p75 with ties → numpy's values", () => {
  // np.percentile([1, 2, 2, 2, 3], 75) = 2 (h = 3 → v[3])
  assert.equal(pct([2, 3, 2, 1, 2], 75), 2);
  // np.percentile([1, 2, 2, 3], 75) = 2.25 (h = 2.25 → 2 + 0.25 × 1)
  assert.equal(pct([3, 2, 1, 2], 75), 2.25);
  // np.percentile([5, 5, 5, 5], 75) = 5
  assert.equal(pct([5, 5, 5, 5], 75), 5);
  // np.percentile([0, 0, 0, 1, 1, 1], 75) = 1 (h = 3.75 → v[3] = 1)
  assert.equal(pct([1, 0, 1, 0, 1, 0], 75), 1);
  // np.percentile([0, 0, 1, 1, 1, 1, 1, 2], 25) = 0.75 (h = 1.75 → 0 + 0.75 × 1)
  assert.equal(pct([2, 1, 1, 0, 1, 1, 0, 1], 25), 0.75);
});

test("percentileInPlace of 20 shuffled candle sizes at p75 → numpy's 1.525", () => {
  // The sizes are 0.1, 0.2, … 2.0 shuffled; h = 19 × 0.75 = 14.25.
  const sizes = [
    0.5, 1.2, 0.1, 2.0, 0.9, 1.5, 0.3, 1.8, 0.7, 1.1, 0.4, 1.6, 0.2, 1.9, 0.8, 1.3, 0.6, 1.7, 1.0, 1.4,
  ];
  // sorted v[14] = 1.5, v[15] = 1.6 → 1.5 + 0.25 × 0.1 = 1.525
  const got = pct(sizes, 75);
  assert.ok(Math.abs(got - 1.525) < 1e-12, String(got));
});

test("percentileInPlace → sorts the scratch buffer in place and reads only `count` values", () => {
  const buf = [9, 3, 7, 1, 100, -100];
  // Only the first 4: [1, 3, 7, 9], p50: h = 1.5 → 3 + 0.5 × 4 = 5.
  assert.equal(percentileInPlace(buf, 4, 50), 5);
  assert.deepEqual(buf, [1, 3, 7, 9, 100, -100]);
});

test("percentileInPlace on a Float64Array → same as on an array", () => {
  const f = new Float64Array([4, 1, 3, 2, 0]);
  assert.equal(percentileInPlace(f, 5, 75), 3); // [0..4], h = 3
  assert.deepEqual([...f], [0, 1, 2, 3, 4]);
  assert.ok(Math.abs(percentileInPlace(new Float64Array([4, 1, 3, 2, 0]), 5, 30) - 1.2) < 1e-12); // h = 1.2
});
