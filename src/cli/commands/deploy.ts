import { existsSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import type { Command } from "commander";
import { writeFileAtomic } from "../../adapters/kite/atomic-file.js";
import { defaultConfig } from "../../config/load.js";
import type { Config } from "../../config/schema.js";
import { configForCommand } from "../load-config.js";
import { integerOption } from "../options.js";
import { UserError } from "../user-error.js";

/*
 * `pivot deploy nginx|systemd|logrotate`: the deployment files, rendered from the
 * configuration and flags (never hand-edited copies that drift). Printed on stdout, or written
 * atomically with `--out FILE`.
 */

interface CommonFlags {
  config?: string;
  out?: string;
}

interface NginxFlags extends CommonFlags {
  domain?: string;
  certDir?: string;
  upstream?: string;
  logDir?: string;
  httpOnly?: boolean;
  maxBody?: string;
}

interface SystemdFlags extends CommonFlags {
  user: string;
  dir?: string;
  node?: string;
  envFile?: string;
}

interface LogrotateFlags extends CommonFlags {
  user: string;
  dir?: string;
  nginxLogDir?: string;
  maxSize?: string;
  retentionDays?: string;
}

/** Registers `pivot deploy` and its three subcommands. */
export function registerDeploy(program: Command): void {
  const deploy = program
    .command("deploy")
    .description("render the deployment files (nginx site, systemd unit, logrotate) from the configuration");

  deploy
    .command("nginx")
    .description("the nginx site: HTTPS, the HTTP redirect, rate limits, the proxy to the service")
    .option("--domain <name>", "the public domain (default: the host of an https auth.redirect_url)")
    .option(
      "--cert-dir <dir>",
      "folder of fullchain.pem and privkey.pem (default /etc/letsencrypt/live/<domain>)",
    )
    .option("--upstream <host:port>", "the service (default 127.0.0.1:<auth.callback_port>)")
    .option("--log-dir <dir>", "this site's nginx logs (default /var/log/nginx/pivot)")
    .option("--max-body <size>", "largest request body (default 64k)")
    .option("--http-only", "only the port-80 part, to obtain the first certificate")
    .option("--config <file>", "configuration file (default ./config.json)")
    .option("--out <file>", "write the file (atomically) instead of printing it")
    .action(async (flags: NginxFlags) => {
      const config = configForCommand(flags.config);
      const { renderNginxSite, isDomainName } = await import("../../ops/deploy/nginx-site.js");
      const { domainOfRedirectUrl } = await import("../../ops/doctor/settings.js");
      const domain = flags.domain ?? domainOfRedirectUrl(config.auth.redirect_url);
      if (!domain)
        throw new UserError("--domain: required (or an https auth.redirect_url in the configuration)");
      if (!isDomainName(domain)) throw new UserError(`--domain: expected a domain name, found "${domain}"`);
      if (flags.maxBody !== undefined && !/^\d+[kKmM]?$/.test(flags.maxBody))
        throw new UserError(`--max-body: expected a size such as 64k or 1m, found "${flags.maxBody}"`);
      const text = render(() =>
        renderNginxSite({
          domain,
          upstream: flags.upstream ?? `127.0.0.1:${config.auth.callback_port}`,
          ...(flags.certDir ? { certDir: absolute("--cert-dir", flags.certDir) } : {}),
          ...(flags.logDir ? { logDir: absolute("--log-dir", flags.logDir) } : {}),
          ...(flags.maxBody ? { maxBody: flags.maxBody } : {}),
          httpOnly: flags.httpOnly === true,
        }),
      );
      emit(
        text,
        flags.out,
        "then: ln -s the file into /etc/nginx/sites-enabled/, nginx -t, systemctl reload nginx",
      );
    });

  deploy
    .command("systemd")
    .description("the systemd unit pivot-trading.service (one service, unprivileged, hardened)")
    .option("--user <name>", "the unprivileged user the service runs as", "pivot")
    .option("--dir <dir>", "the installed checkout (default: the current folder)")
    .option("--node <path>", "the node binary (default: the one running this command)")
    .option("--env-file <file>", "an environment file of secrets (KITE_API_SECRET=...), mode 0600")
    .option("--config <file>", "configuration file (default <dir>/config.json)")
    .option("--out <file>", "write the file (atomically) instead of printing it")
    .action(async (flags: SystemdFlags) => {
      const appDir = resolve(flags.dir ?? ".");
      const configFile = resolve(appDir, flags.config ?? "config.json");
      const config = configOrDefaults(configFile, flags.config !== undefined);
      const { renderSystemdUnit } = await import("../../ops/deploy/systemd-unit.js");
      const text = render(() =>
        renderSystemdUnit({
          appDir,
          configFile,
          nodeBin: resolve(flags.node ?? process.execPath),
          user: flags.user,
          writablePaths: writableFolders(appDir, config),
          ...(flags.envFile ? { environmentFile: resolve(flags.envFile) } : {}),
        }),
      );
      emit(text, flags.out, "then: systemctl daemon-reload && systemctl enable --now pivot-trading");
    });

  deploy
    .command("logrotate")
    .description("logrotate rules for the application's and nginx's logs")
    .option("--user <name>", "the user owning the application's logs", "pivot")
    .option("--dir <dir>", "the installed checkout (default: the current folder); its logs/ folder")
    .option("--nginx-log-dir <dir>", "this site's nginx logs (default /var/log/nginx/pivot)")
    .option("--max-size <size>", "rotate a file early past this size (default 100M)")
    .option("--retention-days <n>", "days kept (default data.log_retention_days)")
    .option("--config <file>", "configuration file (default <dir>/config.json)")
    .option("--out <file>", "write the file (atomically) instead of printing it")
    .action(async (flags: LogrotateFlags) => {
      const appDir = resolve(flags.dir ?? ".");
      const config = configOrDefaults(
        resolve(appDir, flags.config ?? "config.json"),
        flags.config !== undefined,
      );
      const { renderLogrotate } = await import("../../ops/deploy/logrotate.js");
      const days =
        flags.retentionDays !== undefined
          ? integerOption("--retention-days", flags.retentionDays, 1, 3650)
          : config.data.log_retention_days;
      const text = render(() =>
        renderLogrotate({
          appLogDir: resolve(appDir, "logs"),
          user: flags.user,
          retentionDays: days,
          ...(flags.nginxLogDir ? { nginxLogDir: absolute("--nginx-log-dir", flags.nginxLogDir) } : {}),
          ...(flags.maxSize ? { maxSize: flags.maxSize } : {}),
        }),
      );
      emit(text, flags.out, "then: logrotate -d the file (a dry run)");
    });
}

/** The folders the service writes: those of the database, the session file, the cache, and logs/. */
export function writableFolders(appDir: string, config: Config): string[] {
  const folders = [
    dirname(resolve(appDir, config.data.database_path)),
    dirname(resolve(appDir, config.data.access_token_file)),
    resolve(appDir, config.data.cache_dir),
    resolve(appDir, "logs"),
  ];
  // A folder inside another listed one is covered by it.
  return [...new Set(folders)].filter((f, _i, all) => !all.some((o) => o !== f && f.startsWith(`${o}/`)));
}

/**
 * The configuration the files are rendered from. The default file may not exist yet on a new
 * server (the unit can be written first): its defaults are used, and said.
 */
function configOrDefaults(path: string, explicit: boolean): Config {
  if (!explicit && !existsSync(path)) {
    process.stderr.write(
      `note: no ${path} yet: rendered with the default data paths; create it before starting\n`,
    );
    return defaultConfig();
  }
  return configForCommand(path);
}

function absolute(flag: string, path: string): string {
  if (!isAbsolute(path)) throw new UserError(`${flag}: expected an absolute path, found "${path}"`);
  return path;
}

/** A renderer's RangeError (a bad option) becomes the user's error. */
function render(fn: () => string): string {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RangeError) throw new UserError(e.message);
    throw e;
  }
}

function emit(text: string, out: string | undefined, next: string): void {
  if (out === undefined) {
    process.stdout.write(text);
    return;
  }
  try {
    writeFileAtomic(out, text, { mode: 0o644, dirMode: 0o755 });
  } catch (e) {
    throw new UserError(`cannot write ${out}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  process.stderr.write(`wrote ${out}; ${next}\n`);
}
