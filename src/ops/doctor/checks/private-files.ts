import { join } from "node:path";
import { type DoctorCheck, result } from "../check.js";

/*
 * The files that can hold a secret or a raw postback (databases and their WAL, the Kite session,
 * login states, logs) and their folders: only the owner may read them. The service creates them
 * so (adapters/private-files.ts) and narrows old ones when it opens them; this finds what it
 * cannot reach (backups copied by hand, a log folder made by someone else, a chmod).
 */
export const privateFilesCheck: DoctorCheck = {
  name: "file permissions",
  cost: "cheap",
  async run({ probes, settings }) {
    const logs = await probes.fs.readdir(settings.logDir).catch(() => [] as string[]);
    const paths = [
      ...settings.privatePaths,
      settings.logDir,
      ...logs.filter((f) => f.endsWith(".log")).map((f) => join(settings.logDir, f)),
    ];
    const open: Array<{ path: string; mode: number }> = [];
    let checked = 0;
    for (const path of paths) {
      let mode: number;
      try {
        mode = (await probes.fs.stat(path)).mode & 0o777;
      } catch {
        continue; // not there (yet): nothing to protect
      }
      checked++;
      if (mode & 0o077) open.push({ path, mode });
    }
    if (open.length === 0) return result(this.name, "ok", `${checked} private files and folders, owner-only`);
    const list = open.map((o) => `${o.path} (${o.mode.toString(8).padStart(3, "0")})`).join(", ");
    const writable = open.some((o) => o.mode & 0o022);
    return result(
      this.name,
      writable ? "critical" : "warning",
      `${writable ? "others can write" : "others can read"}: ${list}; fix: chmod go-rwx ${open.map((o) => o.path).join(" ")}`,
    );
  },
};
