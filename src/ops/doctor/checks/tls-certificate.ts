import { X509Certificate } from "node:crypto";
import { isoIstSeconds } from "../../../adapters/kite/session-store.js";
import { type DoctorCheck, result, why } from "../check.js";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Under this many days: renew soon. */
export const CERT_WARN_DAYS = 14;
/** Under this many days: the site is about to stop working. */
export const CERT_CRITICAL_DAYS = 3;

/** Days left on the certificate nginx serves, read from the file itself (not certbot's opinion). */
export const tlsCertificateCheck: DoctorCheck = {
  name: "tls certificate",
  cost: "cheap",
  async run({ probes, settings }) {
    const file = settings.certFile;
    if (!file) return result(this.name, "skipped", "no domain here, so no certificate to check");
    let pem: Buffer;
    try {
      pem = await probes.fs.readFile(file);
    } catch (e) {
      const code = why(e);
      if (code === "EACCES" || code === "EPERM")
        return result(this.name, "warning", `cannot read ${file} (${code}): run as root (sudo pivot doctor)`);
      return result(
        this.name,
        "critical",
        `no certificate at ${file} (${code}): see certbot in docs/DEPLOYMENT.md`,
      );
    }
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch {
      return result(this.name, "critical", `${file} is not a PEM certificate`);
    }
    const until = Date.parse(cert.validTo);
    const now = probes.clock.now();
    const days = Math.floor((until - now) / DAY_MS);
    const when = isoIstSeconds(until);
    const names =
      settings.domain && cert.checkHost(settings.domain) === undefined
        ? `; it is not for ${settings.domain} (${cert.subjectAltName ?? cert.subject})`
        : "";
    if (until <= now) return result(this.name, "critical", `expired on ${when}: certbot renew${names}`);
    if (names) return result(this.name, "critical", `${days} days left${names}`);
    if (days < CERT_CRITICAL_DAYS)
      return result(this.name, "critical", `${days} days left (until ${when}): certbot renew now`);
    if (days < CERT_WARN_DAYS)
      return result(
        this.name,
        "warning",
        `${days} days left (until ${when}): renewal is due (certbot renew; is certbot.timer on?)`,
      );
    return result(this.name, "ok", `${days} days left (until ${when})`);
  },
};
