import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfig } from "../../src/config/load.js";

/** The `archive` section and data.archive_dir. */

test("a configuration without archive keys → archive enabled, ± 1000 points, data/archive", () => {
  const r = parseConfig({});
  assert.ok(r.ok);
  assert.deepEqual(r.config.archive, { enabled: true, strike_range: 1000 });
  assert.equal(r.config.data.archive_dir, "data/archive");
});

test("archive.strike_range not a multiple of trading.strike_interval → an error naming both", () => {
  const r = parseConfig({ trading: { strike_interval: 100 }, archive: { strike_range: 950 } });
  assert.ok(!r.ok);
  assert.ok(
    r.errors.some(
      (e) =>
        /archive\.strike_range/.test(e) && /multiple of trading\.strike_interval \(100\), found 950/.test(e),
    ),
    r.errors.join("\n"),
  );
  assert.ok(parseConfig({ trading: { strike_interval: 50 }, archive: { strike_range: 950 } }).ok);
});

test("an unknown archive key → refused like any other section's", () => {
  const r = parseConfig({ archive: { strike_rnage: 500 } });
  assert.ok(!r.ok);
  assert.match(r.errors.join("\n"), /archive\.strike_rnage/);
});
