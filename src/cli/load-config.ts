import { loadConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { UserError } from "./user-error.js";

/** Loads the configuration for a command, turning every problem into one UserError listing them all. */
export function configForCommand(path: string | undefined, env: NodeJS.ProcessEnv = process.env): Config {
  const result = loadConfig({ ...(path !== undefined ? { path } : {}), env });
  if (result.ok) return result.config;
  const where = result.source ?? path ?? "config.json";
  const list = result.errors.map((e) => `  - ${e}`).join("\n");
  throw new UserError(`${where} has ${result.errors.length} problem(s):\n${list}`);
}
