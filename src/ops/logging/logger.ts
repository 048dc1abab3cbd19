import { accessSync, constants } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import pino, { type Level, type Logger, type StreamEntry } from "pino";
import { makePrivateDir, PRIVATE_FILE_MODE } from "../../adapters/private-files.js";
import { type Clock, systemClock } from "../../ports/clock.js";
import { realSetTimer, type SetTimer } from "../../ports/timer.js";
import { FailSafeDestination, type FileStream } from "./fail-safe-destination.js";
import { pruneOldLogs } from "./log-retention.js";
import { REDACTED, redactPaths, scrubLine } from "./redaction.js";

/*
 * The service's logger (pino): JSON lines in `logs/pivot.<date>.<n>.log`, a new file every day
 * and whenever one reaches `maxFileSize` (pino-roll), files older than
 * `data.log_retention_days` deleted, `logs/current.log` pointing at the file in use.
 * On a terminal the lines are also shown human-readable (pino-pretty); under systemd (stderr
 * not a terminal) only warnings and errors go to stderr, i.e. the journal, so nothing is
 * stored twice. Times are IST ("2025-09-05T09:15:03.120+05:30"), whatever the host's zone.
 * Secrets are redacted by key and scrubbed by value (redaction.ts). A full or unwritable log
 * folder never stops the service: lines go to stderr after a one-time warning.
 */

/** What stderr is to the logger (tests pass a fake). */
export interface ConsoleStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface LoggerOptions {
  /** The folder of the log files (created): `logs` beside the working directory. */
  dir: string;
  /** `data.log_retention_days`. */
  retentionDays: number;
  /** Lowest level written; default "info". */
  level?: Level;
  /** Size that starts a new file the same day (pino-roll syntax: "50m", "500k"); default "50m". */
  maxFileSize?: string;
  /** File name prefix; default "pivot". */
  baseName?: string;
  clock?: Clock;
  /** Schedules the daily pruning of old files; default real timers. */
  setTimer?: SetTimer;
  console?: ConsoleStream;
  /**
   * Human-readable lines on the console; default: when the console is a terminal. The demo and
   * the rehearsal always want them (a person reads them, never a journal).
   */
  pretty?: boolean;
  /** Lowest level shown readable on the console; default `level` (the rehearsal: "warn"). */
  consoleLevel?: Level;
  /** Secret values to scrub from every line (read each time: add the day's access token). */
  secrets?: () => readonly string[];
  /** Told once when the log file fails (disk full, unwritable): alert the trader. */
  onFileFailure?: (message: string) => void;
}

/** A running logger and what the service needs around it. */
export interface ServiceLogger {
  logger: Logger;
  /** The folder the files are in (absolute). */
  dir: string;
  /** True once the file failed and lines go to stderr. */
  readonly degraded: boolean;
  /** Deletes files older than the retention now; returns their names. */
  prune(): Promise<string[]>;
  /** Flushes and closes the file and stops the pruning timer. */
  close(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const IST_OFFSET_MS = 330 * 60 * 1000;

/** An instant as ISO 8601 in IST with milliseconds: "2025-09-05T09:15:03.120+05:30". */
export function isoIstMillis(epochMs: number): string {
  return `${new Date(epochMs + IST_OFFSET_MS).toISOString().slice(0, 23)}+05:30`;
}

/** pino-roll is CommonJS without types: its factory, as used here. */
type PinoRoll = (options: Record<string, unknown>) => Promise<FileStream>;

/** Creates the service's logger; never throws for a bad log folder (it logs to stderr instead). */
export async function createServiceLogger(options: LoggerOptions): Promise<ServiceLogger> {
  const clock = options.clock ?? systemClock;
  const consoleStream: ConsoleStream = options.console ?? process.stderr;
  const level: Level = options.level ?? "info";
  const baseName = options.baseName ?? "pivot";
  const dir = resolve(options.dir);
  const secrets = options.secrets ?? (() => []);
  const scrub = (line: string) => scrubLine(line, secrets());
  const pretty = options.pretty ?? consoleStream.isTTY === true;

  let warned = false;
  const file = new FailSafeDestination({
    describe: join(dir, `${baseName}.<date>.<n>.log`),
    // On a terminal the pretty console shows every line already; elsewhere stderr takes them.
    fallback: (line) => {
      if (!pretty) consoleStream.write(line);
    },
    onFailure: (message) => {
      if (warned) return;
      warned = true;
      consoleStream.write(
        `${JSON.stringify({ level: 40, time: isoIstMillis(clock.now()), msg: message })}\n`,
      );
      options.onFileFailure?.(message);
    },
  });
  try {
    // Made (and checked) here: pino-roll links current.log before its stream creates the folder.
    makePrivateDir(dir);
    accessSync(dir, constants.W_OK);
    const roll = createRequire(import.meta.url)("pino-roll") as PinoRoll;
    file.attach(
      await roll({
        file: join(dir, baseName),
        extension: ".log",
        dateFormat: "yyyy-MM-dd",
        frequency: "daily",
        size: options.maxFileSize ?? "50m",
        mkdir: true,
        symlink: true,
        // Logs may quote an order's raw update: owner-only, like the database (private-files.ts).
        mode: PRIVATE_FILE_MODE,
      }),
    );
  } catch (e) {
    file.fail(e);
  }

  const streams: StreamEntry[] = [{ level, stream: { write: (l: string) => file.write(scrub(l)) } }];
  streams.push(consoleEntry(consoleStream, pretty, options.consoleLevel ?? level, scrub));

  const logger = pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: () => `,"time":"${isoIstMillis(clock.now())}"`,
      redact: { paths: redactPaths(), censor: REDACTED },
      serializers: { err: pino.stdSerializers.err },
    },
    pino.multistream(streams),
  );

  const prune = () => pruneOldLogs(dir, options.retentionDays, clock, baseName);
  const setTimer = options.setTimer ?? realSetTimer;
  let cancelPrune: (() => void) | null = null;
  const schedulePrune = () => {
    cancelPrune = setTimer(DAY_MS, () => {
      void prune().finally(schedulePrune);
    });
  };
  await prune();
  schedulePrune();

  return {
    logger,
    dir,
    get degraded() {
      return file.degraded;
    },
    prune,
    close: async () => {
      cancelPrune?.();
      cancelPrune = null;
      logger.flush();
      await file.close();
    },
  };
}

/** The console's share: every line pretty on a terminal, else warnings and errors as JSON. */
function consoleEntry(
  out: ConsoleStream,
  pretty: boolean,
  level: Level,
  scrub: (l: string) => string,
): StreamEntry {
  if (!pretty) return { level: "warn", stream: { write: (l: string) => out.write(scrub(l)) } };
  const sink = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      out.write(chunk.toString());
      cb();
    },
  });
  const prettyFactory = createRequire(import.meta.url)("pino-pretty") as (
    o: Record<string, unknown>,
  ) => NodeJS.WritableStream;
  const stream = prettyFactory({
    colorize: out.isTTY === true,
    destination: sink,
    // The time is IST already: shown as written, not translated to the host's zone.
    translateTime: false,
    ignore: "pid,hostname",
    sync: true,
  });
  return { level, stream: { write: (l: string) => stream.write(scrub(l)) } };
}
