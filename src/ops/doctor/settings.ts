import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { loginStatesPath } from "../../adapters/kite/login-flow.js";
import { type Config, serverPort } from "../../config/schema.js";
import { secretValuesOf } from "../../config/secrets.js";

/*
 * What the doctor checks, from the configuration and the command's flags: which domain, which
 * certificate, which port, which files. The flags win; the rest comes from the config.
 */

export interface DoctorSettings {
  /** The public domain; null: no TLS deployment here (nginx, certificate and DNS are skipped). */
  domain: string | null;
  /** The certificate file nginx serves (fullchain.pem). */
  certFile: string | null;
  /** The service's port on loopback (auth.callback_port, or server.port). */
  port: number;
  /** The service's health endpoint. */
  healthUrl: string;
  /** The systemd unit. */
  serviceName: string;
  /** Folders whose disk is watched. */
  diskPaths: string[];
  /** The application's log folder. */
  logDir: string;
  /** The Kite session file (data.access_token_file). */
  sessionFile: string;
  /** The configuration file; null when none is used. */
  configFile: string | null;
  /**
   * The pid of the service when the checks run inside it: its own listener is this system
   * whatever its command line (a test runner, a demo started another way).
   */
  servicePid?: number;
  /** True when the configuration file itself holds a secret (not only the environment). */
  configHasSecrets: boolean;
  /**
   * Files and folders that may hold a secret or a raw postback, which only the owner may read
   * (the databases and their WAL, their folders, the session and login states); the log
   * folder's files are added by the check.
   */
  privatePaths: string[];
  /** Live trading is configured (trading.paper_trading false): orders go to Kite. */
  liveTrading?: boolean;
  /** kite.static_ips: the addresses registered with Kite for orders. */
  staticIps?: readonly string[];
}

/** Overrides from the command line. */
export interface DoctorFlags {
  domain?: string;
  certFile?: string;
  port?: number;
  service?: string;
  logDir?: string;
  /** Set by the service itself: see DoctorSettings.servicePid. */
  servicePid?: number;
}

/** The domain of an https redirect URL that is not the local machine, else null. */
export function domainOfRedirectUrl(url: string): string | null {
  try {
    const u = new URL(url);
    if (u.protocol !== "https:") return null;
    if (/^(localhost|127\.|\[::1\])/.test(u.hostname)) return null;
    return u.hostname;
  } catch {
    return null;
  }
}

/** The settings for a configuration (already loaded) and flags. */
export function doctorSettings(
  config: Config,
  configFile: string | null,
  configHasSecrets: boolean,
  flags: DoctorFlags = {},
): DoctorSettings {
  const domain = flags.domain ?? domainOfRedirectUrl(config.auth.redirect_url);
  // The port the service listens on (server.port wins over auth.callback_port), and the log
  // folder it writes: the checks look where the service is, not at the defaults.
  const port = flags.port ?? serverPort(config);
  const dataDir = dirname(resolve(config.data.database_path));
  const logDir = resolve(flags.logDir ?? config.data.log_dir);
  return {
    domain,
    certFile: flags.certFile ?? (domain ? `/etc/letsencrypt/live/${domain}/fullchain.pem` : null),
    port,
    healthUrl: `http://127.0.0.1:${port}/health`,
    serviceName: flags.service ?? "pivot-trading.service",
    diskPaths: [...new Set([dataDir, logDir, "/var/log"])],
    logDir,
    sessionFile: resolve(config.data.access_token_file),
    configFile: configFile === null ? null : resolve(configFile),
    configHasSecrets,
    privatePaths: privatePathsOf(config),
    ...(flags.servicePid !== undefined ? { servicePid: flags.servicePid } : {}),
    liveTrading: !config.trading.paper_trading,
    staticIps: config.kite.static_ips,
  };
}

/** The files and folders of `DoctorSettings.privatePaths` for a configuration. */
export function privatePathsOf(config: Config): string[] {
  const databases = [config.data.database_path, config.data.paper_database_path].map((p) => resolve(p));
  const session = resolve(config.data.access_token_file);
  return [
    ...new Set([
      ...databases.flatMap((db) => [dirname(db), db, `${db}-wal`, `${db}-shm`]),
      dirname(session),
      session,
      loginStatesPath(session),
    ]),
  ];
}

/** True when the file itself (not the environment) holds a secret value. */
export function fileHasSecrets(path: string): boolean {
  try {
    return secretValuesOf(JSON.parse(readFileSync(path, "utf8"))).length > 0;
  } catch {
    return false;
  }
}
