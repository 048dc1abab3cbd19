/*
 * The configuration's secrets, by full dotted path: the one list that the config loader (its
 * messages never quote them), the Telegram /config view, the logs' scrubber and `pivot doctor`
 * (does the file hold secrets?) read. A new secret key is added here and nowhere else; a test
 * fails when a key whose name says token, secret, password or hash is missing from the list.
 */

/** Every configuration value that never leaves the process, by its full path. */
export const SECRET_CONFIG_PATHS: readonly string[] = [
  // Not secret by Kite's design (it is in every login link), but it names the trader's app:
  // hidden from views and messages all the same.
  "api_key",
  "api_secret",
  "telegram_token",
  "server.api_token",
  "server.password_hash",
];

const SECRET_SET: ReadonlySet<string> = new Set(SECRET_CONFIG_PATHS);

/** Key names that say "this is a secret" (the test that guards the list reads it). */
export const SECRET_KEY_NAME = /token|secret|password|hash|api_key/i;

/** Whether the value at `path` ("server.api_token") is a secret. */
export function isSecretPath(path: string): boolean {
  return SECRET_SET.has(path);
}

/** The value at a dotted path of a parsed JSON object (undefined where there is none). */
export function valueAtPath(root: unknown, path: string): unknown {
  let v: unknown = root;
  for (const key of path.split(".")) {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** The secrets that are set (non-empty strings) in a configuration, raw or validated. */
export function secretValuesOf(config: unknown): string[] {
  return SECRET_CONFIG_PATHS.map((p) => valueAtPath(config, p)).filter(
    (v): v is string => typeof v === "string" && v !== "",
  );
}
