import type { HealthCheck } from "../../ports/app.js";
import type { DoctorCheck, DoctorContext } from "./check.js";
import { clockSyncCheck } from "./checks/clock-sync.js";
import { configPermissionsCheck } from "./checks/config-permissions.js";
import { diskCheck } from "./checks/disk.js";
import { dnsCheck } from "./checks/dns.js";
import { healthEndpointCheck } from "./checks/health-endpoint.js";
import { kiteSessionCheck } from "./checks/kite-session.js";
import { nginxCheck } from "./checks/nginx.js";
import { portCheck } from "./checks/port.js";
import { privateFilesCheck } from "./checks/private-files.js";
import { recentErrorsCheck } from "./checks/recent-errors.js";
import { serviceCheck } from "./checks/service.js";
import { staticIpCheck } from "./checks/static-ip.js";
import { tlsCertificateCheck } from "./checks/tls-certificate.js";

/*
 * The daily health check of INFRASTRUCTURE.md as functions: `pivot doctor` runs them all; the
 * service runs the cheap ones every minute or so (files and /proc only) and the slow ones
 * (programs, network) now and then, and shows them on /status, the dashboard and Telegram.
 */

/** Every check, in the order shown. */
export const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  serviceCheck,
  portCheck,
  healthEndpointCheck,
  nginxCheck,
  tlsCertificateCheck,
  dnsCheck,
  staticIpCheck,
  diskCheck,
  recentErrorsCheck,
  kiteSessionCheck,
  configPermissionsCheck,
  privateFilesCheck,
  clockSyncCheck,
];

export interface RunChecksOptions {
  /** Which checks: "cheap" (files, /proc), "slow" (programs, network) or "all" (default). */
  only?: "cheap" | "slow" | "all";
  /** A check still running after this long is reported critical; default 15 s. */
  timeoutMs?: number;
}

/** Runs the checks concurrently; a check that throws or hangs becomes a critical entry, never a rejection. */
export async function runChecks(ctx: DoctorContext, options: RunChecksOptions = {}): Promise<HealthCheck[]> {
  const only = options.only ?? "all";
  const timeoutMs = options.timeoutMs ?? 15_000;
  const selected = DOCTOR_CHECKS.filter((c) => only === "all" || c.cost === only);
  return Promise.all(selected.map((c) => runOne(c, ctx, timeoutMs)));
}

async function runOne(check: DoctorCheck, ctx: DoctorContext, timeoutMs: number): Promise<HealthCheck> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HealthCheck>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({ name: check.name, level: "critical", detail: `no answer within ${timeoutMs / 1000} s` }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([check.run(ctx), timeout]);
  } catch (e) {
    return { name: check.name, level: "critical", detail: `the check failed: ${(e as Error).message ?? e}` };
  } finally {
    clearTimeout(timer);
  }
}

/** 0 all good (or skipped), 1 a warning, 2 something critical. */
export function doctorExitCode(checks: readonly HealthCheck[]): 0 | 1 | 2 {
  if (checks.some((c) => c.level === "critical")) return 2;
  if (checks.some((c) => c.level === "warning")) return 1;
  return 0;
}
