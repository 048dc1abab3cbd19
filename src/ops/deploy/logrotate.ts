import { isAbsolute } from "node:path";

/*
 * logrotate for the system's logs, the failure that once stopped the old system (nginx's logs
 * filled the disk). Two stanzas:
 * - nginx's logs of this site (their own folder, so the distribution's /var/log/nginx/*.log
 *   rule does not cover them twice): daily, and early when one passes `maxSize`;
 * - the application's logs: the application itself starts a new file daily and by size and
 *   deletes files past the retention; this stanza is the safety net that compresses them and
 *   caps any file that grows anyway (copytruncate: the application keeps its file open).
 * `maxsize` only acts when logrotate runs: docs/DEPLOYMENT.md makes its timer hourly.
 */

export interface LogrotateOptions {
  /** The application's logs folder (absolute). */
  appLogDir: string;
  /** The user and group owning the application's logs. */
  user: string;
  group?: string;
  /** This site's nginx logs folder; default /var/log/nginx/pivot. */
  nginxLogDir?: string;
  /** Days kept (`data.log_retention_days`). */
  retentionDays: number;
  /** Size that rotates a file before its day is over; default 100M. */
  maxSize?: string;
}

/** Renders the file (for /etc/logrotate.d/pivot-trading). */
export function renderLogrotate(o: LogrotateOptions): string {
  const nginxDir = (o.nginxLogDir ?? "/var/log/nginx/pivot").replace(/\/+$/, "");
  const appDir = o.appLogDir.replace(/\/+$/, "");
  for (const [what, p] of [
    ["the application's logs folder", appDir],
    ["the nginx logs folder", nginxDir],
  ]) {
    if (!isAbsolute(p as string)) throw new RangeError(`${what} must be an absolute path, found "${p}"`);
    if (/[\s"'\\{}*]/.test(p as string))
      throw new RangeError(`${what} must not contain spaces or quotes: "${p}"`);
  }
  if (!Number.isInteger(o.retentionDays) || o.retentionDays < 1)
    throw new RangeError(`retention days: expected a whole number >= 1, found ${o.retentionDays}`);
  const maxSize = o.maxSize ?? "100M";
  if (!/^\d+[kMG]?$/.test(maxSize)) throw new RangeError(`max size: expected e.g. 100M, found "${maxSize}"`);
  const group = o.group ?? o.user;
  const days = o.retentionDays;
  return `# The Pivot Trading System's logs. Rendered by \`pivot deploy logrotate\`.
# Install: /etc/logrotate.d/pivot-trading (root-owned, mode 0644); test: logrotate -d /etc/logrotate.d/pivot-trading

${nginxDir}/*.log {
    daily
    maxsize ${maxSize}
    rotate ${days}
    maxage ${days}
    missingok
    notifempty
    compress
    delaycompress
    dateext
    dateformat -%Y%m%d-%s
    create 0640 www-data adm
    sharedscripts
    postrotate
        # nginx reopens its log files (USR1) without dropping a connection.
        if [ -s /run/nginx.pid ]; then kill -USR1 "$(cat /run/nginx.pid)"; fi
    endscript
}

${appDir}/pivot.*.log {
    su ${o.user} ${group}
    daily
    maxsize ${maxSize}
    rotate ${days}
    maxage ${days}
    missingok
    notifempty
    compress
    delaycompress
    copytruncate
}
`;
}
