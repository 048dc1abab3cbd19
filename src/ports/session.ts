/*
 * The broker session as the engine and the web see it: the day's session (from the login or the
 * session file), its start and end, and the outcome of a login callback. adapters/kite's
 * SessionStore and LoginFlow implement them.
 */

/** A logged-in broker session (the access token is a secret: never printed or logged). */
export interface Session {
  accessToken: string;
  userId: string;
  userName: string | null;
  /** When the login happened, ISO 8601 in IST. */
  loginTime: string;
  /** When Kite ends the session (the next 06:00 IST after the login), ISO 8601 in IST. */
  expiresAt: string;
  expiresAtMs: number;
}

/** What the store announces. */
export type SessionEvent =
  | { type: "session_started"; userId: string; userName: string | null; expiresAt: string }
  | { type: "session_expired"; userId: string; reason: "token_rejected" | "time" };

/** The day's session as the engine watches it (adapters/kite SessionStore fits). */
export interface SessionSource {
  /** Looks for a session saved elsewhere (another process may have logged in) and adopts a valid one; null: none. */
  load(): Session | null;
  /** The session held while it is valid; null: none, or it has expired. */
  current(): Session | null;
  /** Subscribes to session starts or ends; returns the unsubscribe. */
  on<T extends SessionEvent["type"]>(
    type: T,
    listener: (event: Extract<SessionEvent, { type: T }>) => void,
  ): () => void;
}

/** Why a callback did not log in. */
export type LoginFailureReason =
  | "bad_state" // no state, or one this system never handed out or already used
  | "expired_state"
  | "not_success" // status is not "success" (the trader cancelled, Kite refused)
  | "not_login" // action is not "login"
  | "missing_request_token"
  | "exchange_failed" // Kite refused the request token
  | "profile_failed" // the new access token does not work
  | "user_mismatch"
  | "foreign_user" // a Kite user other than kite.user_id logged in: refused
  | "save_failed"
  | "internal";

/** The outcome of a callback (never holds a token). */
export type LoginOutcome =
  | { ok: true; userId: string; userName: string | null; expiresAt: string }
  | {
      ok: false;
      reason: LoginFailureReason;
      message: string;
      /** With "foreign_user": the Kite user whose session was refused. */
      refusedUserId?: string;
    };
