import type { Config } from "../../config/schema.js";
import { esc } from "./html.js";

/**
 * Keys whose values never leave the process: only whether they are set is shown. The same
 * keys the config loader keeps out of its messages.
 */
export const SECRET_CONFIG_KEYS: ReadonlySet<string> = new Set(["api_key", "api_secret", "telegram_token"]);

/** The configuration as HTML lines, section by section, secrets masked (for /config). */
export function configLines(config: Config): string[] {
  const top: string[] = [];
  const sections: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      sections.push(`<b>${esc(key)}</b>`);
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        sections.push(`  ${esc(k)}: <code>${esc(show(k, v))}</code>`);
      }
    } else {
      top.push(`${esc(key)}: <code>${esc(show(key, value))}</code>`);
    }
  }
  return [...top, ...sections];
}

function show(key: string, value: unknown): string {
  if (SECRET_CONFIG_KEYS.has(key)) return value === "" ? "(not set)" : "(set, hidden)";
  if (value === "") return '""';
  return Array.isArray(value) ? (value.length === 0 ? "[]" : value.join(", ")) : String(value);
}
