import { isIP } from "node:net";

/*
 * Addresses compared as Kite compares them: one spelling per address. An IPv4 address seen on
 * a dual-stack socket (`::ffff:203.0.113.7`) is the IPv4 address; IPv6 is compared in its
 * canonical lower-case, zero-compressed form.
 */

/** The canonical spelling of an IP address; the input unchanged when it is not one. */
export function canonicalIp(address: string): string {
  const trimmed = address.trim();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(trimmed);
  if (mapped?.[1]) return mapped[1];
  if (isIP(trimmed) !== 6) return trimmed;
  try {
    // The URL parser writes IPv6 hosts in their canonical form.
    return new URL(`http://[${trimmed}]/`).hostname.slice(1, -1);
  } catch {
    return trimmed.toLowerCase();
  }
}

/** True when `address` is one of `list` (each spelled any valid way). */
export function ipInList(address: string, list: readonly string[]): boolean {
  const mine = canonicalIp(address);
  return list.some((a) => canonicalIp(a) === mine);
}
