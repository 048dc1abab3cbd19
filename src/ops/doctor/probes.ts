import { execFile } from "node:child_process";
import { resolve4, resolve6 } from "node:dns/promises";
import { open, readdir, readFile, stat } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Clock } from "../../ports/clock.js";
import { realStatfs, type StatFs } from "../disk-space.js";
import { findPortOwner, type PortOwner } from "../port-owner.js";

/*
 * Everything the doctor learns about the host comes through these probes, so that tests drive
 * each check into its good, warning and critical states without a real nginx, systemd,
 * certificate, network or full disk. `realProbes()` is the host.
 */

/** A finished command; `missing`: the program is not installed. */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  missing?: boolean;
}

/** Runs a program (no shell) with a time limit. */
export type CommandRunner = (
  command: string,
  args: readonly string[],
  timeoutMs?: number,
) => Promise<CommandResult>;

/** The file facts the checks read. */
export interface DoctorFs {
  readFile(path: string): Promise<Buffer>;
  /** The last `maxBytes` of a file (logs can be large). */
  readTail(path: string, maxBytes: number): Promise<string>;
  stat(path: string): Promise<{ mode: number; mtimeMs: number; size: number; isFile: boolean }>;
  readdir(path: string): Promise<string[]>;
  exists(path: string): Promise<boolean>;
}

/** A running process. */
export interface ProcessInfo {
  pid: number;
  /** The short name (/proc/PID/comm), e.g. "nginx". */
  name: string;
  command: string;
}

export interface DoctorProbes {
  clock: Clock;
  run: CommandRunner;
  fs: DoctorFs;
  statfs: StatFs;
  /** GET a URL; rejects on no answer. */
  httpGet: (url: string, timeoutMs: number) => Promise<{ status: number; body: string }>;
  /** The domain's addresses (A and AAAA); rejects with the resolver's code. */
  resolveDns: (domain: string) => Promise<string[]>;
  /** This host's public address as the internet sees it; rejects when offline. */
  publicAddress: () => Promise<string>;
  portOwner: (port: number) => Promise<PortOwner>;
  processes: () => Promise<ProcessInfo[]>;
}

/** Runs a program without a shell; never rejects. */
export const realRunner: CommandRunner = (command, args, timeoutMs = 5000) =>
  new Promise((resolve) => {
    execFile(command, [...args], { timeout: timeoutMs, encoding: "utf8" }, (error, stdout, stderr) => {
      const code = (error as NodeJS.ErrnoException | null)?.code;
      if (code === "ENOENT") {
        resolve({ code: null, stdout: "", stderr: "", missing: true });
        return;
      }
      const exit = error
        ? typeof (error as { code?: unknown }).code === "number"
          ? (error as { code: number }).code
          : null
        : 0;
      resolve({ code: exit, stdout, stderr: stderr || (error && exit === null ? error.message : "") });
    });
  });

export const realFs: DoctorFs = {
  readFile: (path) => readFile(path),
  async readTail(path, maxBytes) {
    const handle = await open(path, "r");
    try {
      const { size } = await handle.stat();
      const start = Math.max(0, size - maxBytes);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      const text = buffer.toString("utf8");
      // A cut first line is dropped rather than misread.
      return start > 0 ? text.slice(text.indexOf("\n") + 1) : text;
    } finally {
      await handle.close();
    }
  },
  async stat(path) {
    const s = await stat(path);
    return { mode: s.mode, mtimeMs: s.mtimeMs, size: s.size, isFile: s.isFile() };
  },
  readdir: (path) => readdir(path),
  exists: (path) =>
    stat(path).then(
      () => true,
      () => false,
    ),
};

/** GET over http or https, the body cut at 64 KB. */
export function realHttpGet(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = url.startsWith("https:") ? httpsRequest : httpRequest;
    const req = request(url, { method: "GET", timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        if (body.length < 65_536) body += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
    req.on("error", reject);
    req.end();
  });
}

async function realResolveDns(domain: string): Promise<string[]> {
  const [v4, v6] = await Promise.allSettled([resolve4(domain), resolve6(domain)]);
  const addresses = [
    ...(v4.status === "fulfilled" ? v4.value : []),
    ...(v6.status === "fulfilled" ? v6.value : []),
  ];
  if (addresses.length > 0) return addresses;
  throw v4.status === "rejected" ? v4.reason : new Error("no address");
}

/** Asks a public echo service (ipify) for this host's address. */
async function realPublicAddress(): Promise<string> {
  const r = await realHttpGet("https://api.ipify.org", 4000);
  const ip = r.body.trim();
  if (r.status !== 200 || !/^[0-9a-f.:]+$/i.test(ip)) throw new Error(`unexpected answer (${r.status})`);
  return ip;
}

async function realProcesses(): Promise<ProcessInfo[]> {
  const out: ProcessInfo[] = [];
  for (const name of await readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const [comm, cmdline] = await Promise.all([
        readFile(`/proc/${name}/comm`, "utf8"),
        readFile(`/proc/${name}/cmdline`, "utf8"),
      ]);
      out.push({
        pid: Number(name),
        name: comm.trim(),
        command: cmdline.split("\0").filter(Boolean).join(" "),
      });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The host's probes. */
export function realProbes(clock: Clock): DoctorProbes {
  return {
    clock,
    run: realRunner,
    fs: realFs,
    statfs: realStatfs,
    httpGet: realHttpGet,
    resolveDns: realResolveDns,
    publicAddress: realPublicAddress,
    portOwner: (port) => findPortOwner(port),
    processes: realProcesses,
  };
}
