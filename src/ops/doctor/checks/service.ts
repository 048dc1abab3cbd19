import { type DoctorCheck, result } from "../check.js";

/** The systemd unit is active (skipped on a host without systemd, e.g. a container). */
export const serviceCheck: DoctorCheck = {
  name: "service",
  cost: "slow",
  async run({ probes, settings }) {
    const unit = settings.serviceName;
    if (!(await probes.fs.exists("/run/systemd/system")))
      return result(this.name, "skipped", "systemd is not running on this host");
    const r = await probes.run("systemctl", ["is-active", unit]);
    if (r.missing) return result(this.name, "skipped", "no systemctl on this host");
    const state = r.stdout.trim() || r.stderr.trim() || "unknown";
    if (state === "active") return result(this.name, "ok", `${unit} is active`);
    if (state === "activating" || state === "reloading" || state === "deactivating")
      return result(this.name, "warning", `${unit} is ${state}`);
    return result(
      this.name,
      "critical",
      `${unit} is ${state} (journalctl -u ${unit.replace(/\.service$/, "")} -n 50; systemctl start ${unit})`,
    );
  },
};
