import type { InstrumentMaster } from "../domain/instruments.js";
import type { IsoDate } from "../domain/ist.js";

/**
 * The after-close archive as the engine calls it: the day's option chain recorded with the
 * master loaded that morning (app/day-archiver.ts makes one). Never rejects; `stopping` true
 * ends it early (the service stopping), the day left for `pivot archive` to complete.
 */
export type DayArchiver = (date: IsoDate, master: InstrumentMaster, stopping: () => boolean) => Promise<void>;
