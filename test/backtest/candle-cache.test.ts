import assert from "node:assert/strict";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { CACHE_FILE, loadCandleData } from "../../src/backtest/candle-cache.js";
import { loadCandleDirectory } from "../../src/backtest/candle-directory.js";
import { runBacktest } from "../../src/backtest/run-backtest.js";
import { writeSampleData } from "../../src/backtest/sample-data.js";
import { defaultConfig } from "../../src/config/load.js";
import { TradingCalendar } from "../../src/domain/calendar.js";

const tmp = mkdtempSync(join(tmpdir(), "pivot-cache-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function market(name: string): string {
  const dir = join(tmp, name);
  writeSampleData({ outDir: dir, days: 8, seed: 6 });
  return dir;
}

const backtest = (data: Parameters<typeof runBacktest>[0]["data"]) =>
  runBacktest({ config: defaultConfig(), data, calendar: new TradingCalendar(), warn: () => {} });

test("loadCandleData twice over unchanged data → the second run reads the cache and backtests the same", () => {
  const dir = market("same");
  const first = loadCandleData(dir, () => {}, { minBytes: 0 });
  assert.equal(first.cache, "written");
  assert.ok(existsSync(join(dir, CACHE_FILE)));
  const second = loadCandleData(dir, () => {}, { minBytes: 0 });
  assert.equal(second.cache, "hit");
  assert.equal(second.candles, first.candles);
  assert.equal(second.files, first.files);
  assert.deepEqual(backtest(second), backtest(loadCandleDirectory(dir, () => {})));
});

test("loadCandleData after a CSV changes → parses again, sees the change, rewrites the cache", () => {
  const dir = market("changed");
  loadCandleData(dir, () => {}, { minBytes: 0 });
  const file = readdirSync(dir).find((n) => n.startsWith("SENSEX_")) as string;
  appendFileSync(join(dir, file), "not,a,row\n");
  const warnings: string[] = [];
  const again = loadCandleData(dir, (m) => warnings.push(m), { minBytes: 0 });
  assert.equal(again.cache, "written");
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] as string, /skipped 1 of/);
  // The parse's warnings are kept with the cache: a hit repeats them.
  const hitWarnings: string[] = [];
  assert.equal(loadCandleData(dir, (m) => hitWarnings.push(m), { minBytes: 0 }).cache, "hit");
  assert.deepEqual(hitWarnings, warnings);
});

test("loadCandleData after a file's time changes or a file is added → not a hit", () => {
  const dir = market("touched");
  loadCandleData(dir, () => {}, { minBytes: 0 });
  const file = join(dir, readdirSync(dir).find((n) => n.endsWith(".csv")) as string);
  utimesSync(file, new Date(2030, 0, 1), new Date(2030, 0, 1));
  assert.equal(loadCandleData(dir, () => {}, { minBytes: 0 }).cache, "written");
  writeFileSync(
    join(dir, "EXTRA_2025-01-01.csv"),
    "timestamp,open,high,low,close\n2025-01-01 09:15:00+05:30,1,2,0.5,1.5\n",
  );
  assert.equal(loadCandleData(dir, () => {}, { minBytes: 0 }).cache, "written");
});

test("loadCandleData with a damaged cache file → parses again instead of failing", () => {
  const dir = market("damaged");
  loadCandleData(dir, () => {}, { minBytes: 0 });
  writeFileSync(join(dir, CACHE_FILE), "PIVOTCC1garbage");
  const data = loadCandleData(dir, () => {}, { minBytes: 0 });
  assert.equal(data.cache, "written");
  assert.deepEqual(backtest(data), backtest(loadCandleDirectory(dir, () => {})));
});

test("loadCandleData over a small directory → no cache file", () => {
  const dir = market("small");
  assert.equal(loadCandleData(dir, () => {}).cache, "none");
  assert.equal(existsSync(join(dir, CACHE_FILE)), false);
});

test("loadCandleData from the cache → each series, asked for one by one or iterated, holds the parsed candles", () => {
  const dir = market("lazy");
  loadCandleData(dir, () => {}, { minBytes: 0 });
  const parsed = loadCandleDirectory(dir, () => {});
  const asked = loadCandleData(dir, () => {}, { minBytes: 0 });
  const iterated = loadCandleData(dir, () => {}, { minBytes: 0 });
  assert.equal(asked.cache, "hit");
  assert.deepEqual([...asked.byDay.keys()].sort(), [...parsed.byDay.keys()].sort());
  for (const [date, symbols] of parsed.byDay) {
    const cachedDay = asked.byDay.get(date);
    assert.deepEqual([...(cachedDay?.keys() ?? [])].sort(), [...symbols.keys()].sort());
    for (const [symbol, series] of symbols) {
      assert.ok(cachedDay?.has(symbol));
      assert.deepEqual(cachedDay?.get(symbol)?.toCandles(), series.toCandles(), `${date} ${symbol}`);
    }
    const all = new Map([...(iterated.byDay.get(date) ?? [])].map(([s, x]) => [s, x.toCandles()]));
    assert.deepEqual(all, new Map([...symbols].map(([s, x]) => [s, x.toCandles()])));
  }
});

test("loadCandleData after a file is removed → not a hit, and the removed file's candles are gone", () => {
  const dir = market("removed");
  loadCandleData(dir, () => {}, { minBytes: 0 });
  const name = readdirSync(dir).find((n) => n.endsWith(".csv") && !n.startsWith("SENSEX_")) as string;
  rmSync(join(dir, name));
  const again = loadCandleData(dir, () => {}, { minBytes: 0 });
  assert.equal(again.cache, "written");
  assert.deepEqual(backtest(again), backtest(loadCandleDirectory(dir, () => {})));
});

test("loadCandleData from the cache of prices with more than two decimals → the very same numbers", () => {
  const dir = join(tmp, "decimals");
  mkdirSync(dir);
  // Series that only float64 holds exactly (3 decimals; -0; a volume beyond int32), one that int32 does.
  const csv = (open: string, high: string, low: string, bigVolume: number) => {
    const rows = ["timestamp,open,high,low,close,volume"];
    for (let i = 0; i < 20; i++) {
      const m = String(15 + i * 3).padStart(2, "0");
      rows.push(`2025-09-04 09:${m}:00+05:30,${open},${high},${low},100.5,${i === 3 ? bigVolume : 7}`);
    }
    return `${rows.join("\n")}\n`;
  };
  writeFileSync(join(dir, "SENSEX2591180500CE_2025-09-04.csv"), csv("100.125", "101.3333", "99.9", 7));
  writeFileSync(join(dir, "SENSEX2591180500PE_2025-09-04.csv"), csv("100.05", "101.35", "-0", 7));
  writeFileSync(join(dir, "SENSEX2591180600PE_2025-09-04.csv"), csv("100.05", "101.35", "99.9", 3e10));
  writeFileSync(join(dir, "SENSEX2591180600CE_2025-09-04.csv"), csv("100.05", "101.35", "99.9", 7));
  const parsed = loadCandleDirectory(dir, () => {});
  loadCandleData(dir, () => {}, { minBytes: 0 });
  const cached = loadCandleData(dir, () => {}, { minBytes: 0 });
  assert.equal(cached.cache, "hit");
  for (const [symbol, series] of parsed.byDay.get("2025-09-04") ?? []) {
    assert.deepEqual(cached.byDay.get("2025-09-04")?.get(symbol)?.toCandles(), series.toCandles(), symbol);
  }
});
