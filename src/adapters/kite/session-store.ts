import { readFileSync, rmSync, statSync } from "node:fs";
import { z } from "zod";
import { addDays, istEpochMs, istPartsOf } from "../../domain/ist.js";
import type { Clock } from "../../ports/clock.js";
import type { Session, SessionEvent, SessionSource } from "../../ports/session.js";
import { writeFileAtomic } from "./atomic-file.js";

/*
 * The Kite session of the day: kept in memory and in `data.access_token_file` (JSON, mode 0600,
 * written atomically), so that a restart, or `pivot login` run beside the service, finds it.
 * A missing, unreadable or expired file simply means "no session". The store tells its
 * listeners when a session starts and, once per session, when it ends.
 *
 * The access token is a secret: nothing here prints or logs it.
 */

export type { Session, SessionEvent } from "../../ports/session.js";

type Listener<T extends SessionEvent["type"]> = (event: Extract<SessionEvent, { type: T }>) => void;

/** Kite ends every session at about 06:00 IST. */
const SESSION_END_MINUTE = 6 * 60;

/** The first 06:00 IST strictly after `epochMs`. */
export function nextSessionEnd(epochMs: number): number {
  const { date } = istPartsOf(epochMs);
  const today = istEpochMs(date, SESSION_END_MINUTE);
  return epochMs < today ? today : istEpochMs(addDays(date, 1), SESSION_END_MINUTE);
}

/** ISO 8601 in IST with seconds: `2025-09-05T06:00:00+05:30`. */
export function isoIstSeconds(epochMs: number): string {
  const p = istPartsOf(epochMs);
  const hh = String(Math.floor(p.minute / 60)).padStart(2, "0");
  const mm = String(p.minute % 60).padStart(2, "0");
  return `${p.date}T${hh}:${mm}:${String(p.second).padStart(2, "0")}+05:30`;
}

const isoTime = z.string().refine((s) => Number.isFinite(Date.parse(s)), "expected an ISO time");
const fileSchema = z.object({
  access_token: z.string().min(1),
  user_id: z.string().min(1),
  user_name: z.string().nullish(),
  login_time: isoTime,
  expires_at: isoTime,
});

/** What the session file holds. */
export type SessionFileState =
  | { state: "valid"; session: Session }
  | { state: "missing" }
  | { state: "expired"; session: Session }
  | { state: "corrupt"; why: string };

/** Reads a session file; never throws. `warn` hears about a corrupt file or loose permissions. */
export function readSessionFile(
  path: string,
  now: number,
  warn: (m: string) => void = () => {},
): SessionFileState {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { state: "missing" };
    const why = `cannot be read (${code ?? "error"})`;
    warn(`session file ${path} ${why}: ignored`);
    return { state: "corrupt", why };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return corrupt(path, "is not JSON", warn);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return corrupt(path, `lacks a valid ${issue?.path.map(String).join(".") || "content"}`, warn);
  }
  looseModeWarning(path, warn);
  const f = parsed.data;
  const session: Session = {
    accessToken: f.access_token,
    userId: f.user_id,
    userName: f.user_name ?? null,
    loginTime: f.login_time,
    expiresAt: f.expires_at,
    expiresAtMs: Date.parse(f.expires_at),
  };
  return session.expiresAtMs > now ? { state: "valid", session } : { state: "expired", session };
}

function corrupt(path: string, why: string, warn: (m: string) => void): SessionFileState {
  warn(`session file ${path} ${why}: ignored (log in again with: pivot login)`);
  return { state: "corrupt", why };
}

function looseModeWarning(path: string, warn: (m: string) => void): void {
  if (process.platform === "win32") return;
  try {
    if ((statSync(path).mode & 0o077) !== 0) {
      warn(`session file ${path} can be read by other users: chmod 600 ${path}`);
    }
  } catch {
    // it was readable a moment ago; nothing to add
  }
}

/** Writes a session file atomically with mode 0600 (its folder is created when missing). */
export function writeSessionFile(path: string, session: Session): void {
  const body = {
    access_token: session.accessToken,
    user_id: session.userId,
    ...(session.userName ? { user_name: session.userName } : {}),
    login_time: session.loginTime,
    expires_at: session.expiresAt,
  };
  writeFileAtomic(path, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600, dirMode: 0o700 });
}

export interface SessionStoreOptions {
  /** `data.access_token_file`. */
  path: string;
  clock: Clock;
  warn?: (message: string) => void;
}

/** The day's Kite session, in memory and on disk, with events. */
export class SessionStore implements SessionSource {
  readonly path: string;
  private readonly clock: Clock;
  private readonly warn: (message: string) => void;
  /** The held session; cleared when it ends, which is what makes its end announced once. */
  private session: Session | null = null;
  private readonly listeners = new Map<SessionEvent["type"], Set<(e: SessionEvent) => void>>();

  constructor(options: SessionStoreOptions) {
    this.path = options.path;
    this.clock = options.clock;
    this.warn = options.warn ?? (() => {});
  }

  /** Listens to an event; returns the function that stops listening. */
  on<T extends SessionEvent["type"]>(type: T, listener: Listener<T>): () => void {
    let set = this.listeners.get(type);
    if (!set) {
      set = new Set();
      this.listeners.set(type, set);
    }
    const l = listener as (e: SessionEvent) => void;
    set.add(l);
    return () => set.delete(l);
  }

  /**
   * Reads the session file and adopts a valid session found there (announced as started when
   * it is not the one already held). Returns the valid session, or null.
   */
  load(): Session | null {
    const file = readSessionFile(this.path, this.clock.now(), this.warn);
    // Without a valid file a session held in memory is kept: a dead token shows at the next call.
    if (file.state === "valid" && this.session?.accessToken !== file.session.accessToken) {
      this.session = file.session;
      this.emitStarted(file.session);
    }
    return this.current();
  }

  /** The session held in memory while it is valid; its end by time is announced once. */
  current(): Session | null {
    const s = this.session;
    if (!s) return null;
    if (s.expiresAtMs > this.clock.now()) return s;
    this.end(s, "time");
    return null;
  }

  /** Keeps a new session (memory and file) and announces it. Throws when the file cannot be written. */
  save(input: { accessToken: string; userId: string; userName?: string | null }): Session {
    const now = this.clock.now();
    const expiresAtMs = nextSessionEnd(now);
    const session: Session = {
      accessToken: input.accessToken,
      userId: input.userId,
      userName: input.userName ?? null,
      loginTime: isoIstSeconds(now),
      expiresAt: isoIstSeconds(expiresAtMs),
      expiresAtMs,
    };
    writeSessionFile(this.path, session);
    this.session = session;
    this.emitStarted(session);
    return session;
  }

  /**
   * Kite rejected `accessToken` (TokenException): when it is the held session's, the session
   * ends now, its file is removed and `session_expired` is announced, once however many calls
   * fail with it. A stale token (from before a new login) changes nothing. True when it ended
   * the session.
   */
  markExpired(accessToken: string): boolean {
    const file = readSessionFile(this.path, this.clock.now());
    if (file.state === "valid" || file.state === "expired") {
      if (file.session.accessToken === accessToken) this.removeFile();
    }
    const s = this.session;
    if (!s || s.accessToken !== accessToken) return false;
    this.end(s, "token_rejected");
    return true;
  }

  private end(s: Session, reason: "token_rejected" | "time"): void {
    if (this.session !== s) return;
    this.session = null;
    this.emit({ type: "session_expired", userId: s.userId, reason });
  }

  private removeFile(): void {
    try {
      rmSync(this.path, { force: true });
    } catch (e) {
      this.warn(
        `cannot remove the dead session file ${this.path}: ${(e as NodeJS.ErrnoException).code ?? e}`,
      );
    }
  }

  private emitStarted(s: Session): void {
    this.emit({ type: "session_started", userId: s.userId, userName: s.userName, expiresAt: s.expiresAt });
  }

  private emit(event: SessionEvent): void {
    for (const listener of this.listeners.get(event.type) ?? []) {
      try {
        listener(event);
      } catch (e) {
        this.warn(`a ${event.type} listener failed: ${(e as Error).message ?? e}`);
      }
    }
  }
}
