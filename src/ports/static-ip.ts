import type { HealthCheck } from "./app.js";

/**
 * The static IP rule's comparison (KITE.md "Retail algo rules"), as the engine's guard uses it:
 * this host's public address against the registered ones, and the words that say how to fix a
 * refusal. ops/static-ip.ts `staticIpRule` implements it (the doctor uses the same).
 */
export interface StaticIpRule {
  /** Asks the address probe and compares; never rejects. `address`: what the probe answered. */
  check(
    publicAddress: () => Promise<string>,
    staticIps: readonly string[],
    live: boolean,
  ): Promise<{ check: HealthCheck; address: string | null }>;
  /** What to do about an address the broker refuses. */
  readonly fix: string;
}
