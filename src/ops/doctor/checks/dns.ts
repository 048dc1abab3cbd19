import { type DoctorCheck, result, why } from "../check.js";

/** Resolver answers meaning "cannot ask", not "the name is wrong". */
const OFFLINE = new Set([
  "ECONNREFUSED",
  "ETIMEOUT",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ESERVFAIL",
  "ENETUNREACH",
  "ECONNRESET",
]);

/** The domain resolves to this host's public address (No-IP keeps it up to date). */
export const dnsCheck: DoctorCheck = {
  name: "dns",
  cost: "slow",
  async run({ probes, settings }) {
    const domain = settings.domain;
    if (!domain) return result(this.name, "skipped", "no domain here");
    let addresses: string[];
    try {
      addresses = await probes.resolveDns(domain);
    } catch (e) {
      const code = why(e);
      if (OFFLINE.has(code))
        return result(this.name, "skipped", `cannot resolve ${domain} now (${code}): offline?`);
      return result(this.name, "critical", `${domain} does not resolve (${code}): check the DDNS record`);
    }
    let mine: string;
    try {
      mine = await probes.publicAddress();
    } catch (e) {
      return result(
        this.name,
        "skipped",
        `${domain} → ${addresses.join(", ")}; this host's public address is unknown (${why(e)}): offline?`,
      );
    }
    if (addresses.includes(mine)) return result(this.name, "ok", `${domain} → ${mine}, this host`);
    return result(
      this.name,
      "critical",
      `${domain} → ${addresses.join(", ")}, but this host is ${mine}: update the DDNS record (No-IP), or Kite's postbacks go elsewhere`,
    );
  },
};
