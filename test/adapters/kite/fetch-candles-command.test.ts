import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, test } from "node:test";
import { SessionStore } from "../../../src/adapters/kite/session-store.js";
import { loadCandleDirectory } from "../../../src/backtest/candle-directory.js";
import { fetchCandlesCommand } from "../../../src/cli/commands/fetch-candles.js";
import { UserError } from "../../../src/cli/user-error.js";
import { parseInstrumentMaster } from "../../../src/domain/instruments.js";
import { addDays, formatHhmm, istEpochMs } from "../../../src/domain/ist.js";
import { ManualClock } from "../../../src/ports/clock.js";
import { REAL_CANDLES_DIR } from "../../support/paths.js";
import { BFO_MASTER_CSV, BSE_MASTER_CSV, FakeKite, kiteData, kiteError } from "./fake-kite.js";

/*
 * `pivot fetch-candles` against the fake Kite, which serves the real instrument dumps and the
 * real 3-minute candles of ../shared/data as Kite's historical API would.
 */

const source = loadCandleDirectory(REAL_CANDLES_DIR, () => {});
const symbolOfToken = new Map(
  [
    ...parseInstrumentMaster(readFileSync(BFO_MASTER_CSV, "utf8")),
    ...parseInstrumentMaster(readFileSync(BSE_MASTER_CSV, "utf8")),
  ].map((i) => [i.instrumentToken, i.tradingsymbol]),
);

let fake: FakeKite;
const tmp = mkdtempSync(join(tmpdir(), "pivot-fetch-candles-"));
before(async () => {
  fake = await FakeKite.start();
});
after(async () => {
  await fake.close();
  rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  fake.clearRequests();
  fake.route("GET /instruments/historical/:token/:interval", (req) => {
    const symbol = symbolOfToken.get(Number(req.params.token));
    const from = (req.query.get("from") ?? "").slice(0, 10);
    const to = (req.query.get("to") ?? "").slice(0, 10);
    const candles: unknown[] = [];
    for (let d = from; d <= to; d = addDays(d, 1)) {
      for (const c of source.byDay
        .get(d)
        ?.get(symbol ?? "")
        ?.toCandles() ?? []) {
        candles.push([`${d}T${formatHhmm(c.start)}:00+0530`, c.open, c.high, c.low, c.close, c.volume]);
      }
    }
    return kiteData({ candles });
  });
});

let n = 0;
function setup(options: { session?: boolean } = {}) {
  const dir = join(tmp, `case-${++n}`);
  const clock = new ManualClock(istEpochMs("2025-09-02", 16 * 60));
  const sessionFile = join(dir, "data", "access_token.json");
  const config = join(dir, "config.json");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    config,
    JSON.stringify({
      kite: { api_root: fake.url },
      data: { access_token_file: sessionFile, cache_dir: join(dir, "data", "cache") },
    }),
  );
  if (options.session !== false) {
    new SessionStore({ path: sessionFile, clock }).save({ accessToken: "day-token", userId: "AB1234" });
  }
  const out: string[] = [];
  const err: string[] = [];
  const run = (date: string) =>
    fetchCandlesCommand(
      { date, out: join(dir, "candles"), config },
      {
        clock,
        env: { KITE_API_KEY: "testkey" },
        out: (t) => out.push(t),
        err: (t) => err.push(t),
        sleep: async (ms) => clock.advance(ms),
      },
    );
  return { run, dir, out, err, sessionFile, clock };
}

test("fetch-candles for 2025-09-02 → index and universe candles of that day and 2025-09-01, one CSV per symbol-day", async () => {
  const { run, dir, out, err } = setup();
  const written = await run("2025-09-02");
  const names = readdirSync(join(dir, "candles")).sort();
  assert.deepEqual(names, [
    "SENSEX2591180500CE_2025-09-01.csv",
    "SENSEX2591180500CE_2025-09-02.csv",
    "SENSEX2591180500PE_2025-09-01.csv",
    "SENSEX2591180500PE_2025-09-02.csv",
    "SENSEX_2025-09-01.csv",
    "SENSEX_2025-09-02.csv",
  ]);
  assert.equal(written.length, 6);
  // The files read back as the candles Kite served, in the backtest format.
  const back = loadCandleDirectory(join(dir, "candles"), (m) => assert.fail(m));
  for (const date of ["2025-09-01", "2025-09-02"]) {
    for (const symbol of ["SENSEX", "SENSEX2591180500CE", "SENSEX2591180500PE"]) {
      assert.deepEqual(
        back.byDay.get(date)?.get(symbol)?.toCandles(),
        source.byDay.get(date)?.get(symbol)?.toCandles(),
        `${symbol} ${date}`,
      );
    }
  }
  const text = readFileSync(join(dir, "candles", "SENSEX_2025-09-02.csv"), "utf8");
  assert.match(text, /^timestamp,open,high,low,close,volume\n2025-09-02 09:15:00\+05:30,80520\.09,/);
  // The universe: spot = the index's 09:15 open, ATM ± 500 on the nearest expiry: 23 instruments asked for.
  assert.match(
    err.join(""),
    /spot 80520\.09, ATM 80500, expiry 2025-09-11, 22 contracts; previous trading day 2025-09-01/,
  );
  assert.equal(fake.count("GET /instruments/historical/:token/:interval"), 23);
  assert.match(out.join(""), /6 file\(s\) written/);
  assert.match(out.join(""), /wrote .*SENSEX_2025-09-01\.csv \(\d+ candles\)/);
});

test("fetch-candles without a session → a clear error asking for pivot login, nothing fetched", async () => {
  const { run } = setup({ session: false });
  await assert.rejects(
    run("2025-09-02"),
    (e: unknown) => e instanceof UserError && /run pivot login first/.test(e.message),
  );
  assert.equal(fake.requests.length, 0);
});

test("fetch-candles for a Saturday → an error naming the non-trading day", async () => {
  const { run } = setup();
  await assert.rejects(
    run("2025-09-06"),
    (e: unknown) => e instanceof UserError && /2025-09-06 is not a trading day/.test(e.message),
  );
});

test("fetch-candles when Kite rejects the token → an error asking for a new login, the session file removed", async () => {
  fake.route(
    "GET /instruments/historical/:token/:interval",
    kiteError(403, "TokenException", "Token expired"),
  );
  const { run, sessionFile } = setup();
  await assert.rejects(
    run("2025-09-02"),
    (e: unknown) => e instanceof UserError && /run pivot login/.test(e.message),
  );
  assert.equal(existsSync(sessionFile), false);
});
