import type { CommandResult, DoctorFs, DoctorProbes, ProcessInfo } from "../../src/ops/doctor/probes.js";
import type { DoctorSettings } from "../../src/ops/doctor/settings.js";
import { ManualClock } from "../../src/ports/clock.js";

/** A host as the doctor's tests want it: every probe answers "all good" until a test says otherwise. */
export interface FakeHost {
  clock: ManualClock;
  /** Answers by "command arg1 arg2"; an absent key means "not installed". */
  commands: Map<string, CommandResult>;
  files: Map<string, { data: string; mode: number; mtimeMs: number }>;
  dirs: Map<string, string[]>;
  exists: Set<string>;
  disk: { bsize: number; blocks: number; bavail: number };
  http: { status: number; body: string } | Error;
  dns: string[] | Error;
  publicAddress: string | Error;
  portOwner: Awaited<ReturnType<DoctorProbes["portOwner"]>>;
  processes: ProcessInfo[];
}

const GB = 1024 ** 3;

export function fakeHost(now: number): FakeHost {
  return {
    clock: new ManualClock(now),
    commands: new Map([
      [
        "nginx -t",
        {
          code: 0,
          stdout: "",
          stderr: "nginx: configuration file /etc/nginx/nginx.conf test is successful\n",
        },
      ],
      ["systemctl is-active pivot-trading.service", { code: 0, stdout: "active\n", stderr: "" }],
      ["timedatectl show -p NTPSynchronized --value", { code: 0, stdout: "yes\n", stderr: "" }],
    ]),
    files: new Map(),
    dirs: new Map(),
    exists: new Set(["/run/systemd/system"]),
    disk: { bsize: 4096, blocks: (20 * GB) / 4096, bavail: (10 * GB) / 4096 },
    http: { status: 200, body: '{"status":"ok"}' },
    dns: ["203.0.113.7"],
    publicAddress: "203.0.113.7",
    portOwner: {
      state: "held",
      address: "127.0.0.1",
      pid: 4321,
      command: "/usr/bin/node /opt/pivot/dist/pivot.js start --config /opt/pivot/config.json",
    },
    processes: [
      {
        pid: 900,
        name: "nginx",
        command: "nginx: master process /usr/sbin/nginx -g daemon on; master_process on;",
      },
      { pid: 901, name: "nginx", command: "nginx: worker process" },
    ],
  };
}

const enoent = (path: string) => Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });

/** The probes over a fake host. */
export function fakeProbes(h: FakeHost): DoctorProbes {
  const fs: DoctorFs = {
    readFile: async (p) => {
      const f = h.files.get(p);
      if (!f) throw enoent(p);
      if (f.mode === 0) throw Object.assign(new Error("EACCES"), { code: "EACCES" });
      return Buffer.from(f.data);
    },
    readTail: async (p, max) => {
      const f = h.files.get(p);
      if (!f) throw enoent(p);
      return f.data.slice(-max);
    },
    stat: async (p) => {
      const f = h.files.get(p);
      if (!f) throw enoent(p);
      return { mode: 0o100000 | f.mode, mtimeMs: f.mtimeMs, size: f.data.length, isFile: true };
    },
    readdir: async (p) => {
      const d = h.dirs.get(p);
      if (!d) throw enoent(p);
      return d;
    },
    exists: async (p) => h.exists.has(p) || h.files.has(p) || h.dirs.has(p),
  };
  const settle = <T>(v: T | Error) => (v instanceof Error ? Promise.reject(v) : Promise.resolve(v));
  return {
    clock: h.clock,
    run: async (cmd, args) =>
      h.commands.get([cmd, ...args].join(" ")) ?? { code: null, stdout: "", stderr: "", missing: true },
    fs,
    statfs: async () => h.disk,
    httpGet: async () => settle(h.http),
    resolveDns: async () => settle(h.dns),
    publicAddress: async () => settle(h.publicAddress),
    portOwner: async () => h.portOwner,
    processes: async () => h.processes,
  };
}

/** Settings of a deployed host (sensexbot.ddns.net on 8001, files under /opt/pivot). */
export function deployedSettings(overrides: Partial<DoctorSettings> = {}): DoctorSettings {
  return {
    domain: "sensexbot.ddns.net",
    certFile: "/etc/letsencrypt/live/sensexbot.ddns.net/fullchain.pem",
    port: 8001,
    healthUrl: "http://127.0.0.1:8001/health",
    serviceName: "pivot-trading.service",
    diskPaths: ["/opt/pivot/data"],
    logDir: "/opt/pivot/logs",
    sessionFile: "/nonexistent/access_token.json",
    configFile: "/opt/pivot/config.json",
    configHasSecrets: true,
    privatePaths: ["/opt/pivot/data", "/opt/pivot/data/trading.db", "/opt/pivot/data/trading.db-wal"],
    ...overrides,
  };
}
