import { loadInstrumentMaster } from "../adapters/kite/instrument-cache.js";
import type { KiteRest } from "../adapters/kite/kite-rest.js";
import type { DayArchiver } from "../ports/archive.js";
import { archiveMissedDay, type MissedDayDeps } from "./day-archiver.js";

/**
 * At the service's start: the day not archived yet is archived all the same from the summary
 * time on (day-archiver.ts), with the day's instrument master from today's cache or Kite (the
 * morning's is gone after a restart). Null when the archive is off.
 */
export function startMissedDayArchive(
  archiver: DayArchiver | undefined,
  d: Omit<MissedDayDeps, "archiver" | "loadMaster"> & {
    kite: Pick<KiteRest, "instruments">;
    log: (line: string) => void;
  },
): { cancel: () => void } | null {
  if (!archiver) return null;
  return archiveMissedDay({
    ...d,
    archiver,
    loadMaster: async () => {
      const r = await loadInstrumentMaster({
        kite: d.kite,
        cacheDir: d.config.data.cache_dir,
        clock: d.clock,
        warn: d.log,
      });
      if (!r.ok) d.notify("warning", `the day's archive: ${r.message}`);
      return r.ok ? r.master : null;
    },
  });
}
