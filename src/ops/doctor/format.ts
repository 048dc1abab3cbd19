import type { HealthCheck } from "../../ports/app.js";

const MARK: Record<HealthCheck["level"], string> = {
  ok: "ok",
  warning: "WARNING",
  critical: "CRITICAL",
  skipped: "skipped",
};

/** The checks as a readable table, and a closing line that says what to do first. */
export function formatChecks(checks: readonly HealthCheck[]): string {
  const nameWidth = Math.max(...checks.map((c) => c.name.length), 5);
  const markWidth = Math.max(...checks.map((c) => MARK[c.level].length));
  const lines = checks.map(
    (c) => `${c.name.padEnd(nameWidth)}  ${MARK[c.level].padEnd(markWidth)}  ${c.detail}`,
  );
  const critical = checks.filter((c) => c.level === "critical").length;
  const warnings = checks.filter((c) => c.level === "warning").length;
  const summary =
    critical > 0
      ? `${critical} critical, ${warnings} warning(s): fix the critical ones first`
      : warnings > 0
        ? `${warnings} warning(s), nothing critical`
        : "all good";
  return `${lines.join("\n")}\n\n${summary}\n`;
}
