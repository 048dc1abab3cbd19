/** `underlying: "NIFTY"`: the synthetic market is NIFTY's (NFO symbols, 50-point strikes, lot 65, Tuesday expiries). */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { writeSampleData } from "../../src/backtest/sample-data.js";
import { type IsoDate, weekdayOf } from "../../src/domain/ist.js";
import { parseOptionSymbol } from "../../src/domain/symbols.js";

const TUESDAY = 2;

/** A NIFTY market from Monday 13 Oct 2025 over 8 trading days (Diwali: 21 and 22 Oct are NSE holidays). */
function withNiftySample(check: (dir: string, files: string[]) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "sample-nifty-"));
  try {
    writeSampleData({ outDir: dir, days: 8, seed: 11, startDate: "2025-10-13", underlying: "NIFTY" });
    check(dir, readdirSync(dir).sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function rowsOf(dir: string, file: string): string[][] {
  return readFileSync(join(dir, file), "utf8")
    .trimEnd()
    .split("\n")
    .slice(1)
    .map((line) => line.split(","));
}

test("writeSampleData NIFTY → the index file NIFTY_<first day>.csv near NIFTY's level, and only NIFTY option files", () => {
  withNiftySample((dir, files) => {
    const indexFiles = files.filter((f) => !/(CE|PE)_/.test(f));
    assert.deepEqual(indexFiles, ["NIFTY_2025-10-13.csv"]);
    const open = Number(rowsOf(dir, "NIFTY_2025-10-13.csv")[0]?.[1]);
    assert.ok(open > 20_000 && open < 30_000, `index open ${open}`);
    for (const f of files.filter((name) => name !== indexFiles[0])) {
      assert.equal(parseOptionSymbol(f.slice(0, f.indexOf("_")))?.underlying, "NIFTY", f);
    }
  });
});

test("writeSampleData NIFTY → 11 strikes 50 points apart a day and expiry, volumes in lots of 65", () => {
  withNiftySample((dir, files) => {
    const strikesByDayExpiry = new Map<string, Set<number>>();
    for (const f of files.filter((name) => /(CE|PE)_/.test(name))) {
      const o = parseOptionSymbol(f.slice(0, f.indexOf("_")));
      assert.ok(o?.expiry, f);
      for (const row of rowsOf(dir, f)) {
        const key = `${row[0]?.slice(0, 10)} ${o.expiry}`;
        strikesByDayExpiry.set(key, (strikesByDayExpiry.get(key) ?? new Set()).add(o.strike));
        assert.equal(Number(row[5]) % 65, 0, `${f} volume ${row[5]}`);
      }
    }
    for (const [key, strikes] of strikesByDayExpiry) {
      const sorted = [...strikes].sort((a, b) => a - b);
      assert.equal(sorted.length, 11, key);
      for (let i = 1; i < sorted.length; i++)
        assert.equal((sorted[i] as number) - (sorted[i - 1] as number), 50, key);
    }
  });
});

test("writeSampleData NIFTY → Tuesday expiries, and Monday 20 Oct 2025 for the week whose Tuesday is Diwali", () => {
  withNiftySample((_dir, files) => {
    const expiries = new Set<IsoDate>();
    for (const f of files.filter((name) => /(CE|PE)_/.test(name))) {
      const expiry = parseOptionSymbol(f.slice(0, f.indexOf("_")))?.expiry;
      if (expiry) expiries.add(expiry);
    }
    // Trading days 13-17, 20, 23, 24 Oct: expiries Tue 14, Mon 20 (21 is a holiday), Tue 28.
    assert.deepEqual([...expiries].sort(), ["2025-10-14", "2025-10-20", "2025-10-28"]);
    assert.equal(weekdayOf("2025-10-14"), TUESDAY);
  });
});
