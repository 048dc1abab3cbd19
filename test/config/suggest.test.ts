import assert from "node:assert/strict";
import { test } from "node:test";
import { KNOWN_KEYS } from "../../src/config/schema.js";
import { editDistance, nearestName } from "../../src/config/suggest.js";

test("editDistance → Levenshtein distance on hand examples", () => {
  assert.equal(editDistance("", ""), 0);
  assert.equal(editDistance("abc", ""), 3);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("flaw", "lawn"), 2);
  assert.equal(editDistance("lots", "lot"), 1);
  assert.equal(editDistance("candle_size_percentil", "candle_size_percentile"), 1);
  assert.equal(editDistance("same", "same"), 0);
});

test("editDistance → symmetric", () => {
  for (const [a, b] of [
    ["strike_range", "strike_interval"],
    ["tradng", "trading"],
    ["x", "max_daily_loss"],
  ] as const) {
    assert.equal(editDistance(a, b), editDistance(b, a));
  }
});

test("nearestName of a one-letter typo → the known key", () => {
  const trading = KNOWN_KEYS.get("trading") ?? [];
  assert.equal(nearestName("candle_size_percentil", trading), "candle_size_percentile");
  assert.equal(nearestName("lot", trading), "lots");
  assert.equal(nearestName("strike_intervall", trading), "strike_interval");
  assert.equal(nearestName("tradng", KNOWN_KEYS.get("") ?? []), "trading");
});

test("nearestName ignores case → the known spelling", () => {
  assert.equal(nearestName("LOTS", ["lots", "lot_size"]), "lots");
});

test("nearestName of an unrelated name → undefined", () => {
  const trading = KNOWN_KEYS.get("trading") ?? [];
  assert.equal(nearestName("foo", trading), undefined);
  assert.equal(nearestName("completely_unrelated_setting", trading), undefined);
  assert.equal(nearestName("anything", []), undefined);
});

test("KNOWN_KEYS → every section of the schema with its keys", () => {
  assert.deepEqual(
    [...KNOWN_KEYS.keys()].sort(),
    [
      "",
      "archive",
      "auth",
      "charges",
      "data",
      "execution",
      "kite",
      "market",
      "notifications",
      "paper",
      "risk_management",
      "server",
      "telegram",
      "trading",
    ].sort(),
  );
  assert.ok(KNOWN_KEYS.get("trading")?.includes("candle_size_percentile"));
  assert.ok(KNOWN_KEYS.get("")?.includes("api_key"));
});
