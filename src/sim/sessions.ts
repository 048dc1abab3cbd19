/**
 * Login sessions: request tokens (single use, five minutes) and access tokens, which expire at
 * the next 06:00 IST as Kite's do, by the injected clock.
 */
import { createHash, randomBytes } from "node:crypto";
import { istEpochMs, istPartsOf } from "../domain/ist.js";
import type { Clock } from "../ports/clock.js";
import { KiteError, tokenError } from "./kite-errors.js";
import { kiteTimestamp } from "./kite-time.js";

const REQUEST_TOKEN_TTL_MS = 5 * 60_000;
const EXPIRY_MINUTE = 6 * 60;

/** The account the simulator logs in. */
export interface SimAccount {
  apiKey: string;
  apiSecret: string;
  userId: string;
  userName: string;
}

/** An issued access token. */
export interface AccessSession {
  apiKey: string;
  accessToken: string;
  publicToken: string;
  issuedAt: number;
  expiresAt: number;
}

/** `sha256_hex(text)`. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function randomToken(bytes = 16): string {
  return randomBytes(bytes)
    .toString("hex")
    .slice(0, bytes * 2);
}

/** The next 06:00 IST strictly after `epochMs`. */
export function nextTokenExpiry(epochMs: number): number {
  const { date } = istPartsOf(epochMs);
  const today = istEpochMs(date, EXPIRY_MINUTE);
  return today > epochMs ? today : today + 86_400_000;
}

/** The request and access tokens the simulator has issued. */
export class SessionStore {
  private readonly requestTokens = new Map<string, number>();
  private readonly sessions = new Map<string, AccessSession>();

  constructor(
    readonly account: SimAccount,
    private readonly clock: Clock,
  ) {}

  /** True for the simulator's api_key. */
  knowsApiKey(apiKey: string | undefined): boolean {
    return apiKey === this.account.apiKey;
  }

  /** A fresh request token, as the login page hands out. */
  issueRequestToken(): string {
    const token = randomToken();
    this.requestTokens.set(token, this.clock.now() + REQUEST_TOKEN_TTL_MS);
    return token;
  }

  /**
   * `POST /session/token`: checks the api_key, the request token (once, unexpired) and the
   * checksum, and issues an access token. Throws KiteError as Kite answers.
   */
  exchange(apiKey: string | undefined, requestToken: string | undefined, checksum: string | undefined) {
    if (!apiKey || !this.knowsApiKey(apiKey)) throw tokenError("Invalid `api_key`.");
    if (!requestToken) throw new KiteError(400, "InputException", "Missing `request_token`.");
    if (!checksum) throw new KiteError(400, "InputException", "Missing `checksum`.");
    const expected = sha256Hex(apiKey + requestToken + this.account.apiSecret);
    const until = this.requestTokens.get(requestToken);
    if (until === undefined || until < this.clock.now()) {
      this.requestTokens.delete(requestToken);
      throw tokenError("Token is invalid or has expired.");
    }
    if (checksum.toLowerCase() !== expected) throw tokenError("Invalid checksum.");
    this.requestTokens.delete(requestToken);
    const now = this.clock.now();
    const session: AccessSession = {
      apiKey,
      accessToken: randomToken(),
      publicToken: randomToken(),
      issuedAt: now,
      expiresAt: nextTokenExpiry(now),
    };
    this.sessions.set(session.accessToken, session);
    return { session, loginTime: kiteTimestamp(now) };
  }

  /** The session of a token, when it was issued to this api_key and has not expired. */
  verify(apiKey: string | undefined, accessToken: string | undefined): AccessSession | null {
    if (!apiKey || !accessToken) return null;
    const s = this.sessions.get(accessToken);
    if (!s || s.apiKey !== apiKey) return null;
    if (s.expiresAt <= this.clock.now()) return null;
    return s;
  }

  /** Logs a token out; false when it was not valid. */
  invalidate(apiKey: string | undefined, accessToken: string | undefined): boolean {
    if (!this.verify(apiKey, accessToken)) return false;
    this.sessions.delete(accessToken as string);
    return true;
  }

  /** Expires every access token now (the `expire_token` fault). */
  expireAll(): void {
    const now = this.clock.now();
    for (const s of this.sessions.values()) s.expiresAt = Math.min(s.expiresAt, now);
  }

  /** Sessions still valid. */
  activeCount(): number {
    const now = this.clock.now();
    let n = 0;
    for (const s of this.sessions.values()) if (s.expiresAt > now) n++;
    return n;
  }
}
