/** `pivot archive` against the simulator (replay day 2025-09-05; 2025-09-04 is served whole). */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { KiteRest } from "../../src/adapters/kite/kite-rest.js";
import { RateLimiter } from "../../src/adapters/kite/rate-limiter.js";
import { SessionStore } from "../../src/adapters/kite/session-store.js";
import { archivedDayCount } from "../../src/app/day-archive.js";
import { loadCandleDirectory } from "../../src/backtest/candle-directory.js";
import { archiveCommand } from "../../src/cli/commands/archive.js";
import { UserError } from "../../src/cli/user-error.js";
import { istEpochMs } from "../../src/domain/ist.js";
import { ManualClock, systemClock } from "../../src/ports/clock.js";
import { type RunningSimulator, startSimulator } from "../../src/sim/simulator.js";
import { REAL_CANDLES_DIR } from "../support/paths.js";
import { loginAtSim } from "../support/sim-login.js";

const DAY = "2025-09-04";
const tmp = mkdtempSync(join(tmpdir(), "pivot-archive-"));
const source = loadCandleDirectory(REAL_CANDLES_DIR, () => {});
let sim: RunningSimulator;
let accessToken: string;

before(async () => {
  sim = await startSimulator({
    port: 0,
    dataDir: REAL_CANDLES_DIR,
    date: "2025-09-05",
    startPaused: true,
    startTime: "09:00",
    rateLimits: false,
  });
  const rest = new KiteRest({
    apiKey: sim.apiKey,
    apiRoot: sim.url,
    timeoutMs: 5000,
    limiter: new RateLimiter({ clock: systemClock }),
  });
  accessToken = (await loginAtSim(sim, rest)).accessToken;
});

after(async () => {
  await sim?.close();
  rmSync(tmp, { recursive: true, force: true });
});

let n = 0;
/** A trader's folder: config.json (paths relative to it), a session unless `session` is false. */
function setup(options: { session?: boolean } = {}) {
  const dir = join(tmp, `case-${++n}`);
  mkdirSync(dir, { recursive: true });
  const clock = new ManualClock(istEpochMs("2025-09-05", 16 * 60));
  const config = join(dir, "config.json");
  writeFileSync(config, JSON.stringify({ kite: { api_root: sim.url } }));
  if (options.session !== false) {
    new SessionStore({ path: join(dir, "data", "access_token.json"), clock }).save({
      accessToken,
      userId: "AB1234",
    });
  }
  const out: string[] = [];
  const err: string[] = [];
  let slept = 0;
  const run = (date: string) =>
    archiveCommand(
      { date, config },
      {
        clock,
        env: { KITE_API_KEY: sim.apiKey },
        out: (t) => out.push(t),
        err: (t) => err.push(t),
        sleep: async (ms) => {
          slept += ms;
          clock.advance(ms);
        },
      },
    );
  return { run, dir, archive: join(dir, "data", "archive"), out, err, slept: () => slept };
}

/** Every file of the archive with its content and modification time. */
function snapshot(archive: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const sub of readdirSync(archive)) {
    for (const name of readdirSync(join(archive, sub))) {
      const path = join(archive, sub, name);
      files.set(`${sub}/${name}`, `${statSync(path).mtimeMs}:${readFileSync(path, "utf8")}`);
    }
  }
  return files;
}

test("archive 2025-09-04 → index and chain in 1- and 3-minute backtest CSVs, a manifest, 3 requests a second", async () => {
  const { run, archive, out, slept } = setup();
  const day = await run(DAY);
  assert.equal(day.already, false);
  assert.equal(day.expiry, "2025-09-11");
  // ATM ± 1000 around the open's and the close's ATM.
  assert.ok(day.strikes[1] - day.strikes[0] >= 2000, `${day.strikes}`);
  assert.equal(day.strikes[0] % 100, 0);

  const three = loadCandleDirectory(join(archive, "candles-3minute"), (m) => assert.fail(m));
  const one = loadCandleDirectory(join(archive, "candles-1minute"), (m) => assert.fail(m));
  assert.deepEqual([...three.byDay.keys()], [DAY]);
  const served = source.byDay.get(DAY);
  assert.ok(served);
  // Every symbol of the day the simulator holds is archived, each 3-minute file as it was served.
  for (const [symbol, series] of served) {
    assert.deepEqual(three.byDay.get(DAY)?.get(symbol)?.toCandles(), series.toCandles(), symbol);
    assert.ok((one.byDay.get(DAY)?.get(symbol)?.length ?? 0) > series.length, `${symbol} 1-minute`);
  }
  const manifest = JSON.parse(readFileSync(join(archive, "days", `${DAY}.json`), "utf8"));
  assert.equal(manifest.date, DAY);
  assert.equal(
    manifest.contracts.length,
    ((day.strikes[1] - day.strikes[0]) / 100 + 1) * 2 - day.missing.length,
  );
  assert.equal(archivedDayCount(archive), 1);
  // Kite's historical limit (3 a second) was kept: 2 requests of the index, 2 of each contract.
  const requests = 2 + 2 * manifest.contracts.length;
  assert.ok(slept() >= Math.floor((requests - 1) / 3) * 1000 - 1000, `slept ${slept()} ms for ${requests}`);
  assert.match(out.join(""), /2025-09-04 archived in .*data\/archive: \d+ file\(s\) written/);
});

test("archive of a day already archived → nothing fetched, nothing changed", async () => {
  const { run, archive, out, slept } = setup();
  await run(DAY);
  const before = snapshot(archive);
  const sleptBefore = slept();
  const again = await run(DAY);
  assert.equal(again.already, true);
  assert.deepEqual(snapshot(archive), before);
  assert.equal(slept(), sleptBefore, "no request waited for the rate limit");
  assert.match(out.join(""), /2025-09-04 is already archived/);
});

test("archive after a partial run → only the missing files fetched, the day completed", async () => {
  const { run, archive } = setup();
  const first = await run(DAY);
  const lost = first.written.find((p) => p.includes("candles-1minute") && p.includes("CE_"));
  assert.ok(lost);
  const manifest = join(archive, "days", `${DAY}.json`);
  const content = readFileSync(lost, "utf8");
  rmSync(lost);
  rmSync(manifest); // as if the first run had stopped before its end
  assert.equal(archivedDayCount(archive), 0);
  const second = await run(DAY);
  assert.deepEqual(second.written, [lost]);
  assert.equal(second.kept, first.written.length - 1);
  assert.equal(readFileSync(lost, "utf8"), content);
  assert.equal(archivedDayCount(archive), 1);
});

test("archive of a weekend, a future day or a malformed date → refused with a clear message", async () => {
  const { run, archive } = setup();
  await assert.rejects(
    run("2025-09-06"),
    (e) => e instanceof UserError && /not a trading day/.test(e.message),
  );
  await assert.rejects(run("2025-09-08"), (e) => e instanceof UserError && /in the future/.test(e.message));
  await assert.rejects(
    run("2025-9-4"),
    (e) => e instanceof UserError && /expected a date YYYY-MM-DD/.test(e.message),
  );
  assert.equal(archivedDayCount(archive), 0);
});

test("archive without a Kite session → a clear message to log in, nothing written", async () => {
  const { run, archive } = setup({ session: false });
  await assert.rejects(
    run(DAY),
    (e) => e instanceof UserError && /no valid Kite session .* run pivot login/.test(e.message),
  );
  assert.equal(archivedDayCount(archive), 0);
});
