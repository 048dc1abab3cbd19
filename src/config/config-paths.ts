import { dirname, isAbsolute, resolve } from "node:path";
import type { Config } from "./schema.js";

/*
 * A relative path in config.json means "beside the configuration", wherever the command is
 * run from: `pivot start --config /opt/pivot/config.json` from a home folder, or systemd with
 * another working directory, must find the same database, logs and session. Without a file
 * (the demo, a backtest on defaults) paths stay relative to the working directory.
 */

/** Every key of the configuration that names a file or a folder, as `section.key`. */
export const CONFIG_PATH_KEYS = [
  "data.database_path",
  "data.paper_database_path",
  "data.log_dir",
  "data.cache_dir",
  "data.access_token_file",
  "data.archive_dir",
  "server.tls_cert_file",
] as const;

type PathKey = (typeof CONFIG_PATH_KEYS)[number];

/** The configuration with each relative path key (and default) resolved from `configFile`'s folder. */
export function resolveConfigPaths(config: Config, configFile: string): Config {
  const base = dirname(resolve(configFile));
  const out = { ...config, data: { ...config.data }, server: { ...config.server } };
  for (const key of CONFIG_PATH_KEYS) {
    const value = configPath(out, key);
    // "" means "none" (tls_cert_file); an absolute path is taken as written.
    if (value !== "" && !isAbsolute(value)) holderOf(out, key).set(resolve(base, value));
  }
  return out;
}

/** The value of a path key. */
export function configPath(config: Config, key: PathKey): string {
  return holderOf(config, key).get();
}

function holderOf(config: Config, key: PathKey): { get(): string; set(value: string): void } {
  const [section, name] = key.split(".") as ["data" | "server", string];
  const holder = config[section] as unknown as Record<string, string>;
  return { get: () => holder[name] as string, set: (value) => (holder[name] = value) };
}
