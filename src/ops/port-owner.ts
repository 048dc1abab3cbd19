import { readdir, readFile, readlink } from "node:fs/promises";

/*
 * Who listens on a TCP port: the pid and command line of the listener, read from Linux's
 * /proc (the socket tables /proc/net/tcp{,6} give the listening socket's inode; the process
 * holding a file descriptor to `socket:[inode]` is its owner). No `ss` or `lsof` needed, and no
 * root needed for one's own processes; another user's process shows as "pid unknown" unless run
 * as root. Used by `pivot start` to refuse a second instance, and by `pivot doctor`.
 */

/** What holds a port. */
export type PortOwner =
  | { state: "free" }
  | {
      state: "held";
      /** Local address of the listener, e.g. "127.0.0.1" or "::". */
      address: string;
      /** Null when the owner could not be seen (another user's process, without root). */
      pid: number | null;
      /** The command line, arguments joined by spaces; null with the pid. */
      command: string | null;
    }
  | { state: "unknown"; why: string };

/** Where /proc is (tests point it at a fake tree). */
export interface PortOwnerOptions {
  procRoot?: string;
}

const LISTEN = "0A";

/** Finds the listener of TCP `port` on any local address (a 0.0.0.0 listener blocks loopback too). */
export async function findPortOwner(port: number, options: PortOwnerOptions = {}): Promise<PortOwner> {
  const proc = options.procRoot ?? "/proc";
  const tables = await Promise.all([
    readFile(`${proc}/net/tcp`, "utf8").then(
      (t) => parseListeners(t, false),
      () => null,
    ),
    readFile(`${proc}/net/tcp6`, "utf8").then(
      (t) => parseListeners(t, true),
      () => [],
    ),
  ]);
  if (tables[0] === null) return { state: "unknown", why: `${proc}/net/tcp cannot be read (not Linux?)` };
  const listener = [...tables[0], ...tables[1]].find((l) => l.port === port);
  if (!listener) return { state: "free" };
  const pid = await pidOfSocket(proc, listener.inode);
  const command = pid === null ? null : await commandLine(proc, pid);
  return { state: "held", address: listener.address, pid, command };
}

/** One line for people: "port 8001 is held by pid 1234: python3 postback_server.py". */
export function describePortOwner(port: number, owner: PortOwner): string {
  switch (owner.state) {
    case "free":
      return `port ${port} is free`;
    case "unknown":
      return `cannot tell who holds port ${port}: ${owner.why}`;
    case "held":
      if (owner.pid === null)
        return `port ${port} is held (on ${owner.address}) by a process of another user (run as root to see which)`;
      return `port ${port} is held by pid ${owner.pid}: ${owner.command ?? "(command line unknown)"}`;
  }
}

/** True when a command line is this system's service (`node …/pivot.js start`, `pivot start`). */
export function isPivotService(command: string | null): boolean {
  if (command === null) return false;
  return /(^|[\s/])pivot(\.js)?\s+start(\s|$)/.test(command);
}

interface Listener {
  address: string;
  port: number;
  inode: string;
}

/** The LISTEN rows of a /proc/net/tcp or tcp6 table. */
export function parseListeners(table: string, v6: boolean): Listener[] {
  const out: Listener[] = [];
  for (const line of table.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
    if (f.length < 10 || f[3] !== LISTEN) continue;
    const [addrHex, portHex] = (f[1] as string).split(":");
    if (!addrHex || !portHex) continue;
    out.push({
      address: v6 ? ipv6FromHex(addrHex) : ipv4FromHex(addrHex),
      port: Number.parseInt(portHex, 16),
      inode: f[9] as string,
    });
  }
  return out;
}

/** /proc shows IPv4 addresses as one little-endian 32-bit word. */
function ipv4FromHex(hex: string): string {
  const bytes = [0, 2, 4, 6].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return bytes.reverse().join(".");
}

/** IPv6: four little-endian 32-bit words; only the common cases get a short name. */
function ipv6FromHex(hex: string): string {
  if (/^0+$/.test(hex)) return "::";
  if (hex === "00000000000000000000000001000000") return "::1";
  if (hex.startsWith("0000000000000000FFFF0000")) return `::ffff:${ipv4FromHex(hex.slice(24))}`;
  const words: string[] = [];
  for (let i = 0; i < 32; i += 8) {
    const w = hex.slice(i, i + 8);
    const le = (w.match(/../g) ?? []).reverse().join("");
    words.push(le.slice(0, 4), le.slice(4));
  }
  return words.map((w) => w.replace(/^0+(?=.)/, "").toLowerCase()).join(":");
}

async function pidOfSocket(proc: string, inode: string): Promise<number | null> {
  const target = `socket:[${inode}]`;
  let entries: string[];
  try {
    entries = await readdir(proc);
  } catch {
    return null;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    let fds: string[];
    try {
      fds = await readdir(`${proc}/${name}/fd`);
    } catch {
      continue; // gone meanwhile, or another user's (without root)
    }
    for (const fd of fds) {
      try {
        if ((await readlink(`${proc}/${name}/fd/${fd}`)) === target) return Number(name);
      } catch {
        // closed meanwhile
      }
    }
  }
  return null;
}

async function commandLine(proc: string, pid: number): Promise<string | null> {
  try {
    const raw = await readFile(`${proc}/${pid}/cmdline`, "utf8");
    const args = raw.split("\0").filter((a) => a !== "");
    return args.length > 0 ? args.join(" ") : null;
  } catch {
    return null;
  }
}

/** The setting that moves the service to another port: the demo's flag, or the config's key. */
export const CONFIG_PORT_SETTING = "server.port in the config";
export const DEMO_PORT_SETTING = "--demo-port N";

/**
 * Why `pivot start` must not start: null when `port` is free, else one message naming the
 * holder, whether it is another instance of this system or some other program (the old
 * postback_server.py), and one way out: stop it, or use another port with `portSetting` (the
 * flag or key of the command at hand). Call it before listening.
 */
export async function portHeldMessage(
  port: number,
  portSetting: string = CONFIG_PORT_SETTING,
  options: PortOwnerOptions = {},
): Promise<string | null> {
  const owner = await findPortOwner(port, options);
  if (owner.state !== "held") return null;
  const who = describePortOwner(port, owner);
  const elsewhere = `or choose another port with ${portSetting}`;
  if (owner.pid === null) return `${who}: free the port ${elsewhere}`;
  return isPivotService(owner.command)
    ? `${who}, another instance of this system: stop it first (systemctl stop pivot-trading, or kill ${owner.pid}) ${elsewhere}`
    : `${who}, not this system: stop it (kill ${owner.pid}) ${elsewhere}`;
}
