import { isAbsolute } from "node:path";

/*
 * The one systemd unit of the system, `pivot-trading.service`, replacing the old three
 * services restarted by cron. It runs `pivot start` as an unprivileged user, restarts it on a
 * crash (but gives up after a burst of failed starts instead of looping for ever), gives it
 * time to stop cleanly (the service exits within 10 s of SIGTERM), and fences it in: the whole
 * file system is read-only to it except its data and logs folders.
 */

export interface SystemdUnitOptions {
  /** The checkout (absolute): WorkingDirectory, and where dist/pivot.js is. */
  appDir: string;
  /** The configuration file (absolute). */
  configFile: string;
  /** The node binary (absolute), e.g. /usr/bin/node. */
  nodeBin: string;
  /** The unprivileged user (and group) the service runs as. */
  user: string;
  group?: string;
  /** Folders the service writes (absolute): the data folder(s) and the logs folder. */
  writablePaths: readonly string[];
  /** Optional file of secrets as environment variables (KITE_API_SECRET=…), mode 0600. */
  environmentFile?: string;
}

export const UNIT_NAME = "pivot-trading.service";

/** Renders the unit file (for /etc/systemd/system/pivot-trading.service). */
export function renderSystemdUnit(o: SystemdUnitOptions): string {
  for (const [what, path] of [
    ["the application folder", o.appDir],
    ["the configuration file", o.configFile],
    ["the node binary", o.nodeBin],
    ...o.writablePaths.map((p) => ["a writable folder", p] as const),
    ...(o.environmentFile ? [["the environment file", o.environmentFile] as const] : []),
  ] as const) {
    if (!isAbsolute(path)) throw new RangeError(`${what} must be an absolute path, found "${path}"`);
    if (/[\s"'\\%$;]/.test(path))
      throw new RangeError(`${what} must not contain spaces, quotes, % or $: "${path}"`);
  }
  if (!/^[a-z_][a-z0-9_-]{0,31}$/i.test(o.user)) throw new RangeError(`not a user name: "${o.user}"`);
  if (o.user === "root")
    throw new RangeError("the service must not run as root: choose an unprivileged user");
  const group = o.group ?? o.user;
  const writable = [...new Set(o.writablePaths)];
  // Under /home the checkout must stay visible: read-only, with its writable folders opened.
  const underHome = [o.appDir, o.configFile, o.nodeBin, ...writable].some((p) =>
    /^\/(home|root)(\/|$)/.test(p),
  );
  return `# The Pivot Trading System: one service.
# Rendered by \`pivot deploy systemd\`; render again rather than edit.
# Install: /etc/systemd/system/${UNIT_NAME}; then systemctl daemon-reload && systemctl enable --now pivot-trading

[Unit]
Description=Pivot Trading System (index weekly options on Zerodha Kite Connect)
Documentation=file://${o.appDir}/docs/DEPLOYMENT.md
Wants=network-online.target
After=network-online.target nss-lookup.target time-sync.target
# A crash is restarted, but five failed starts within 10 minutes stop the retries: a broken
# configuration must not loop (systemctl status shows why; systemctl reset-failed to retry).
StartLimitIntervalSec=600
StartLimitBurst=5

[Service]
Type=simple
User=${o.user}
Group=${group}
WorkingDirectory=${o.appDir}
Environment=NODE_ENV=production
${o.environmentFile ? `EnvironmentFile=${o.environmentFile}\n` : ""}ExecStart=${o.nodeBin} ${o.appDir}/dist/pivot.js start --config ${o.configFile}
Restart=on-failure
RestartSec=10
# SIGTERM: stop new entries, finish or record in-flight orders, persist, exit (within 10 s).
KillSignal=SIGTERM
KillMode=mixed
TimeoutStopSec=20
# Files it creates (database, session, logs) are its own alone.
UMask=0077
LimitNOFILE=65536

# Hardening: a read-only system, its own /tmp, no privileges to gain.
NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths=${writable.join(" ")}
ProtectHome=${underHome ? "read-only" : "yes"}
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
ProtectProc=invisible
RestrictSUIDSGID=yes
RestrictRealtime=yes
RestrictNamespaces=yes
LockPersonality=yes
RemoveIPC=yes
CapabilityBoundingSet=
AmbientCapabilities=
SystemCallArchitectures=native
# AF_NETLINK: node reads the network interfaces through it.
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK
# No MemoryDenyWriteExecute: node's JIT compiler needs writable-executable memory.

[Install]
WantedBy=multi-user.target
`;
}
