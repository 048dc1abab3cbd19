import { parseConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { SECRET_CONFIG_PATHS } from "../../src/config/secrets.js";
import { hashPassword } from "../../src/web/password-hash.js";

/** The dashboard password of `filledSecrets` (cheap scrypt parameters: tests only). */
export const FILLED_PASSWORD = "correct horse battery staple";

/**
 * A value for every secret of the configuration, each one distinctive so that a leak is found by
 * a plain text search: the raw object to merge into a config file or `parseConfig`'s input.
 */
export async function filledSecrets(
  overrides: { api_key?: string; api_secret?: string; telegram_token?: string } = {},
): Promise<Record<string, unknown>> {
  return {
    api_key: overrides.api_key ?? "leakcheckapikey0001",
    api_secret: overrides.api_secret ?? "leakcheck-api-secret-0002",
    telegram_token: overrides.telegram_token ?? "123456:leakcheck-bot-token-0003",
    server: {
      api_token: "leakcheck-status-api-token-0004",
      password_hash: await hashPassword(FILLED_PASSWORD, { ln: 4, r: 8, p: 1 }),
    },
  };
}

/** Parses a raw config, failing loudly (tests build valid ones). */
export function mustParse(raw: Record<string, unknown>): Config {
  const parsed = parseConfig(raw);
  if (!parsed.ok) throw new Error(`test config invalid: ${parsed.errors.join("; ")}`);
  return parsed.config;
}

/** Every secret path is set in `raw` (so a leak test covers them all). */
export function coversEverySecret(config: Config): boolean {
  return SECRET_CONFIG_PATHS.every((p) => {
    let v: unknown = config;
    for (const k of p.split(".")) v = (v as Record<string, unknown>)[k];
    return typeof v === "string" && v !== "";
  });
}
