import { type DoctorCheck, result } from "../check.js";

/** The system clock is synchronised (candles close on the minute; Kite's checksums carry times). */
export const clockSyncCheck: DoctorCheck = {
  name: "clock",
  cost: "slow",
  async run({ probes }) {
    const t = await probes.run("timedatectl", ["show", "-p", "NTPSynchronized", "--value"]);
    const answer = t.code === 0 ? t.stdout.trim() : "";
    if (answer === "yes") return result(this.name, "ok", "synchronised (timedatectl)");
    if (answer === "no")
      return result(
        this.name,
        "warning",
        "not synchronised (timedatectl): timedatectl set-ntp true, or install chrony",
      );
    const c = await probes.run("chronyc", ["-n", "tracking"]);
    if (c.code === 0) {
      const leap = /Leap status\s*:\s*(.+)/.exec(c.stdout)?.[1]?.trim();
      const offset = /System time\s*:\s*([\d.]+) seconds (fast|slow)/.exec(c.stdout);
      const off = offset ? `, ${(Number(offset[1]) * 1000).toFixed(1)} ms ${offset[2]}` : "";
      if (leap === "Normal") return result(this.name, "ok", `synchronised (chrony${off})`);
      if (leap) return result(this.name, "warning", `chrony: ${leap}${off}`);
    }
    return result(this.name, "skipped", "cannot tell (no working timedatectl or chronyc)");
  },
};
