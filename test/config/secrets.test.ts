import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { configLines } from "../../src/adapters/telegram/config-view.js";
import { defaultConfig, parseConfig } from "../../src/config/load.js";
import {
  isSecretPath,
  SECRET_CONFIG_PATHS,
  SECRET_KEY_NAME,
  secretValuesOf,
  valueAtPath,
} from "../../src/config/secrets.js";
import { fileHasSecrets } from "../../src/ops/doctor/settings.js";
import { coversEverySecret, filledSecrets, mustParse } from "../support/filled-config.js";

/** Every leaf path of an object ("server.api_token"). */
function leafPaths(o: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? leafPaths(v as Record<string, unknown>, `${prefix}${k}.`)
      : [`${prefix}${k}`],
  );
}

/** Keys whose names sound secret but whose values are not (a file's path). */
const NAMED_LIKE_SECRETS_BUT_NOT = new Set(["data.access_token_file"]);

test("every configuration key named like a token, secret, password or hash → in the secret list", () => {
  const named = leafPaths(defaultConfig() as unknown as Record<string, unknown>).filter(
    (p) => SECRET_KEY_NAME.test(p.split(".").at(-1) ?? "") && !NAMED_LIKE_SECRETS_BUT_NOT.has(p),
  );
  assert.ok(named.length >= 5, named.join(", "));
  for (const path of named) assert.ok(isSecretPath(path), `${path} is not in SECRET_CONFIG_PATHS`);
  for (const path of SECRET_CONFIG_PATHS)
    assert.notEqual(valueAtPath(defaultConfig(), path), undefined, `${path} is not a config key`);
});

test("Telegram /config of a config with every secret set → each secret shown as (set, hidden), no value", async () => {
  const config = mustParse(await filledSecrets());
  assert.ok(coversEverySecret(config));
  const text = configLines(config).join("\n");
  for (const secret of secretValuesOf(config))
    assert.ok(!text.includes(secret), `leaked: ${secret.slice(0, 12)}…`);
  assert.match(text, /\n {2}api_token: <code>\(set, hidden\)<\/code>/);
  assert.match(text, /\n {2}password_hash: <code>\(set, hidden\)<\/code>/);
  assert.match(text, /^api_secret: <code>\(set, hidden\)<\/code>$/m);
  // Not secrets: shown as they are.
  assert.match(text, /\n {2}session_hours: <code>12<\/code>/);
});

test("the config loader's messages about a bad secret → its kind, never its value", () => {
  const r = parseConfig({ server: { api_token: "short-secret-value", password_hash: "not-a-hash-value" } });
  assert.equal(r.ok, false);
  const text = r.ok ? "" : r.errors.join("\n");
  assert.ok(!text.includes("short-secret-value") && !text.includes("not-a-hash-value"), text);
  assert.match(text, /server\.api_token: /);
});

test("doctor's 'the file holds secrets' → true for any secret of the list in the file, false without", () => {
  const dir = mkdtempSync(join(tmpdir(), "secrets-"));
  const file = join(dir, "config.json");
  writeFileSync(file, JSON.stringify({ trading: { lots: 2 }, server: { api_token: "" } }));
  assert.equal(fileHasSecrets(file), false);
  for (const path of SECRET_CONFIG_PATHS) {
    const [a, b] = path.split(".") as [string, string | undefined];
    writeFileSync(file, JSON.stringify(b ? { [a]: { [b]: "x".repeat(30) } } : { [a]: "x".repeat(30) }));
    assert.equal(fileHasSecrets(file), true, path);
  }
});
