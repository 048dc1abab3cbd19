/** A scripted Kite, the real instrument master and archive configurations for the day archive's tests. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import type { KiteFailure, KiteResult } from "../../src/adapters/kite/kite-errors.js";
import type { KiteHistoricalCandle } from "../../src/adapters/kite/kite-payloads.js";
import { defaultConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { InstrumentMaster, parseInstrumentMaster } from "../../src/domain/instruments.js";
import { istEpochMs, parseHhmm } from "../../src/domain/ist.js";
import { SHARED_DIR } from "../support/paths.js";

export const DAY = "2025-09-04";
export const INDEX_TOKEN = 265;
export const master = new InstrumentMaster([
  ...parseInstrumentMaster(readFileSync(`${SHARED_DIR}data/instruments/instruments_bfo.csv`, "utf8")),
  ...parseInstrumentMaster(readFileSync(`${SHARED_DIR}data/instruments/instruments_bse.csv`, "utf8")),
]);
const tmp = mkdtempSync(join(tmpdir(), "pivot-day-archive-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const row = (hhmm: string, open: number, close: number): KiteHistoricalCandle => ({
  time: istEpochMs(DAY, parseHhmm(hhmm)),
  open,
  high: Math.max(open, close),
  low: Math.min(open, close),
  close,
  volume: 10,
});

/**
 * Kite's historical API, scripted: the index opens at 80420 (ATM 80400) and closes at 80960
 * (ATM 81000); every contract has two candles. `fail` answers a failure for a token instead.
 */
export function scriptedKite(fail: (token: number, interval: string) => KiteFailure | null = () => null) {
  const requests: Array<{ token: number; interval: string }> = [];
  const kite = {
    historical: async (token: number, interval: string): Promise<KiteResult<KiteHistoricalCandle[]>> => {
      requests.push({ token, interval });
      const failure = fail(token, interval);
      if (failure) return { ok: false, error: failure };
      if (token === INDEX_TOKEN)
        return { ok: true, value: [row("09:15", 80420, 80500), row("15:27", 80900, 80960)] };
      return { ok: true, value: [row("09:15", 100, 110), row("09:18", 110, 105)] };
    },
  };
  return { kite: kite as never, requests };
}

let n = 0;
export function configIn(range = 200): Config {
  const base = defaultConfig();
  return {
    ...base,
    archive: { ...base.archive, strike_range: range },
    data: { ...base.data, archive_dir: join(tmp, `archive-${++n}`) },
  };
}
