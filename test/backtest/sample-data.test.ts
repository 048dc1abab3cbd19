import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { type SampleDataOptions, writeSampleData } from "../../src/backtest/sample-data.js";
import { TradingCalendar } from "../../src/domain/calendar.js";
import { addDays, formatHhmm, type IsoDate, weekdayOf } from "../../src/domain/ist.js";
import { parseOptionSymbol } from "../../src/domain/symbols.js";

const HEADER = "timestamp,open,high,low,close,volume";
const CANDLES_PER_DAY = 125;
const CONTRACTS_PER_DAY = 22;
const TIMES = Array.from({ length: CANDLES_PER_DAY }, (_, i) => `${formatHhmm(555 + 3 * i)}:00+05:30`);
const PRICE = /^\d+(\.\d{1,2})?$/;

interface Row {
  date: IsoDate;
  time: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  raw: string[];
}

/** Runs the generator into a fresh temporary directory, hands the directory to `check`, then removes it. */
function withSample(options: Omit<SampleDataOptions, "outDir">, check: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "sample-data-"));
  try {
    writeSampleData({ ...options, outDir: dir });
    check(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function csvFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".csv"))
    .sort();
}

function readRows(dir: string, file: string): Row[] {
  const [header, ...lines] = readFileSync(join(dir, file), "utf8").trimEnd().split("\n");
  assert.equal(header, HEADER, file);
  return lines.map((line) => {
    const raw = line.split(",");
    const [ts = "", open, high, low, close, volume] = raw;
    return {
      date: ts.slice(0, 10),
      time: ts.slice(11),
      open: Number(open),
      high: Number(high),
      low: Number(low),
      close: Number(close),
      volume: Number(volume),
      raw,
    };
  });
}

function snapshot(dir: string): Map<string, string> {
  return new Map(csvFiles(dir).map((name) => [name, readFileSync(join(dir, name), "utf8")]));
}

function isOption(file: string): boolean {
  return /(CE|PE)_\d{4}-\d{2}-\d{2}\.csv$/.test(file);
}

test("writeSampleData same seed twice → byte-identical files", () => {
  let first = new Map<string, string>();
  withSample({ days: 3, seed: 7 }, (dir) => {
    first = snapshot(dir);
  });
  withSample({ days: 3, seed: 7 }, (dir) => {
    assert.deepEqual(snapshot(dir), first);
  });
});

test("writeSampleData different seeds → different data", () => {
  let first = new Map<string, string>();
  withSample({ days: 3, seed: 7 }, (dir) => {
    first = snapshot(dir);
  });
  withSample({ days: 3, seed: 8 }, (dir) => {
    const index = [...first.keys()].find((name) => name.startsWith("SENSEX_")) ?? "";
    const second = snapshot(dir);
    assert.notEqual(second.get(index), first.get(index));
  });
});

test("writeSampleData 5 days with one expiry day → 6 × 22 × 125 option candles plus 5 × 125 index candles", () => {
  const dir = mkdtempSync(join(tmpdir(), "sample-data-"));
  try {
    const result = writeSampleData({ outDir: dir, days: 5, seed: 1 });
    const files = csvFiles(dir);
    assert.equal(result.files, files.length);
    assert.equal(files.filter((f) => !isOption(f)).length, 1, "one index file");

    const optionRows = files.filter(isOption).reduce((n, f) => n + readRows(dir, f).length, 0);
    const indexRows = readRows(dir, `SENSEX_${result.firstDay}.csv`).length;
    // 2025-01-01 … 2025-01-07 holds one expiry day (Thu 2 Jan), when next week's 22 contracts trade too.
    assert.deepEqual(result.days, ["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-06", "2025-01-07"]);
    assert.equal(optionRows, 6 * CONTRACTS_PER_DAY * CANDLES_PER_DAY);
    assert.equal(indexRows, 5 * CANDLES_PER_DAY);
    assert.equal(result.candles, optionRows + indexRows);
    assert.equal(result.days.length, 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("writeSampleData any row → consistent OHLC, ≤ 2 decimals, options on the 0.05 tick with lot-sized volume", () => {
  withSample({ days: 6, seed: 3 }, (dir) => {
    for (const file of csvFiles(dir)) {
      const option = isOption(file);
      for (const r of readRows(dir, file)) {
        const where = `${file} ${r.date} ${r.time}`;
        assert.equal(r.raw.length, 6, where);
        for (const price of r.raw.slice(1, 5)) assert.match(price, PRICE, where);
        assert.ok(r.high >= Math.max(r.open, r.close), `high ${where}`);
        assert.ok(r.low <= Math.min(r.open, r.close), `low ${where}`);
        assert.ok(r.low > 0, `positive ${where}`);
        if (!option) {
          assert.equal(r.volume, 0, `index volume ${where}`);
          continue;
        }
        for (const price of [r.open, r.high, r.low, r.close]) {
          const cents = Math.round(price * 100);
          assert.ok(Math.abs(price * 100 - cents) < 1e-6 && cents % 5 === 0, `tick ${where}: ${price}`);
        }
        assert.ok(Number.isInteger(r.volume) && r.volume > 0 && r.volume % 20 === 0, `volume ${where}`);
      }
    }
  });
});

test("writeSampleData from 2025-08-14 over 5 days → 09:15..15:27 every 3 minutes, skipping the 15 Aug holiday and the weekend", () => {
  const dir = mkdtempSync(join(tmpdir(), "sample-data-"));
  try {
    const result = writeSampleData({ outDir: dir, days: 5, seed: 2, startDate: "2025-08-14" });
    const expected = ["2025-08-14", "2025-08-18", "2025-08-19", "2025-08-20", "2025-08-21"];
    assert.deepEqual(result.days, expected);
    assert.equal(result.firstDay, "2025-08-14");
    assert.equal(result.lastDay, "2025-08-21");

    for (const file of csvFiles(dir)) {
      const byDay = new Map<IsoDate, string[]>();
      for (const r of readRows(dir, file)) byDay.set(r.date, [...(byDay.get(r.date) ?? []), r.time]);
      const days = [...byDay.keys()];
      assert.deepEqual(days, [...days].sort(), `${file} days in order`);
      assert.ok(file.endsWith(`_${days[0]}.csv`), `${file} named after its first day`);
      for (const [day, times] of byDay) {
        assert.ok(expected.includes(day), `${file} ${day} is a generated trading day`);
        assert.deepEqual(times, TIMES, `${file} ${day}`);
      }
    }
    assert.equal(readRows(dir, "SENSEX_2025-08-14.csv").length, 5 * CANDLES_PER_DAY);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("writeSampleData a start on a weekend → first day is the next trading day", () => {
  const dir = mkdtempSync(join(tmpdir(), "sample-data-"));
  try {
    const result = writeSampleData({ outDir: dir, days: 1, seed: 2, startDate: "2025-08-16" });
    assert.deepEqual(result.days, ["2025-08-18"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("writeSampleData symbol expiries → a Thursday, or the trading day before a Thursday holiday (10 Apr 2025 → 9 Apr)", () => {
  const calendar = new TradingCalendar();
  withSample({ days: 5, seed: 4, startDate: "2025-04-07" }, (dir) => {
    const expiries = new Set<IsoDate>();
    for (const file of csvFiles(dir).filter(isOption)) {
      const parsed = parseOptionSymbol(file.slice(0, file.indexOf("_")), "SENSEX");
      assert.ok(parsed?.kind === "weekly" && parsed.expiry, file);
      const expiry = parsed.expiry;
      const thursday = addDays(expiry, (4 - weekdayOf(expiry) + 7) % 7);
      assert.ok(calendar.isTradingDay(expiry), `${file} expiry is a trading day`);
      assert.equal(calendar.onOrBefore(thursday), expiry, `${file} expiry is its week's Thursday or before`);
      for (const r of readRows(dir, file)) assert.ok(r.date <= expiry, `${file} traded after expiry`);
      expiries.add(expiry);
    }
    // Trading days 7, 8, 9, 11, 15 April: Thursday 10 is a holiday (expiry Wed 9), 14 and 18 too.
    assert.deepEqual([...expiries].sort(), ["2025-04-09", "2025-04-17"]);
  });
});

test("writeSampleData each day and expiry → 11 strikes × CE/PE centred on round(index 09:15 open / 100) × 100", () => {
  withSample({ days: 4, seed: 5 }, (dir) => {
    const files = csvFiles(dir);
    const index = readRows(dir, files.find((f) => !isOption(f)) ?? "");
    const strikesByDay = new Map<IsoDate, string[]>();
    for (const file of files.filter(isOption)) {
      const parsed = parseOptionSymbol(file.slice(0, file.indexOf("_")), "SENSEX");
      const days = new Set(readRows(dir, file).map((r) => r.date));
      for (const day of days) {
        const key = `${day} ${parsed?.expiry}`;
        strikesByDay.set(key, [...(strikesByDay.get(key) ?? []), `${parsed?.strike}${parsed?.optionType}`]);
      }
    }
    for (const [key, contracts] of strikesByDay) {
      const day = key.slice(0, 10);
      const open = index.find((r) => r.date === day && r.time.startsWith("09:15"))?.open ?? Number.NaN;
      const atm = Math.round(open / 100) * 100;
      const expected = [];
      for (let k = atm - 500; k <= atm + 500; k += 100) expected.push(`${k}CE`, `${k}PE`);
      assert.deepEqual(contracts.sort(), expected.sort(), key);
    }
    // Four days, one of them (Thursday) an expiry day with next week's window as well.
    assert.equal(strikesByDay.size, 5);
  });
});

test("writeSampleData a contract on consecutive days → one file holds both days", () => {
  withSample({ days: 3, seed: 6, startDate: "2025-09-01" }, (dir) => {
    const multiDay = csvFiles(dir)
      .filter(isOption)
      .filter((f) => new Set(readRows(dir, f).map((r) => r.date)).size > 1);
    // Mon-Wed of one expiry week: the ATM window barely moves, so most contracts span several days.
    assert.ok(multiDay.length >= 10, `only ${multiDay.length} multi-day files`);
  });
});

test("writeSampleData premiums → not degenerate: few candles at the 0.05 floor, the index moves", () => {
  withSample({ days: 10, seed: 9 }, (dir) => {
    const files = csvFiles(dir);
    let atFloor = 0;
    let total = 0;
    for (const file of files.filter(isOption)) {
      for (const r of readRows(dir, file)) {
        total++;
        if (r.close === 0.05) atFloor++;
      }
    }
    assert.ok(atFloor / total < 0.15, `${atFloor} of ${total} closes at 0.05`);

    const index = readRows(dir, files.find((f) => !isOption(f)) ?? "");
    const first = index[0]?.open ?? 0;
    assert.ok(first > 70_000 && first < 90_000, `starts near 80000: ${first}`);
    const ranges = index.map((r) => (r.high - r.low) / r.open);
    assert.ok(
      ranges.every((x) => x > 0 && x < 0.02),
      "candle ranges between 0 and 2%",
    );
  });
});

test("writeSampleData a directory that already holds CSVs → refuses and writes nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "sample-data-"));
  try {
    writeFileSync(join(dir, "old.csv"), "x\n");
    assert.throws(() => writeSampleData({ outDir: dir, days: 1, seed: 1 }), /already holds CSV files/);
    assert.deepEqual(readdirSync(dir), ["old.csv"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("writeSampleData a missing nested directory → creates it", () => {
  const dir = mkdtempSync(join(tmpdir(), "sample-data-"));
  try {
    const result = writeSampleData({ outDir: join(dir, "a", "b"), days: 1, seed: 1 });
    assert.equal(csvFiles(join(dir, "a", "b")).length, result.files);
    assert.equal(result.files, CONTRACTS_PER_DAY + 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("writeSampleData invalid days → throws", () => {
  const dir = mkdtempSync(join(tmpdir(), "sample-data-"));
  try {
    assert.throws(
      () => writeSampleData({ outDir: dir, days: 0, seed: 1 }),
      /days must be a positive integer/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
