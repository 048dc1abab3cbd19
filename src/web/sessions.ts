import { createHash, timingSafeEqual } from "node:crypto";
import type { Clock } from "../ports/clock.js";

/*
 * Dashboard sessions, in memory: a restart logs the trader out, which is fine for one user and
 * keeps session ids off the disk. The id is 256 random bits handed to the browser in an
 * HttpOnly cookie; the map is keyed by its sha256, so that looking an id up reveals nothing
 * through timing. Each session carries its own CSRF token, which the dashboard sends back in
 * the `x-csrf-token` header of every control request.
 */

/** One logged-in browser. */
export interface Session {
  csrfToken: string;
  createdAtMs: number;
  expiresAtMs: number;
}

export interface SessionRegistryOptions {
  clock: Clock;
  /** How long a session lasts from its login (server.session_hours). */
  ttlMs: number;
  randomBytes: (size: number) => Buffer;
  /** Sessions kept at most; the oldest is dropped beyond it. Default 32. */
  maxSessions?: number;
}

const keyOf = (id: string) => createHash("sha256").update(id).digest("hex");

/** The live sessions. */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly options: SessionRegistryOptions) {}

  /** Starts a session; returns its id (for the cookie) and the session. */
  create(): { id: string; session: Session } {
    const now = this.options.clock.now();
    this.dropExpired(now);
    const id = this.options.randomBytes(32).toString("base64url");
    const session: Session = {
      csrfToken: this.options.randomBytes(32).toString("base64url"),
      createdAtMs: now,
      expiresAtMs: now + this.options.ttlMs,
    };
    this.sessions.set(keyOf(id), session);
    const max = this.options.maxSessions ?? 32;
    for (const key of this.sessions.keys()) {
      if (this.sessions.size <= max) break;
      this.sessions.delete(key);
    }
    return { id, session };
  }

  /** The live session of an id; null when unknown or expired (an expired one is forgotten). */
  get(id: string | undefined): Session | null {
    if (!id) return null;
    const key = keyOf(id);
    const session = this.sessions.get(key);
    if (!session) return null;
    if (session.expiresAtMs <= this.options.clock.now()) {
      this.sessions.delete(key);
      return null;
    }
    return session;
  }

  /** Ends a session (logout). */
  destroy(id: string | undefined): void {
    if (id) this.sessions.delete(keyOf(id));
  }

  /** How many sessions are live. */
  get size(): number {
    this.dropExpired(this.options.clock.now());
    return this.sessions.size;
  }

  private dropExpired(now: number): void {
    for (const [key, s] of this.sessions) if (s.expiresAtMs <= now) this.sessions.delete(key);
  }
}

/** Compares two secrets in constant time (lengths hidden by hashing both first). */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined || expected === "") return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}
