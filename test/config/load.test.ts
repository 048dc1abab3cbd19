import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { CONFIG_PATH_KEYS, configPath } from "../../src/config/config-paths.js";
import {
  type ConfigResult,
  defaultConfig,
  loadConfig,
  parseConfig,
  SECRET_ENV,
} from "../../src/config/load.js";
import { type Config, KNOWN_KEYS } from "../../src/config/schema.js";

const dir = mkdtempSync(join(tmpdir(), "config-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function file(text: string): string {
  const path = join(dir, `config-${++fileCount}.json`);
  writeFileSync(path, text);
  return path;
}

function ok(r: ConfigResult): Config {
  if (!r.ok) assert.fail(`expected a valid config, found errors:\n${r.errors.join("\n")}`);
  return r.config;
}

function errors(r: ConfigResult): string[] {
  if (r.ok) assert.fail("expected errors, found a valid config");
  return r.errors;
}

test("defaultConfig → the defaults of STRATEGY.md", () => {
  const c = defaultConfig();
  assert.deepEqual(c.trading, {
    instrument: "SENSEX",
    strike_interval: 100,
    strike_range: 500,
    candle_size_percentile: 75,
    max_candles_timeout: 10,
    max_re_entries: 1,
    lot_size: 20,
    lots: 1,
    paper_trading: true,
    candle_interval_minutes: 3,
    structure_neutral_band: 5,
  });
  assert.deepEqual(c.risk_management, {
    max_daily_loss: 25_000,
    max_trades_per_day: 3,
    disaster_stop_pct: 10,
    flatten_unexplained: true,
  });
  assert.deepEqual(c.market, {
    start_time: "09:15",
    end_time: "15:30",
    eod_exit_time: "15:15",
    holidays: [],
  });
  assert.deepEqual(c.charges, {
    brokerage_per_order: 20,
    stt_sell_pct: 0.1,
    exchange_pct: 0.0325,
    sebi_per_crore: 10,
    gst_pct: 18,
    stamp_buy_pct: 0.003,
  });
  assert.equal(c.api_key, "");
  assert.equal(c.api_secret, "");
  assert.equal(c.telegram_token, "");
  assert.equal(c.telegram_chat_id, "");
  assert.equal(c.auth.callback_port, 8001);
  assert.ok(Object.values(c.notifications).every((v) => v === true));
});

test("parseConfig of {} → the same as defaultConfig", () => {
  assert.deepEqual(ok(parseConfig({})), defaultConfig());
});

test("defaultConfig twice → independent objects (holidays not shared)", () => {
  const a = defaultConfig();
  a.market.holidays.push("2025-09-03");
  assert.deepEqual(defaultConfig().market.holidays, []);
});

test("loadConfig of a partial file → valid, given keys set, the rest defaulted, source the path", () => {
  const path = file(JSON.stringify({ trading: { lots: 2 }, market: { holidays: ["2025-09-03"] } }));
  const r = loadConfig({ path });
  const c = ok(r);
  assert.equal(r.source, path);
  assert.equal(c.trading.lots, 2);
  assert.equal(c.trading.strike_range, 500);
  assert.equal(c.trading.candle_size_percentile, 75);
  assert.deepEqual(c.market.holidays, ["2025-09-03"]);
  assert.equal(c.market.eod_exit_time, "15:15");
  assert.deepEqual(c.charges, defaultConfig().charges);
});

test("parseConfig of a section given as {} → that section's defaults", () => {
  const c = ok(parseConfig({ trading: {}, notifications: {} }));
  assert.deepEqual(c.trading, defaultConfig().trading);
});

test("parseConfig with several problems → all reported at once, each with path, expected and found", () => {
  const errs = errors(
    parseConfig({
      trading: { lots: 0, candle_size_percentile: 150, paper_trading: "yes" },
      risk_management: { max_daily_loss: -5 },
      market: { holidays: ["2025-02-30"] },
      auth: { callback_port: 70000 },
    }),
  );
  assert.deepEqual([...errs].sort(), [
    "auth.callback_port: expected a number <= 65535, found 70000",
    'market.holidays.0: expected a date YYYY-MM-DD, found "2025-02-30"',
    "risk_management.max_daily_loss: expected a number > 0, found -5",
    "trading.candle_size_percentile: expected a number <= 100, found 150",
    "trading.lots: expected a number >= 1, found 0",
    'trading.paper_trading: expected boolean, found "yes"',
  ]);
});

test("parseConfig with wrong types → expected type and found value", () => {
  assert.deepEqual(errors(parseConfig({ trading: "x" })), ['trading: expected object, found "x"']);
  assert.deepEqual(errors(parseConfig({ trading: { lots: 1.5 } })), [
    "trading.lots: expected int, found 1.5",
  ]);
  assert.deepEqual(errors(parseConfig({ market: { holidays: "2025-01-01" } })), [
    'market.holidays: expected array, found "2025-01-01"',
  ]);
  assert.deepEqual(errors(parseConfig({ trading: { instrument: "" } })), [
    'trading.instrument: expected a string with length >= 1, found ""',
  ]);
  assert.deepEqual(errors(parseConfig({ risk_management: { disaster_stop_pct: 100 } })), [
    "risk_management.disaster_stop_pct: expected a number < 100, found 100",
  ]);
  assert.deepEqual(errors(parseConfig({ trading: { strike_interval: 0 } })), [
    "trading.strike_interval: expected a number > 0, found 0",
  ]);
});

test("parseConfig of a non-object → one error naming what was found", () => {
  assert.deepEqual(errors(parseConfig([])), ["config: expected a JSON object, found an array"]);
  assert.deepEqual(errors(parseConfig(null)), ["config: expected a JSON object, found null"]);
  assert.deepEqual(errors(parseConfig(42)), ["config: expected a JSON object, found 42"]);
  assert.deepEqual(errors(parseConfig("x", {}, "my.json")), ['my.json: expected a JSON object, found "x"']);
});

test("parseConfig with an unknown key near a known one → suggests it", () => {
  assert.deepEqual(errors(parseConfig({ trading: { candle_size_percentil: 80 } })), [
    'trading.candle_size_percentil: unknown key; did you mean "candle_size_percentile"?',
  ]);
  assert.deepEqual(errors(parseConfig({ tradng: {} })), ['tradng: unknown key; did you mean "trading"?']);
  assert.deepEqual(errors(parseConfig({ market: { holiday: [] } })), [
    'market.holiday: unknown key; did you mean "holidays"?',
  ]);
});

test("parseConfig with an unknown key far from every known one → no suggestion", () => {
  assert.deepEqual(errors(parseConfig({ trading: { foo: 1 } })), ["trading.foo: unknown key"]);
  assert.deepEqual(errors(parseConfig({ bogus_section: {} })), ["bogus_section: unknown key"]);
});

test("parseConfig with wrong-typed secrets → type named, value never echoed", () => {
  const errs = errors(
    parseConfig({ api_key: 123456789, api_secret: ["S3CRET-XYZ"], telegram_token: { token: "T0KEN-ABC" } }),
  );
  assert.equal(errs.length, 3);
  for (const key of ["api_key", "api_secret", "telegram_token"]) {
    const e = errs.find((m) => m.startsWith(`${key}: `));
    assert.ok(e, `no error for ${key}`);
    assert.match(e, /expected string, found an? \w+ \(value hidden\)$/);
  }
  const all = errs.join("\n");
  for (const secret of ["123456789", "S3CRET", "T0KEN"])
    assert.ok(!all.includes(secret), `${secret} leaked: ${all}`);
  assert.deepEqual(errors(parseConfig({ api_key: true })), [
    "api_key: expected string, found a boolean (value hidden)",
  ]);
});

test("loadConfig of a file with wrong-typed secrets → value never echoed", () => {
  const path = file('{"api_key": 987654321, "telegram_token": 555444333}');
  const all = errors(loadConfig({ path })).join("\n");
  assert.ok(!all.includes("987654321") && !all.includes("555444333"), all);
  assert.match(all, /api_key: .*value hidden/);
});

test("loadConfig of invalid JSON with an unquoted secret → the secret not echoed", () => {
  const path = file('{"api_key": kite_SECRET_abc123}');
  const errs = errors(loadConfig({ path }));
  assert.ok(!errs.join("\n").includes("SECRE"), errs.join("\n"));
});

test("parseConfig with the four secret env vars → they override the file", () => {
  assert.deepEqual(
    SECRET_ENV.map(([env]) => env),
    ["KITE_API_KEY", "KITE_API_SECRET", "TELEGRAM_BOT_TOKEN", "TELEGRAM_CHAT_ID"],
  );
  const c = ok(
    parseConfig(
      { api_key: "file-key", api_secret: "file-secret", telegram_token: "file-token", telegram_chat_id: 1 },
      {
        KITE_API_KEY: "env-key",
        KITE_API_SECRET: "env-secret",
        TELEGRAM_BOT_TOKEN: "env-token",
        TELEGRAM_CHAT_ID: "-1001234",
      },
    ),
  );
  assert.equal(c.api_key, "env-key");
  assert.equal(c.api_secret, "env-secret");
  assert.equal(c.telegram_token, "env-token");
  assert.equal(c.telegram_chat_id, "-1001234");
});

test("parseConfig with an empty or absent env var → the file's value stays", () => {
  const c = ok(
    parseConfig({ api_key: "file-key", api_secret: "s" }, { KITE_API_KEY: "", KITE_API_SECRET: undefined }),
  );
  assert.equal(c.api_key, "file-key");
  assert.equal(c.api_secret, "s");
});

test("parseConfig with an env secret over a wrong-typed file value → valid", () => {
  const c = ok(parseConfig({ api_key: 12345 }, { KITE_API_KEY: "env-key" }));
  assert.equal(c.api_key, "env-key");
});

test("loadConfig with env → overrides applied to the file", () => {
  const path = file(JSON.stringify({ api_key: "file-key" }));
  const c = ok(loadConfig({ path, env: { KITE_API_KEY: "env-key", TELEGRAM_CHAT_ID: "42" } }));
  assert.equal(c.api_key, "env-key");
  assert.equal(c.telegram_chat_id, "42");
});

test("loadConfig without env → process.env is not read", () => {
  const saved = process.env.KITE_API_KEY;
  process.env.KITE_API_KEY = "from-process-env";
  try {
    const path = file("{}");
    assert.equal(ok(loadConfig({ path })).api_key, "");
  } finally {
    if (saved === undefined) delete process.env.KITE_API_KEY;
    else process.env.KITE_API_KEY = saved;
  }
});

test("loadConfig of invalid JSON → one error naming the file, line and column", () => {
  // The '}' after the trailing comma is the 24th character of line 1.
  const path = file('{"trading": {"lots": 1,}}');
  const r = loadConfig({ path });
  assert.deepEqual(errors(r), [`${path}: not valid JSON (line 1, column 24)`]);
  assert.equal(r.source, path);
  // On line 3: two spaces + `"trading": {"lots": 1,` put the '}' in column 25.
  const multi = file('{\n  "api_key": "x",\n  "trading": {"lots": 1,}\n}');
  assert.deepEqual(errors(loadConfig({ path: multi })), [`${multi}: not valid JSON (line 3, column 25)`]);
});

test("loadConfig of a truncated file → not valid JSON, naming the file", () => {
  const path = file('{"trading": {"lots": 1}');
  // Node 20 reports the position here ("… at position 23"): the message gives the line and column.
  assert.deepEqual(errors(loadConfig({ path })), [`${path}: not valid JSON (line 1, column 24)`]);
});

test("loadConfig of an empty file → says it is empty and how to ask for all defaults", () => {
  const path = file(" \n");
  assert.deepEqual(errors(loadConfig({ path })), [`${path}: the file is empty (write {} for all defaults)`]);
});

test("loadConfig of invalid JSON with a quoted secret → the secret not echoed", () => {
  const path = file('{"api_key": "kite_SECRET_abc123" "api_secret": "TOPSECRET999"}');
  const all = errors(loadConfig({ path })).join("\n");
  assert.ok(!all.includes("SECRET") && !all.includes("TOPSECRET"), all);
});

test("loadConfig of a JSON array file → expected a JSON object, naming the file", () => {
  const path = file("[1, 2]");
  assert.deepEqual(errors(loadConfig({ path })), [`${path}: expected a JSON object, found an array`]);
});

test("loadConfig of a missing explicit file → an error, source null", () => {
  const path = join(dir, "does-not-exist.json");
  const r = loadConfig({ path });
  assert.deepEqual(errors(r), [`${path}: no such file (copy config.example.json to start one)`]);
  assert.equal(r.source, null);
});

test("loadConfig of a directory → 'cannot be read', not a throw", () => {
  const errs = errors(loadConfig({ path: dir }));
  assert.equal(errs.length, 1);
  assert.match(errs[0] ?? "", /cannot be read \(EISDIR\)/);
});

test("loadConfig with no path and no config.json in the working directory → all defaults, source null", () => {
  const empty = mkdtempSync(join(dir, "cwd-"));
  const saved = process.cwd();
  process.chdir(empty);
  try {
    const r = loadConfig();
    assert.deepEqual(ok(r), defaultConfig());
    assert.equal(r.source, null);
  } finally {
    process.chdir(saved);
  }
});

test("loadConfig with no path and a config.json in the working directory → that file", () => {
  const cwd = mkdtempSync(join(dir, "cwd-"));
  writeFileSync(join(cwd, "config.json"), JSON.stringify({ trading: { lots: 3 } }));
  const saved = process.cwd();
  process.chdir(cwd);
  try {
    const r = loadConfig({});
    assert.equal(ok(r).trading.lots, 3);
    assert.equal(r.source, "config.json");
  } finally {
    process.chdir(saved);
  }
});

test("parseConfig with eod_exit_time after end_time → market order error", () => {
  assert.deepEqual(errors(parseConfig({ market: { eod_exit_time: "15:45" } })), [
    "market.eod_exit_time: expected start_time < eod_exit_time <= end_time, found 09:15 / 15:45 / 15:30",
  ]);
});

test("parseConfig with eod_exit_time at the start or before it → error; equal to end_time → valid", () => {
  assert.equal(errors(parseConfig({ market: { eod_exit_time: "09:15" } })).length, 1);
  assert.equal(errors(parseConfig({ market: { start_time: "15:20" } })).length, 1);
  assert.equal(ok(parseConfig({ market: { eod_exit_time: "15:30" } })).market.eod_exit_time, "15:30");
  assert.equal(
    ok(parseConfig({ market: { start_time: "09:00", end_time: "16:00" } })).market.end_time,
    "16:00",
  );
});

test("parseConfig with a malformed market time alongside a type error → the time reported, no throw", () => {
  const errs = errors(parseConfig({ market: { start_time: "9:75" }, api_key: 1 }));
  assert.ok(
    errs.includes('market.start_time: expected a time HH:MM (IST, 24-hour), found "9:75"'),
    errs.join("\n"),
  );
});

test("parseConfig with only a malformed market time → an error, never a throw", () => {
  for (const market of [{ start_time: "25:00" }, { end_time: "x" }, { eod_exit_time: "15.15" }]) {
    const r = parseConfig({ market });
    assert.equal(r.ok, false);
    const [key, value] = Object.entries(market)[0] as [string, string];
    assert.deepEqual(errors(r), [`market.${key}: expected a time HH:MM (IST, 24-hour), found "${value}"`]);
  }
});

test("parseConfig with strike_range not a multiple of strike_interval → error naming both", () => {
  assert.deepEqual(errors(parseConfig({ trading: { strike_range: 250 } })), [
    "trading.strike_range: expected a multiple of trading.strike_interval (100), found 250",
  ]);
  assert.deepEqual(errors(parseConfig({ trading: { strike_range: 500, strike_interval: 200 } })), [
    "trading.strike_range: expected a multiple of trading.strike_interval (200), found 500",
  ]);
});

test("parseConfig with strike_range a multiple (incl. 0 and decimal intervals) → valid", () => {
  assert.equal(ok(parseConfig({ trading: { strike_range: 1000 } })).trading.strike_range, 1000);
  assert.equal(ok(parseConfig({ trading: { strike_range: 0 } })).trading.strike_range, 0);
  assert.equal(
    ok(parseConfig({ trading: { strike_range: 150, strike_interval: 50 } })).trading.strike_interval,
    50,
  );
  // 0.3 / 0.1 = 2.9999999999999996 in floating point: accepted as 3.
  assert.equal(
    ok(parseConfig({ trading: { strike_range: 0.3, strike_interval: 0.1 } })).trading.strike_range,
    0.3,
  );
});

test("parseConfig with both cross-field problems → both reported", () => {
  const errs = errors(parseConfig({ trading: { strike_range: 250 }, market: { eod_exit_time: "15:45" } }));
  assert.equal(errs.length, 2);
  assert.ok(errs.some((e) => e.startsWith("trading.strike_range: ")));
  assert.ok(errs.some((e) => e.startsWith("market.eod_exit_time: ")));
});

test("parseConfig with a cross-field problem and a type error → both reported at once", () => {
  const errs = errors(parseConfig({ trading: { strike_range: 250 }, api_key: 5 }));
  assert.equal(errs.length, 2, errs.join("\n"));
});

test("parseConfig with telegram_chat_id as a number → the string of it", () => {
  assert.equal(ok(parseConfig({ telegram_chat_id: 123456789 })).telegram_chat_id, "123456789");
  assert.equal(ok(parseConfig({ telegram_chat_id: -1001234567890 })).telegram_chat_id, "-1001234567890");
  assert.equal(ok(parseConfig({ telegram_chat_id: "@channel" })).telegram_chat_id, "@channel");
});

test("parseConfig with telegram_chat_id neither string nor whole number → error", () => {
  assert.deepEqual(errors(parseConfig({ telegram_chat_id: 1.5 })), [
    "telegram_chat_id: expected a string or a whole number, found 1.5",
  ]);
  assert.deepEqual(errors(parseConfig({ telegram_chat_id: true })), [
    "telegram_chat_id: expected a string or a whole number, found true",
  ]);
});

test("parseConfig with a secret of the wrong kind → names the kind, never the value", () => {
  const r = parseConfig({ api_key: ["k1"], api_secret: { s: "x" }, telegram_token: null });
  assert.deepEqual(errors(r).sort(), [
    "api_key: expected string, found an array (value hidden)",
    "api_secret: expected string, found an object (value hidden)",
    "telegram_token: expected string, found null (value hidden)",
  ]);
});

test("loadConfig of a file elsewhere → every relative path key (and path default) resolved from the file's folder, absolute ones kept", () => {
  const folder = mkdtempSync(join(dir, "elsewhere-"));
  const path = join(folder, "config.json");
  writeFileSync(
    path,
    JSON.stringify({
      data: { database_path: "db/trading.db", log_dir: "/var/log/pivot" },
      server: { tls_cert_file: "certs/fullchain.pem" },
    }),
  );
  const c = ok(loadConfig({ path }));
  assert.equal(c.data.database_path, join(folder, "db/trading.db"));
  assert.equal(c.data.log_dir, "/var/log/pivot");
  assert.equal(c.server.tls_cert_file, join(folder, "certs/fullchain.pem"));
  // The defaults a file leaves out are beside it too.
  assert.equal(c.data.paper_database_path, join(folder, "data/paper-trading.db"));
  assert.equal(c.data.cache_dir, join(folder, "data/cache"));
  assert.equal(c.data.access_token_file, join(folder, "data/access_token.json"));
  for (const key of CONFIG_PATH_KEYS) {
    const value = configPath(c, key);
    assert.ok(value === "" || value.startsWith("/"), `${key}: ${value}`);
  }
  // An empty tls_cert_file means "none", not the folder.
  assert.equal(configPath(ok(loadConfig({ path: file("{}") })), "server.tls_cert_file"), "");
});

test("CONFIG_PATH_KEYS → every key of the schema that names a file or folder", () => {
  const pathLike = [...KNOWN_KEYS]
    .flatMap(([section, keys]) => keys.map((k) => (section === "" ? k : `${section}.${k}`)))
    .filter((k) => /(_path|_file|_dir)$/.test(k));
  assert.deepEqual([...pathLike].sort(), [...CONFIG_PATH_KEYS].sort());
});

test("parseConfig (no file: the demo, a backtest on defaults) → paths stay relative to the working directory", () => {
  assert.equal(ok(parseConfig({})).data.database_path, "data/trading.db");
});
