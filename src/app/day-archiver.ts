import type { KiteRest } from "../adapters/kite/kite-rest.js";
import type { Config } from "../config/schema.js";
import type { AlertLevel } from "../engine/order-manager.js";
import type { DayArchiver } from "../ports/archive.js";
import { archiveDay, describeArchivedDay } from "./day-archive.js";

/*
 * The service's after-close archive: the day's chain into data.archive_dir once the day's
 * summary is out (see day-archive.ts). It runs in the background of the quiet evening and
 * never fails the service: a problem is a warning for the trader, who can complete the day
 * with `pivot archive --date D` (the archive picks up where it stopped).
 */

/** The service's archiver; undefined when `archive.enabled` is false. */
export function dayArchiver(deps: {
  kite: Pick<KiteRest, "historical">;
  config: Config;
  notify: (level: AlertLevel, message: string) => void;
  log: (line: string) => void;
}): DayArchiver | undefined {
  const { config, notify, log } = deps;
  if (!config.archive.enabled) return undefined;
  const dir = config.data.archive_dir;
  return async (date, master, stopping) => {
    try {
      const r = await archiveDay({ kite: deps.kite, master, config, log, shouldStop: stopping }, date);
      if (r.ok) notify("info", describeArchivedDay(r.day, dir));
      else notify("warning", `${date}: the day's archive is incomplete: ${r.failure.message}`);
    } catch (e) {
      notify("warning", `${date}: the day's archive failed: ${(e as Error).message ?? String(e)}`);
    }
  };
}
