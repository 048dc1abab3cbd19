import { readFileSync } from "node:fs";

/** A process's resident memory from /proc/<pid>/status (Linux), in MB. */
export interface ProcMemory {
  /** VmRSS: resident now. */
  rssMb: number;
  /** VmHWM: the peak resident size since the process started. */
  peakMb: number;
}

/** Reads /proc/<pid>/status; null when it cannot be read (not Linux, or the process is gone). */
export function readProcMemory(pid: number): ProcMemory | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return null;
  }
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, "m").exec(text);
    return m ? Number(m[1]) : Number.NaN;
  };
  const rss = kb("VmRSS");
  const hwm = kb("VmHWM");
  if (Number.isNaN(rss) || Number.isNaN(hwm)) return null;
  return { rssMb: rss / 1024, peakMb: hwm / 1024 };
}
