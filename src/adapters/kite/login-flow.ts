import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Clock } from "../../ports/clock.js";
import type { LoginFailureReason, LoginOutcome } from "../../ports/session.js";
import { writeFileAtomic } from "./atomic-file.js";
import type { KiteRest } from "./kite-rest.js";
import type { SessionStore } from "./session-store.js";

/*
 * Kite's daily login. The trader opens the login URL; Kite sends the browser back to the
 * redirect URL with a request token and our `redirect_params` untouched. The `state` inside
 * them is a random, single-use, short-lived value that this process handed out: a callback
 * that does not carry one is not ours (CSRF) and is refused before anything is exchanged.
 * Then the request token is exchanged for an access token (the client computes the checksum
 * sha256(api_key + request_token + api_secret)), the token is checked with a profile call,
 * and the session is stored, but only when it is the trader's: with `expectedUserId`
 * (kite.user_id) a session of any other Kite user is refused before it is stored, the session
 * held stays, and the client goes back to its token (the exchange had switched it).
 *
 * Pending states can live in a file (FilePendingStates) so that `pivot login` and the
 * service, two processes, accept each other's callbacks. Request tokens, access tokens and
 * the api_secret never appear in a message.
 */

/** The states handed out and not used yet. */
export interface PendingStates {
  add(state: string, expiresAtMs: number): void;
  /** Uses a state up: "ok" once, "unknown" afterwards or for a state never handed out. */
  take(state: string, nowMs: number): "ok" | "unknown" | "expired";
}

const hashOf = (state: string) => createHash("sha256").update(state).digest("hex");

/** Pending states of one process. */
export class MemoryPendingStates implements PendingStates {
  private readonly states = new Map<string, number>();

  add(state: string, expiresAtMs: number): void {
    this.states.set(hashOf(state), expiresAtMs);
  }

  take(state: string, nowMs: number): "ok" | "unknown" | "expired" {
    const key = hashOf(state);
    const expires = this.states.get(key);
    if (expires === undefined) return "unknown";
    this.states.delete(key);
    return expires > nowMs ? "ok" : "expired";
  }
}

/**
 * Pending states in a JSON file (mode 0600, rewritten atomically), shared by the processes that
 * may receive the callback. Only hashes of the states are kept. An unreadable file counts as
 * empty.
 */
export class FilePendingStates implements PendingStates {
  constructor(
    readonly path: string,
    private readonly clock: Clock,
  ) {}

  add(state: string, expiresAtMs: number): void {
    const now = this.clock.now();
    const list = this.read().filter((e) => e.expires_at_ms > now);
    list.push({ sha256: hashOf(state), expires_at_ms: expiresAtMs });
    this.write(list);
  }

  take(state: string, nowMs: number): "ok" | "unknown" | "expired" {
    const key = hashOf(state);
    const list = this.read();
    const entry = list.find((e) => e.sha256 === key);
    if (!entry) return "unknown";
    this.write(list.filter((e) => e !== entry && e.expires_at_ms > nowMs));
    return entry.expires_at_ms > nowMs ? "ok" : "expired";
  }

  private read(): Array<{ sha256: string; expires_at_ms: number }> {
    try {
      const raw = JSON.parse(readFileSync(this.path, "utf8")) as { pending?: unknown };
      if (!Array.isArray(raw.pending)) return [];
      return raw.pending.filter(
        (e): e is { sha256: string; expires_at_ms: number } =>
          typeof e === "object" &&
          e !== null &&
          typeof (e as { sha256?: unknown }).sha256 === "string" &&
          typeof (e as { expires_at_ms?: unknown }).expires_at_ms === "number",
      );
    } catch {
      return [];
    }
  }

  private write(list: Array<{ sha256: string; expires_at_ms: number }>): void {
    writeFileAtomic(this.path, `${JSON.stringify({ pending: list })}\n`, { mode: 0o600, dirMode: 0o700 });
  }
}

/** Where the login states shared by `pivot login` and the service are kept: beside the session file. */
export function loginStatesPath(accessTokenFile: string): string {
  return join(dirname(accessTokenFile), "login_states.json");
}

/** The Kite login URL carrying `state` in `redirect_params` (returned untouched on the redirect). */
export function buildLoginUrl(loginUrl: string, apiKey: string, state: string): string {
  const sep = loginUrl.includes("?") ? "&" : "?";
  return `${loginUrl}${sep}api_key=${encodeURIComponent(apiKey)}&v=3&redirect_params=${encodeURIComponent(`state=${state}`)}`;
}

/** A new random state: 128 bits, URL-safe. */
export function randomState(): string {
  return randomBytes(16).toString("base64url");
}

export type { LoginFailureReason, LoginOutcome } from "../../ports/session.js";

/** The query of the callback request. */
export type CallbackQuery =
  | URLSearchParams
  | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface LoginFlowOptions {
  apiKey: string;
  apiSecret: string;
  /** `kite.login_url`. */
  loginUrl: string;
  /** `auth.auth_timeout_seconds`: how long a login URL stays usable. */
  authTimeoutSeconds: number;
  clock: Clock;
  states: PendingStates;
  /** Uses the token of an exchanged session; the flow puts the held session's back when it refuses one. */
  kite: Pick<KiteRest, "generateSession" | "profile"> & Partial<Pick<KiteRest, "setAccessToken">>;
  store: Pick<SessionStore, "save"> & Partial<Pick<SessionStore, "current">>;
  /**
   * `kite.user_id`, the trader's client id: a session of any other user is refused. Empty or
   * absent: any user (paper trading; the configuration requires it for live trading).
   */
  expectedUserId?: string;
  newState?: () => string;
}

/** The login: hands out login URLs and turns callbacks into stored sessions. */
export class LoginFlow {
  constructor(private readonly options: LoginFlowOptions) {}

  /** A new login URL with its own state, usable once within `auth_timeout_seconds`. */
  start(): { url: string; state: string; expiresAtMs: number } {
    const o = this.options;
    const state = (o.newState ?? randomState)();
    const expiresAtMs = o.clock.now() + o.authTimeoutSeconds * 1000;
    o.states.add(state, expiresAtMs);
    return { url: buildLoginUrl(o.loginUrl, o.apiKey, state), state, expiresAtMs };
  }

  /** Checks a callback and, when it is ours and good, exchanges, checks and stores the session. Never throws. */
  async handleCallback(query: CallbackQuery): Promise<LoginOutcome> {
    try {
      return await this.handle(query);
    } catch (e) {
      return failure("internal", `the login could not be completed (${(e as Error).name ?? "error"})`);
    }
  }

  private async handle(query: CallbackQuery): Promise<LoginOutcome> {
    const o = this.options;
    const state = param(query, "state");
    if (!state)
      return failure("bad_state", "the callback carries no state: it does not come from this login");
    const taken = o.states.take(state, o.clock.now());
    if (taken === "unknown") {
      return failure("bad_state", "the callback's state is unknown or already used: start the login again");
    }
    if (taken === "expired") {
      return failure(
        "expired_state",
        `the login took longer than ${o.authTimeoutSeconds} s (auth.auth_timeout_seconds): start it again`,
      );
    }
    const status = param(query, "status");
    if (status !== "success") {
      return failure("not_success", `Kite did not report a successful login (status ${safeWord(status)})`);
    }
    const action = param(query, "action");
    if (action !== "login") return failure("not_login", `unexpected action ${safeWord(action)}`);
    const requestToken = param(query, "request_token");
    if (!requestToken) return failure("missing_request_token", "the callback carries no request_token");

    const heldToken = o.store.current?.()?.accessToken ?? null;
    const session = await o.kite.generateSession(requestToken, o.apiSecret);
    if (!session.ok) {
      return failure("exchange_failed", `Kite refused the request token: ${session.error.message}`);
    }
    const outcome = await this.checkAndStore(session.value);
    // The exchange switched the client to the new token: a session not stored must not be used.
    if (!outcome.ok) o.kite.setAccessToken?.(heldToken);
    return outcome;
  }

  private async checkAndStore(session: {
    access_token: string;
    user_id: string;
    user_name?: string | null | undefined;
  }): Promise<LoginOutcome> {
    const o = this.options;
    const expected = o.expectedUserId?.trim() ?? "";
    if (expected !== "" && session.user_id.toUpperCase() !== expected.toUpperCase()) {
      return {
        ok: false,
        reason: "foreign_user",
        message: `the Kite account ${safeUserId(session.user_id)} is not the one this system trades for: the login is refused and the session held is unchanged`,
        refusedUserId: safeUserId(session.user_id),
      };
    }
    const profile = await o.kite.profile();
    if (!profile.ok) {
      return failure("profile_failed", `the new session does not work: ${profile.error.message}`);
    }
    if (profile.value.user_id !== session.user_id) {
      return failure("user_mismatch", "the profile's user differs from the session's user");
    }
    let saved: ReturnType<SessionStore["save"]>;
    try {
      saved = o.store.save({
        accessToken: session.access_token,
        userId: session.user_id,
        userName: session.user_name ?? profile.value.user_name,
      });
    } catch (e) {
      return failure(
        "save_failed",
        `the session could not be saved (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      );
    }
    return { ok: true, userId: saved.userId, userName: saved.userName, expiresAt: saved.expiresAt };
  }
}

function failure(reason: LoginFailureReason, message: string): LoginOutcome {
  return { ok: false, reason, message };
}

/** One query parameter; absent, empty or repeated counts as missing. */
function param(query: CallbackQuery, name: string): string | undefined {
  if (query instanceof URLSearchParams) {
    const all = query.getAll(name);
    return all.length === 1 && all[0] !== "" ? all[0] : undefined;
  }
  const v = query[name];
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** A Kite client id fit to repeat in a message (they are short letters and digits). */
function safeUserId(v: string): string {
  return /^[A-Za-z0-9_-]{1,20}$/.test(v) ? v : "(unreadable id)";
}

/** A query value fit to repeat in a message: short plain words only. */
function safeWord(v: string | undefined): string {
  if (v === undefined) return "missing";
  return /^[A-Za-z_-]{1,20}$/.test(v) ? `"${v}"` : "(unreadable)";
}
