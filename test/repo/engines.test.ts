import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../support/paths.js";

/*
 * README promises Node.js 20: every installed package must accept it, or `npm install` warns
 * EBADENGINE (cookie 2 wants Node 22). The ranges npm packages write are simple; this reads
 * the forms found in the lock file (>=, >, <, <=, ^, ~, X.x, X.*, *, joined by spaces and ||).
 */

type Version = [number, number, number];

function parse(text: string): Version {
  const [a, b, c] = text
    .replace(/^v/, "")
    .split(".")
    .map((p) => (/^\d+$/.test(p) ? Number(p) : 0));
  return [a ?? 0, b ?? 0, c ?? 0];
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

function satisfiesComparator(v: Version, comparator: string): boolean {
  const m = /^(>=|<=|>|<|\^|~|=)?\s*(.+)$/.exec(comparator.trim());
  if (!m) return false;
  const [, op = "=", target = ""] = m;
  if (target === "*" || target === "x") return true;
  const wild = /[x*]/.test(target) || target.split(".").length < 3;
  const t = parse(target);
  if (op === "=" && wild) {
    const parts = target.split(".").filter((p) => /^\d+$/.test(p)).length;
    return v.slice(0, parts).every((n, i) => n === t[i]);
  }
  const c = compare(v, t);
  switch (op) {
    case ">=":
      return c >= 0;
    case ">":
      return c > 0;
    case "<=":
      return c <= 0;
    case "<":
      return c < 0;
    case "^":
      return c >= 0 && v[0] === t[0];
    case "~":
      return c >= 0 && v[0] === t[0] && v[1] === t[1];
    default:
      return c === 0;
  }
}

function satisfies(version: string, range: string): boolean {
  const v = parse(version);
  return range.split("||").some((alternative) =>
    alternative
      .trim()
      .replace(/(>=|<=|>|<|\^|~)\s+/g, "$1")
      .split(/\s+/)
      .every((comparator) => satisfiesComparator(v, comparator)),
  );
}

test("satisfies → the range forms of the lock file", () => {
  assert.equal(satisfies("20.0.0", ">=22"), false);
  assert.equal(satisfies("20.0.0", ">= 10.13"), true);
  assert.equal(satisfies("20.0.0", "20.x || 22.x || 23.x"), true);
  assert.equal(satisfies("20.0.0", "^12.20.0 || >=14.13.1"), true);
  assert.equal(satisfies("20.0.0", "6.* || 8.* || >= 10.*"), true);
  assert.equal(satisfies("20.0.0", "^8.16.0 || ^10.6.0"), false);
});

test("every package of the lock file → accepts Node.js 20.0.0 and the running Node (no EBADENGINE on install)", () => {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
  };
  const refusing = Object.entries(lock.packages)
    .map(([path, p]) => ({ path, node: Array.isArray(p.engines) ? undefined : p.engines?.node }))
    .filter((p): p is { path: string; node: string } => typeof p.node === "string")
    .filter((p) => !satisfies("20.0.0", p.node) || !satisfies(process.versions.node, p.node))
    .map((p) => `${p.path} (node ${p.node})`);
  assert.deepEqual(refusing, []);
});
