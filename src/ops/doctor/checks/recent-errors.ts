import { join } from "node:path";
import { isoIstSeconds } from "../../../adapters/kite/session-store.js";
import { isLoggerFile } from "../../logging/log-retention.js";
import { type DoctorCheck, result, why } from "../check.js";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Only the end of each file is read: a day of errors is at its end. */
const TAIL_BYTES = 8 * 1024 * 1024;
const ERROR = 50;
const FATAL = 60;

/** Errors (level >= 50) in the application's JSON logs of the last 24 hours. */
export const recentErrorsCheck: DoctorCheck = {
  name: "logs",
  cost: "cheap",
  async run({ probes, settings }) {
    const dir = settings.logDir;
    let names: string[];
    try {
      names = await probes.fs.readdir(dir);
    } catch (e) {
      return result(this.name, "skipped", `no log folder ${dir} (${why(e)}): the service has not run here`);
    }
    const now = probes.clock.now();
    const since = now - DAY_MS;
    let errors = 0;
    let fatal = 0;
    let last: { time: number; msg: string } | null = null;
    let files = 0;
    for (const name of names.filter((n) => isLoggerFile(n))) {
      const path = join(dir, name);
      try {
        if ((await probes.fs.stat(path)).mtimeMs < since) continue;
        files++;
        for (const line of (await probes.fs.readTail(path, TAIL_BYTES)).split("\n")) {
          const entry = parseEntry(line);
          if (!entry || entry.level < ERROR || entry.time < since || entry.time > now + 60_000) continue;
          errors++;
          if (entry.level >= FATAL) fatal++;
          if (!last || entry.time >= last.time) last = { time: entry.time, msg: entry.msg };
        }
      } catch {
        // rotated away meanwhile
      }
    }
    if (errors === 0)
      return result(this.name, "ok", `no errors in the last 24 h (${files} file(s) in ${dir})`);
    const lastText = last ? `; last: "${last.msg.slice(0, 160)}" at ${isoIstSeconds(last.time)}` : "";
    return result(
      this.name,
      fatal > 0 ? "critical" : "warning",
      `${errors} error(s)${fatal > 0 ? `, ${fatal} fatal,` : ""} in the last 24 h${lastText} (see ${dir}/current.log)`,
    );
  },
};

/** A pino line: level, time (ISO text or epoch ms) and message; null for anything else. */
function parseEntry(line: string): { level: number; time: number; msg: string } | null {
  if (!line.startsWith("{")) return null;
  try {
    const o = JSON.parse(line) as {
      level?: unknown;
      time?: unknown;
      msg?: unknown;
      err?: { message?: unknown };
    };
    if (typeof o.level !== "number") return null;
    const time =
      typeof o.time === "number" ? o.time : typeof o.time === "string" ? Date.parse(o.time) : Number.NaN;
    if (!Number.isFinite(time)) return null;
    const msg = typeof o.msg === "string" ? o.msg : typeof o.err?.message === "string" ? o.err.message : "";
    return { level: o.level, time, msg };
  } catch {
    return null;
  }
}
