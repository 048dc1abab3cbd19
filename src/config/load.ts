import { existsSync, readFileSync } from "node:fs";
import type { z } from "zod";
import { resolveConfigPaths } from "./config-paths.js";
import { type Config, configSchema, KNOWN_KEYS } from "./schema.js";
import { isSecretPath } from "./secrets.js";
import { nearestName } from "./suggest.js";

/** Where the configuration came from, and what it is. */
export type ConfigResult =
  | { ok: true; config: Config; source: string | null }
  | { ok: false; errors: string[]; source: string | null };

/** Environment variables that override secrets of the file. */
export const SECRET_ENV: ReadonlyArray<readonly [envName: string, key: keyof Config]> = [
  ["KITE_API_KEY", "api_key"],
  ["KITE_API_SECRET", "api_secret"],
  ["TELEGRAM_BOT_TOKEN", "telegram_token"],
  ["TELEGRAM_CHAT_ID", "telegram_chat_id"],
];

/** Environment variables that override secrets inside a section of the file. */
export const SECTION_SECRET_ENV: ReadonlyArray<readonly [envName: string, section: "server", key: string]> = [
  ["PIVOT_API_TOKEN", "server", "api_token"],
];

export const DEFAULT_CONFIG_PATH = "config.json";

export interface LoadConfigOptions {
  /** The file named by `--config`; when absent the default path is tried and may be missing. */
  path?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Loads and validates config.json; relative paths in it (and the path defaults) are resolved
 * from the file's folder. A missing default file means "all defaults"; a missing
 * file named explicitly, unreadable JSON or any schema problem is reported as errors (all of
 * them at once), never thrown.
 */
export function loadConfig(options: LoadConfigOptions = {}): ConfigResult {
  const explicit = options.path !== undefined;
  const path = options.path ?? DEFAULT_CONFIG_PATH;
  let raw: unknown = {};
  let source: string | null = null;
  if (existsSync(path)) {
    source = path;
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      return {
        ok: false,
        errors: [`${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? e})`],
        source,
      };
    }
    if (text.trim() === "")
      return { ok: false, errors: [`${path}: the file is empty (write {} for all defaults)`], source };
    try {
      raw = JSON.parse(text);
    } catch (e) {
      // V8's message quotes a piece of the text, which may be a secret: say only where.
      return { ok: false, errors: [`${path}: not valid JSON (${jsonErrorPlace(text, e as Error)})`], source };
    }
  } else if (explicit) {
    return {
      ok: false,
      errors: [`${path}: no such file (copy config.example.json to start one)`],
      source: null,
    };
  }
  const parsed = parseConfig(raw, options.env ?? {}, source);
  // Relative paths of a file are the file's: see config-paths.ts.
  return parsed.ok && source !== null
    ? { ...parsed, config: resolveConfigPaths(parsed.config, source) }
    : parsed;
}

/** Validates a parsed config object, applying the secret environment overrides. */
export function parseConfig(
  raw: unknown,
  env: Readonly<Record<string, string | undefined>> = {},
  source: string | null = null,
): ConfigResult {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return {
      ok: false,
      errors: [`${source ?? "config"}: expected a JSON object, found ${describe(raw)}`],
      source,
    };
  }
  const withEnv: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  for (const [name, key] of SECRET_ENV) {
    const value = env[name];
    if (value !== undefined && value !== "") withEnv[key] = value;
  }
  for (const [name, section, key] of SECTION_SECRET_ENV) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    const current = withEnv[section];
    // A section that is not an object is reported by the schema as it is; the override waits.
    if (current === undefined) withEnv[section] = { [key]: value };
    else if (typeof current === "object" && current !== null && !Array.isArray(current))
      withEnv[section] = { ...(current as Record<string, unknown>), [key]: value };
  }
  const result = configSchema.safeParse(withEnv);
  if (result.success) return { ok: true, config: result.data, source };
  return { ok: false, errors: result.error.issues.flatMap((i) => describeIssue(i, withEnv)), source };
}

/** The configuration with every default (what a backtest uses without a file). */
export function defaultConfig(): Config {
  return configSchema.parse({});
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string[] {
  const path = issue.path.map(String).join(".");
  const at = path === "" ? "config" : path;
  // A secret's value never reaches a message, only its type.
  const value = valueAt(input, issue.path);
  const found = isSecretPath(path) ? `${kindOf(value)} (value hidden)` : describe(value);
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => {
        const keyPath = path === "" ? key : `${path}.${key}`;
        const hint = nearestName(key, KNOWN_KEYS.get(path) ?? []);
        return `${keyPath}: unknown key${hint ? `; did you mean "${hint}"?` : ""}`;
      });
    case "invalid_type":
      return [`${at}: expected ${issue.expected}, found ${found}`];
    case "too_small":
      return [
        `${at}: expected ${bound(issue.origin, issue.inclusive ? ">=" : ">", issue.minimum)}, found ${found}`,
      ];
    case "too_big":
      return [
        `${at}: expected ${bound(issue.origin, issue.inclusive ? "<=" : "<", issue.maximum)}, found ${found}`,
      ];
    case "invalid_union":
      return [`${at}: expected a string or a whole number, found ${found}`];
    case "custom":
      return [
        `${at}: ${issue.message.startsWith("expected") && !issue.message.includes("found") ? `${issue.message}, found ${found}` : issue.message}`,
      ];
    default:
      return [`${at}: ${issue.message}, found ${found}`];
  }
}

function bound(origin: string, op: string, limit: unknown): string {
  if (origin === "array") return `at least ${limit} item(s)`;
  if (origin === "string") return `a string with length ${op} ${limit}`;
  return `a number ${op} ${limit}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** What sort of value it is, without the value: "a number", "an array", "null". */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return JSON.stringify(value);
}

/**
 * Where or what a JSON.parse error is, without the piece of text V8 quotes: the line and
 * column when the message gives a position, else the offending character alone.
 */
function jsonErrorPlace(text: string, error: Error): string {
  const at = /position (\d+)/.exec(error.message);
  if (at) {
    const before = text.slice(0, Number(at[1]));
    return `line ${before.split("\n").length}, column ${before.length - before.lastIndexOf("\n")}`;
  }
  if (/end of JSON input/.test(error.message)) return "it ends too early: a missing } or ]";
  const token = /Unexpected token '(.)'/.exec(error.message);
  return token
    ? `unexpected '${token[1]}': check the quotes around strings and the commas`
    : "unexpected text";
}
