import type { Config } from "../../config/schema.js";
import { isSecretPath } from "../../config/secrets.js";
import { esc } from "./html.js";

/** The configuration as HTML lines, section by section, secrets masked (for /config). */
export function configLines(config: Config): string[] {
  const top: string[] = [];
  const sections: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      sections.push(`<b>${esc(key)}</b>`);
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        sections.push(`  ${esc(k)}: <code>${esc(show(`${key}.${k}`, v))}</code>`);
      }
    } else {
      top.push(`${esc(key)}: <code>${esc(show(key, value))}</code>`);
    }
  }
  return [...top, ...sections];
}

/** A value as shown; a secret (by its full path, see config/secrets.ts) only says whether it is set. */
function show(path: string, value: unknown): string {
  if (isSecretPath(path)) return value === "" ? "(not set)" : "(set, hidden)";
  if (value === "") return '""';
  return Array.isArray(value) ? (value.length === 0 ? "[]" : value.join(", ")) : String(value);
}
