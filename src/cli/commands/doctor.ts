import { existsSync } from "node:fs";
import { type Command, CommanderError } from "commander";
import { DEFAULT_CONFIG_PATH } from "../../config/load.js";
import { configForCommand } from "../load-config.js";
import { integerOption } from "../options.js";
import { UserError } from "../user-error.js";

/*
 * `pivot doctor [--json]`: the daily health check as one command. Exit 0 when all is good,
 * 1 with warnings, 2 with something critical, so that cron or a monitor can act on it.
 */

interface DoctorCommandFlags {
  json?: boolean;
  config?: string;
  domain?: string;
  certFile?: string;
  port?: string;
  service?: string;
  logDir?: string;
  only?: string;
}

/** Registers `pivot doctor`. */
export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description(
      "check the deployment: service, port, /health, nginx, TLS certificate, DNS, disk, logs, session, clock",
    )
    .option("--json", "print one JSON array of {name, level, detail}")
    .option("--config <file>", "configuration file (default ./config.json)")
    .option("--domain <name>", "the public domain (default: the host of an https auth.redirect_url)")
    .option(
      "--cert-file <file>",
      "the certificate nginx serves (default /etc/letsencrypt/live/<domain>/fullchain.pem)",
    )
    .option("--port <n>", "the service's port (default auth.callback_port)")
    .option("--service <unit>", "the systemd unit (default pivot-trading.service)")
    .option("--log-dir <dir>", "the application's log folder (default ./logs)")
    .option("--only <set>", "cheap (files only), slow (programs, network) or all", "all")
    .action(async (flags: DoctorCommandFlags) => {
      if (flags.only !== "all" && flags.only !== "cheap" && flags.only !== "slow")
        throw new UserError(`--only: expected cheap, slow or all, found "${flags.only}"`);
      const configFile = flags.config ?? (existsSync(DEFAULT_CONFIG_PATH) ? DEFAULT_CONFIG_PATH : null);
      const config = configForCommand(flags.config);
      const [
        { doctorSettings, fileHasSecrets },
        { realProbes },
        { runChecks, doctorExitCode },
        { formatChecks },
        { systemClock },
      ] = await Promise.all([
        import("../../ops/doctor/settings.js"),
        import("../../ops/doctor/probes.js"),
        import("../../ops/doctor/run-checks.js"),
        import("../../ops/doctor/format.js"),
        import("../../ports/clock.js"),
      ]);
      const settings = doctorSettings(config, configFile, configFile ? fileHasSecrets(configFile) : false, {
        ...(flags.domain ? { domain: flags.domain } : {}),
        ...(flags.certFile ? { certFile: flags.certFile } : {}),
        ...(flags.port ? { port: integerOption("--port", flags.port, 1, 65535) } : {}),
        ...(flags.service ? { service: flags.service } : {}),
        ...(flags.logDir ? { logDir: flags.logDir } : {}),
      });
      const checks = await runChecks({ probes: realProbes(systemClock), settings }, { only: flags.only });
      process.stdout.write(flags.json ? `${JSON.stringify(checks, null, 2)}\n` : formatChecks(checks));
      const code = doctorExitCode(checks);
      // commander's error carries the exit code out of main() without a message.
      if (code !== 0) throw new CommanderError(code, "pivot.doctor", "");
    });
}
