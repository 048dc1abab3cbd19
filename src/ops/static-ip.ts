import type { HealthCheck } from "../ports/app.js";
import type { StaticIpRule } from "../ports/static-ip.js";
import { ipInList } from "./ip-address.js";

/*
 * Since 1 April 2026 Kite refuses order placement, modification and cancellation from an
 * address that is not registered for the account (KITE.md "Retail algo rules"). One
 * comparison, used by `pivot doctor` and by the service's 08:00 session check: this host's
 * public address against kite.static_ips.
 */

/** What to do about an address Kite will refuse (the same words everywhere). */
export const STATIC_IP_FIX =
  "register this server's fixed public address at developers.kite.trade (Profile, IP Whitelist) and list it in kite.static_ips; a dynamic address cannot trade: on AWS attach an Elastic IP (docs/DEPLOYMENT.md)";

export interface StaticIpFacts {
  /** This host's public address; null when it could not be learned. */
  address: string | null;
  /** Why the address is unknown (offline?), when it is. */
  addressError?: string;
  /** kite.static_ips. */
  staticIps: readonly string[];
  /** Live trading is configured (orders go to Kite). */
  live: boolean;
}

/** The comparison as a health check named "static_ip". */
export function staticIpVerdict(f: StaticIpFacts): HealthCheck {
  const name = "static ip";
  const registered = f.staticIps.length > 0 ? f.staticIps.join(", ") : "none";
  if (!f.live && f.staticIps.length === 0) {
    return { name, level: "ok", detail: "paper trading: no orders reach Kite, no static IP needed" };
  }
  if (f.address === null) {
    return {
      name,
      level: f.live ? "warning" : "skipped",
      detail: `this host's public address is unknown (${f.addressError ?? "no answer"}): cannot compare it with kite.static_ips (${registered})`,
    };
  }
  if (ipInList(f.address, f.staticIps)) {
    return { name, level: "ok", detail: `this host is ${f.address}, registered in kite.static_ips` };
  }
  const what =
    f.staticIps.length === 0
      ? `this host is ${f.address} and kite.static_ips is empty`
      : `this host is ${f.address}, not in kite.static_ips (${registered})`;
  return {
    name,
    level: f.live ? "critical" : "warning",
    detail: `${what}: Kite refuses orders from an unregistered address; ${STATIC_IP_FIX}`,
  };
}

/** Asks the address probe and compares; never rejects. `address`: what the probe answered. */
export async function checkStaticIp(
  publicAddress: () => Promise<string>,
  staticIps: readonly string[],
  live: boolean,
): Promise<{ check: HealthCheck; address: string | null }> {
  if (!live && staticIps.length === 0) {
    return { check: staticIpVerdict({ address: null, staticIps, live }), address: null };
  }
  let address: string;
  try {
    address = await publicAddress();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const addressError = err?.code ?? err?.message ?? String(e);
    return { check: staticIpVerdict({ address: null, addressError, staticIps, live }), address: null };
  }
  return { check: staticIpVerdict({ address, staticIps, live }), address };
}

/** The rule as the engine's StaticIpGuard takes it (ports/static-ip.ts). */
export const staticIpRule: StaticIpRule = { check: checkStaticIp, fix: STATIC_IP_FIX };
