import { dirname } from "node:path";
import { type DiskReading, describeDisk, diskLevel, readDisk } from "../../disk-space.js";
import { type DoctorCheck, type Level, result, why, worse } from "../check.js";

/** Free space on the disks of the data, the logs and /var/log (nginx): warn under 15 % or 1 GB. */
export const diskCheck: DoctorCheck = {
  name: "disk",
  cost: "cheap",
  async run({ probes, settings }) {
    let level: Level = "ok";
    const parts: string[] = [];
    const seen: DiskReading[] = [];
    for (const path of settings.diskPaths) {
      let reading: DiskReading | null = null;
      // A folder not made yet is on its parent's disk.
      for (let p = path; ; p = dirname(p)) {
        try {
          reading = { ...(await readDisk(p, probes.statfs)), path };
          break;
        } catch (e) {
          if (why(e) !== "ENOENT" || dirname(p) === p) {
            parts.push(`${path}: cannot read (${why(e)})`);
            level = worse(level, "warning");
            break;
          }
        }
      }
      if (!reading) continue;
      // Folders on one disk are reported once.
      if (seen.some((r) => r.totalBytes === reading.totalBytes && r.freeBytes === reading.freeBytes))
        continue;
      seen.push(reading);
      const l = diskLevel(reading);
      level = worse(level, l);
      parts.push(
        `${path}: ${describeDisk(reading)}${l === "ok" ? "" : l === "warning" ? " LOW" : " NEARLY FULL"}`,
      );
    }
    if (level !== "ok")
      parts.push("free space: old logs (journalctl --vacuum-size, /var/log/nginx), backups");
    return result(this.name, level, parts.join("; "));
  },
};
