import type { KiteRest } from "../adapters/kite/kite-rest.js";
import type { Config } from "../config/schema.js";
import type { TradingCalendar } from "../domain/calendar.js";
import type { InstrumentMaster } from "../domain/instruments.js";
import { type IsoDate, istEpochMs, istPartsOf } from "../domain/ist.js";
import { dayScheduleFrom } from "../engine/day-plan.js";
import type { AlertLevel } from "../engine/order-manager.js";
import type { DayArchiver } from "../ports/archive.js";
import type { Clock } from "../ports/clock.js";
import type { SetTimer } from "../ports/timer.js";
import { archiveDay, describeArchivedDay, isDayArchived } from "./day-archive.js";

/*
 * The service's after-close archive: the day's chain into data.archive_dir once the day's
 * summary is out (see day-archive.ts). It runs in the background of the quiet evening and
 * never fails the service: a problem is a warning for the trader, who can complete the day
 * with `pivot archive --date D` (the archive picks up where it stopped).
 *
 * A service (re)started after the close would not archive the day by itself: the morning's
 * instrument master is gone and the summary step may be done already. `archiveMissedDay`
 * covers that: from the summary time on, a trading day not yet archived is archived with the
 * day's master loaded again. Runs of one day share one archive (never two downloads at once).
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
  const running = new Map<IsoDate, Promise<void>>();
  const run = async (date: IsoDate, master: InstrumentMaster, stopping: () => boolean) => {
    try {
      const r = await archiveDay({ kite: deps.kite, master, config, log, shouldStop: stopping }, date);
      if (r.ok) notify("info", describeArchivedDay(r.day, dir));
      else notify("warning", `${date}: the day's archive is incomplete: ${r.failure.message}`);
    } catch (e) {
      notify("warning", `${date}: the day's archive failed: ${(e as Error).message ?? String(e)}`);
    }
  };
  return (date, master, stopping) => {
    let p = running.get(date);
    if (!p) {
      p = run(date, master, stopping).finally(() => running.delete(date));
      running.set(date, p);
    }
    return p;
  };
}

/** What the catch-up needs. */
export interface MissedDayDeps {
  archiver: DayArchiver;
  config: Pick<Config, "market" | "data">;
  calendar: TradingCalendar;
  clock: Clock;
  setTimer: SetTimer;
  /** The day's instrument master (today's cache, else Kite); null when it cannot be had (said why). */
  loadMaster: () => Promise<InstrumentMaster | null>;
  notify: (level: AlertLevel, message: string) => void;
}

/**
 * At the service's start: when today is a trading day not yet archived, archives it at the
 * summary time (at once when that has passed). Returns a function that cancels it (and asks a
 * run in progress to stop). Never rejects: problems are warnings.
 */
export function archiveMissedDay(d: MissedDayDeps): { cancel: () => void; done: Promise<void> } {
  const now = d.clock.now();
  const date = istPartsOf(now).date;
  let stopped = false;
  const idle = { cancel: () => {}, done: Promise.resolve() };
  if (!d.calendar.isTradingDay(date) || isDayArchived(d.config.data.archive_dir, date)) return idle;
  const at = istEpochMs(date, dayScheduleFrom(d.config.market).summary);
  let finished = () => {};
  const done = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const catchUp = async () => {
    try {
      if (stopped || isDayArchived(d.config.data.archive_dir, date)) return;
      const master = await d.loadMaster();
      if (!master) {
        d.notify("warning", `${date}: not archived: no instrument master (run pivot archive --date ${date})`);
        return;
      }
      if (!stopped) await d.archiver(date, master, () => stopped);
    } catch (e) {
      d.notify("warning", `${date}: the day's archive failed: ${(e as Error).message ?? String(e)}`);
    } finally {
      finished();
    }
  };
  let fired = false;
  const cancelTimer = d.setTimer(Math.max(0, at - now), () => {
    fired = true;
    void catchUp();
  });
  return {
    cancel: () => {
      stopped = true;
      cancelTimer();
      if (!fired) finished();
    },
    done,
  };
}
