import assert from "node:assert/strict";
import {
  copyFileSync,
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
import { after, afterEach, before, beforeEach, test } from "node:test";
import { cacheFileName, loadInstrumentMaster } from "../../../src/adapters/kite/instrument-cache.js";
import { KiteRest } from "../../../src/adapters/kite/kite-rest.js";
import { RateLimiter } from "../../../src/adapters/kite/rate-limiter.js";
import { istEpochMs } from "../../../src/domain/ist.js";
import { ManualClock } from "../../../src/ports/clock.js";
import { BFO_MASTER_CSV, BSE_MASTER_CSV, FakeKite, kiteError } from "./fake-kite.js";

let fake: FakeKite;
const tmp = mkdtempSync(join(tmpdir(), "pivot-instruments-"));
before(async () => {
  fake = await FakeKite.start();
});
after(async () => {
  await fake.close();
  rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => fake.clearRequests());
afterEach(() => {
  // Back to the recorded dumps.
  fake.route("GET /instruments/:exchange", (req) => ({
    text: readFileSync(req.params.exchange === "BFO" ? BFO_MASTER_CSV : BSE_MASTER_CSV, "utf8"),
    contentType: "text/csv",
  }));
});

let n = 0;
function setup(date = "2025-09-04") {
  const clock = new ManualClock(istEpochMs(date, 8 * 60 + 45));
  const sleep = async (ms: number) => clock.advance(ms);
  const kite = new KiteRest({
    apiKey: "testkey",
    apiRoot: fake.url,
    timeoutMs: 1000,
    limiter: new RateLimiter({ clock, sleep }),
    sleep,
    retry: { maxAttempts: 2 },
  });
  const cacheDir = join(tmp, `case-${++n}`, "cache");
  const warnings: string[] = [];
  const load = () => loadInstrumentMaster({ kite, cacheDir, clock, warn: (m) => warnings.push(m) });
  return { load, cacheDir, warnings };
}

const DOWN = kiteError(503, "NetworkException", "Service unavailable");

test("loadInstrumentMaster with an empty cache → downloads BFO and BSE into files named by the IST date", async () => {
  const { load, cacheDir } = setup();
  const r = await load();
  assert.equal(r.ok, true);
  if (!r.ok) return;
  assert.equal(fake.count("GET /instruments/BFO"), 1);
  assert.equal(fake.count("GET /instruments/BSE"), 1);
  assert.deepEqual(readdirSync(cacheDir).sort(), [
    cacheFileName("BFO", "2025-09-04"),
    cacheFileName("BSE", "2025-09-04"),
  ]);
  assert.deepEqual(
    r.sources.map((s) => `${s.exchange} ${s.from} ${s.date}`),
    ["BFO download 2025-09-04", "BSE download 2025-09-04"],
  );
  assert.equal(r.master.find("SENSEX2591180500CE", "BFO")?.instrumentToken, 219952901);
  assert.equal(r.master.indexOf("SENSEX")?.instrumentToken, 265);
});

test("loadInstrumentMaster a second time the same day → today's cache, no download", async () => {
  const { load } = setup();
  assert.equal((await load()).ok, true);
  fake.clearRequests();
  const again = await load();
  assert.equal(again.ok, true);
  assert.equal(fake.requests.length, 0);
  assert.deepEqual(again.ok && again.sources.map((s) => s.from), ["cache", "cache"]);
});

test("loadInstrumentMaster when the download fails → the newest older cache, with a warning naming its date", async () => {
  const { load, cacheDir, warnings } = setup("2025-09-05");
  mkdirSync(cacheDir, { recursive: true });
  copyFileSync(BFO_MASTER_CSV, join(cacheDir, cacheFileName("BFO", "2025-09-01")));
  copyFileSync(BFO_MASTER_CSV, join(cacheDir, cacheFileName("BFO", "2025-09-03")));
  copyFileSync(BSE_MASTER_CSV, join(cacheDir, cacheFileName("BSE", "2025-09-03")));
  fake.route("GET /instruments/:exchange", DOWN);
  const r = await load();
  assert.equal(r.ok, true);
  assert.deepEqual(r.ok && r.sources.map((s) => `${s.exchange} ${s.from} ${s.date}`), [
    "BFO stale_cache 2025-09-03",
    "BSE stale_cache 2025-09-03",
  ]);
  assert.equal(warnings.length, 2);
  assert.match(
    warnings[0] as string,
    /BFO instrument master could not be downloaded \(Service unavailable\); using the cached master of 2025-09-03/,
  );
  assert.equal(existsSync(join(cacheDir, cacheFileName("BFO", "2025-09-05"))), false);
});

test("loadInstrumentMaster with no cache and no download → a typed failure", async () => {
  const { load } = setup();
  fake.route("GET /instruments/:exchange", DOWN);
  const r = await load();
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.exchange, "BFO");
  assert.equal(r.download?.kind, "server");
  assert.match(r.message, /holds no cached BFO master/);
});

test("loadInstrumentMaster when Kite answers something else than a master → not cached, the older cache used", async () => {
  const { load, cacheDir, warnings } = setup("2025-09-05");
  mkdirSync(cacheDir, { recursive: true });
  copyFileSync(BFO_MASTER_CSV, join(cacheDir, cacheFileName("BFO", "2025-09-04")));
  copyFileSync(BSE_MASTER_CSV, join(cacheDir, cacheFileName("BSE", "2025-09-04")));
  fake.route("GET /instruments/:exchange", {
    text: "<html>maintenance</html>",
    contentType: "text/csv; charset=utf-8",
  });
  const r = await load();
  assert.equal(r.ok, true);
  assert.deepEqual(r.ok && r.sources.map((s) => s.from), ["stale_cache", "stale_cache"]);
  assert.match(
    warnings[0] as string,
    /BFO instrument master is unreadable .*using the cached master of 2025-09-04/,
  );
  assert.equal(existsSync(join(cacheDir, cacheFileName("BFO", "2025-09-05"))), false);
});

test("loadInstrumentMaster with a corrupt cache file of today → warned, downloaded again", async () => {
  const { load, cacheDir, warnings } = setup();
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(join(cacheDir, cacheFileName("BFO", "2025-09-04")), "not,a,master\n");
  const r = await load();
  assert.equal(r.ok, true);
  assert.equal(fake.count("GET /instruments/BFO"), 1);
  assert.match(warnings.join("\n"), /unreadable.*ignored/);
});

test("loadInstrumentMaster over many days → only the newest few files per exchange are kept", async () => {
  const { load, cacheDir } = setup("2025-09-12");
  mkdirSync(cacheDir, { recursive: true });
  for (const day of ["01", "02", "03", "04", "05", "08", "09"]) {
    writeFileSync(join(cacheDir, cacheFileName("BFO", `2025-09-${day}`)), "old");
  }
  assert.equal((await load()).ok, true);
  const bfo = readdirSync(cacheDir)
    .filter((f) => f.includes("_BFO_"))
    .sort();
  assert.deepEqual(bfo, [
    cacheFileName("BFO", "2025-09-04"),
    cacheFileName("BFO", "2025-09-05"),
    cacheFileName("BFO", "2025-09-08"),
    cacheFileName("BFO", "2025-09-09"),
    cacheFileName("BFO", "2025-09-12"),
  ]);
});
