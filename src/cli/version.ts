import { readFileSync } from "node:fs";

/** The package version, from the nearest package.json above this file (bundled or not). */
export function packageVersion(): string {
  for (let dir = new URL(".", import.meta.url); ; dir = new URL("..", dir)) {
    try {
      return (JSON.parse(readFileSync(new URL("package.json", dir), "utf8")) as { version: string }).version;
    } catch {
      if (dir.pathname === "/") return "unknown";
    }
  }
}
