import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Config } from "../../config/schema.js";

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
  /** True when the configuration file itself holds a secret (not only the environment). */
  configHasSecrets: boolean;
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
  const port = flags.port ?? config.auth.callback_port;
  const dataDir = dirname(resolve(config.data.database_path));
  const logDir = resolve(flags.logDir ?? "logs");
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
    liveTrading: !config.trading.paper_trading,
    staticIps: config.kite.static_ips,
  };
}

/** True when the file itself (not the environment) holds a secret value. */
export function fileHasSecrets(path: string): boolean {
  try {
    const raw = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    const server = (raw.server ?? {}) as Record<string, unknown>;
    return [raw.api_secret, raw.api_key, raw.telegram_token, server.api_token, server.password_hash].some(
      (v) => typeof v === "string" && v !== "",
    );
  } catch {
    return false;
  }
}
