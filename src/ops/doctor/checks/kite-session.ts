import { readSessionFile } from "../../../adapters/kite/session-store.js";
import { type DoctorCheck, result } from "../check.js";

/** The day's Kite session: valid, and until when (it ends at about 06:00 IST each day). */
export const kiteSessionCheck: DoctorCheck = {
  name: "kite session",
  cost: "cheap",
  async run({ probes, settings }) {
    const warnings: string[] = [];
    const file = readSessionFile(settings.sessionFile, probes.clock.now(), (m) => warnings.push(m));
    const extra = warnings.length > 0 ? `; ${warnings.join("; ")}` : "";
    switch (file.state) {
      case "valid":
        return result(
          this.name,
          warnings.length > 0 ? "warning" : "ok",
          `valid until ${file.session.expiresAt} (user ${file.session.userId})${extra}`,
        );
      case "expired":
        return result(
          this.name,
          "warning",
          `expired at ${file.session.expiresAt}: log in (pivot login, or the dashboard)${extra}`,
        );
      case "missing":
        return result(
          this.name,
          "warning",
          `no session (${settings.sessionFile}): log in before 09:00 (pivot login, or the dashboard)`,
        );
      case "corrupt":
        return result(this.name, "warning", `${settings.sessionFile} ${file.why}: log in again`);
    }
  },
};
