import assert from "node:assert/strict";
import { test } from "node:test";
import { checkCredentials } from "../../src/cli/commands/start.js";
import { defaultConfig, parseConfig } from "../../src/config/load.js";

const errorsOf = (raw: unknown): string[] => {
  const r = parseConfig(raw);
  return r.ok ? [] : r.errors;
};

test("live trading configured without kite.user_id → a validation error naming kite.user_id", () => {
  const errors = errorsOf({ trading: { paper_trading: false } });
  assert.equal(errors.length, 1);
  assert.match(errors[0] ?? "", /^kite\.user_id: .*client id/);
});

test("live trading with kite.user_id, and paper trading without it → valid", () => {
  assert.deepEqual(errorsOf({ trading: { paper_trading: false }, kite: { user_id: "AB1234" } }), []);
  assert.deepEqual(errorsOf({}), []);
  assert.equal(defaultConfig().kite.user_id, "");
});

test("pivot start --mode live over a paper configuration without kite.user_id → a clear error naming the key", () => {
  const config = { ...defaultConfig(), api_key: "k", api_secret: "s" };
  assert.throws(() => checkCredentials(config, "live"), /kite\.user_id/);
  assert.doesNotThrow(() => checkCredentials(config, "paper"));
  assert.doesNotThrow(() =>
    checkCredentials({ ...config, kite: { ...config.kite, user_id: "AB1234" } }, "live"),
  );
});

test("kite.static_ips → IPv4 and IPv6 addresses, at most two; anything else is named", () => {
  assert.deepEqual(errorsOf({ kite: { static_ips: ["203.0.113.7", "2001:db8::7"] } }), []);
  assert.match(
    errorsOf({ kite: { static_ips: ["my-ddns.example.net"] } })[0] ?? "",
    /^kite\.static_ips\.0: expected an IPv4 or IPv6 address/,
  );
  assert.equal(errorsOf({ kite: { static_ips: ["1.1.1.1", "1.1.1.2", "1.1.1.3"] } }).length, 1);
});

test("execution.algo_id → optional (empty by default), letters and digits accepted, spaces refused", () => {
  assert.equal(defaultConfig().execution.algo_id, "");
  assert.deepEqual(errorsOf({ execution: { algo_id: "ALGO-42" } }), []);
  assert.match(errorsOf({ execution: { algo_id: "two words" } })[0] ?? "", /^execution\.algo_id:/);
});
