import assert from "node:assert/strict";
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadCandleData } from "../../src/backtest/candle-cache.js";
import { loadCandleDirectory } from "../../src/backtest/candle-directory.js";
import { DAY_SETUPS_FILE, daySetupStore } from "../../src/backtest/day-setup-store.js";
import { runBacktest } from "../../src/backtest/run-backtest.js";
import { writeSampleData } from "../../src/backtest/sample-data.js";
import { defaultConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { TradingCalendar } from "../../src/domain/calendar.js";

const tmp = mkdtempSync(join(tmpdir(), "pivot-day-setups-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function market(name: string): string {
  const dir = join(tmp, name);
  writeSampleData({ outDir: dir, days: 10, seed: 2 }); // a market that trades
  return dir;
}

const cachedData = (dir: string) => loadCandleData(dir, () => {}, { minBytes: 0 });
function backtest(
  data: Parameters<typeof runBacktest>[0]["data"],
  config = defaultConfig(),
  calendar = new TradingCalendar(),
) {
  const warnings: string[] = [];
  const result = runBacktest({ config, data, calendar, warn: (m) => warnings.push(m), dataDir: "data" });
  return { result, warnings };
}
const parsed = (dir: string, config?: Config, calendar?: TradingCalendar) =>
  backtest(
    loadCandleDirectory(dir, () => {}),
    config,
    calendar,
  );

test("a second backtest over a cached directory → reads the setups the first stored, same trades and warnings", () => {
  const dir = market("same");
  const first = backtest(cachedData(dir));
  assert.ok(existsSync(join(dir, DAY_SETUPS_FILE)));
  const second = cachedData(dir);
  assert.equal(second.cache, "hit");
  assert.deepEqual(backtest(second), first);
  assert.deepEqual(first, parsed(dir));
});

test("a stored day → read back, not worked out again (a changed stored quantity shows in the trades)", () => {
  const dir = market("read");
  const first = backtest(cachedData(dir));
  assert.ok(first.result.trades.length > 0);
  // Every stored day rewritten with a quantity of 7, through the store itself.
  const data = cachedData(dir);
  const store = daySetupStore({ config: defaultConfig(), data, hasMaster: false, dataDir: "data" });
  const calendar = new TradingCalendar();
  for (const date of data.byDay.keys()) {
    const previous = calendar.previousTradingDay(date);
    const day = store?.get(date, previous);
    if (day) store?.set(date, previous, { ...day, setups: day.setups.map((s) => ({ ...s, quantity: 7 })) });
  }
  store?.save();
  const again = backtest(cachedData(dir));
  assert.ok(again.result.trades.every((t) => t.quantity === 7));
});

test("a damaged day setups file → worked out again, same trades", () => {
  const dir = market("damaged");
  const first = backtest(cachedData(dir));
  const path = join(dir, DAY_SETUPS_FILE);
  const bytes = readFileSync(path);
  writeFileSync(path, bytes.subarray(0, bytes.length - 16));
  assert.deepEqual(backtest(cachedData(dir)), first);
  writeFileSync(path, "PIVOTDS3 not a header");
  assert.deepEqual(backtest(cachedData(dir)), first);
});

test("stored setups and another strike range or lot size → worked out again for those settings", () => {
  const dir = market("settings");
  backtest(cachedData(dir));
  const config = defaultConfig();
  config.trading.strike_range = 300;
  config.trading.lot_size = 10;
  assert.deepEqual(backtest(cachedData(dir), config), parsed(dir, config));
});

test("stored setups and a calendar whose previous trading day differs → worked out again", () => {
  const dir = market("calendar");
  backtest(cachedData(dir));
  const days = [...loadCandleDirectory(dir, () => {}).byDay.keys()].sort();
  const calendar = new TradingCalendar([days[3] as string]);
  assert.deepEqual(
    backtest(cachedData(dir), defaultConfig(), calendar),
    parsed(dir, defaultConfig(), calendar),
  );
});

test("stored setups and a changed CSV → worked out again from the new data", () => {
  const dir = market("changed");
  backtest(cachedData(dir));
  const file = readdirSync(dir).find((n) => n.startsWith("SENSEX_")) as string;
  const text = readFileSync(join(dir, file), "utf8");
  // The underlying opens elsewhere on its first day: another ATM window.
  writeFileSync(join(dir, file), text.replace(/(\n[^,\n]+,)[0-9.]+/, "$1"));
  appendFileSync(join(dir, file), "");
  assert.deepEqual(backtest(cachedData(dir)), parsed(dir));
});
