import { createHmac, randomBytes as cryptoRandomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Clock } from "../../ports/clock.js";
import { writeFileAtomic } from "./atomic-file.js";

/*
 * Signed login links. `/login` starts a Kite login (it hands out a login URL and remembers its
 * state on disk), so a public visitor must not reach it: it takes a dashboard session, or a link
 * that this service signed. The Telegram "login needed" reminder carries such a link:
 * `/login?link=<expiry>.<nonce>.<mac>`, the MAC an HMAC-SHA256 under a key the service generates
 * once and keeps owner-only beside the session file. A link works once and until its expiry;
 * the used ones are remembered in memory (a restart forgets them, the expiry still bounds them).
 */

/** How long a reminder's link stays usable: the reminders of a morning come within the hour. */
export const LOGIN_LINK_TTL_MS = 60 * 60 * 1000;

const KEY_BYTES = 32;
const MAC_CONTEXT = "pivot-login-link:v1:";

/** Why a link opens `/login` or not. */
export type LoginLinkVerdict = "ok" | "missing" | "invalid" | "expired" | "used";

/** Where the key is kept: beside the session file (a folder of mode 0700). */
export function loginLinkKeyPath(accessTokenFile: string): string {
  return join(dirname(accessTokenFile), "login_link.key");
}

/**
 * Reads the key file, or creates it (32 random bytes, hex, mode 0600) when there is none.
 * Throws with the path named when the file exists but cannot be used.
 */
export function loadOrCreateLinkKey(
  path: string,
  randomBytes: (size: number) => Buffer = cryptoRandomBytes,
): Buffer {
  let text: string | null = null;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") throw new Error(`the login link key ${path} cannot be read (${code ?? "error"})`);
  }
  if (text === null) {
    const key = randomBytes(KEY_BYTES);
    writeFileAtomic(path, `${key.toString("hex")}\n`, { mode: 0o600, dirMode: 0o700 });
    return key;
  }
  const hex = text.trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new Error(
      `the login link key ${path} is damaged: delete it and restart (older links stop working)`,
    );
  }
  return Buffer.from(hex, "hex");
}

export interface LoginLinksOptions {
  key: Buffer;
  clock: Clock;
  ttlMs?: number;
  randomBytes?: (size: number) => Buffer;
}

/** Issues and checks signed, single-use, expiring login links. */
export class LoginLinks {
  private readonly used = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly randomBytes: (size: number) => Buffer;

  constructor(private readonly o: LoginLinksOptions) {
    if (o.key.length < 16) throw new Error("a login link key needs at least 16 bytes");
    this.ttlMs = o.ttlMs ?? LOGIN_LINK_TTL_MS;
    this.randomBytes = o.randomBytes ?? cryptoRandomBytes;
  }

  /** A new link token, usable once until `expiresAtMs`. */
  issue(): { token: string; expiresAtMs: number } {
    const expiresAtMs = this.o.clock.now() + this.ttlMs;
    const body = `${expiresAtMs.toString(36)}.${this.randomBytes(16).toString("base64url")}`;
    return { token: `${body}.${this.mac(body)}`, expiresAtMs };
  }

  /** Checks a token and, when it is good, uses it up. Never throws. */
  take(token: unknown): LoginLinkVerdict {
    if (typeof token !== "string" || token === "") return "missing";
    const m = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return "invalid";
    const [, exp, nonce, mac] = m as unknown as [string, string, string, string];
    const body = `${exp}.${nonce}`;
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "invalid";
    const now = this.o.clock.now();
    const expiresAtMs = Number.parseInt(exp, 36);
    if (!(expiresAtMs > now)) return "expired";
    this.forgetExpired(now);
    if (this.used.has(nonce)) return "used";
    this.used.set(nonce, expiresAtMs);
    return "ok";
  }

  private mac(body: string): string {
    return createHmac("sha256", this.o.key).update(MAC_CONTEXT).update(body).digest("base64url");
  }

  private forgetExpired(now: number): void {
    for (const [nonce, expiresAtMs] of this.used) if (expiresAtMs <= now) this.used.delete(nonce);
  }
}

/** The link to `/login` beside the callback of `auth.redirect_url` (same origin, same folder). */
export function loginLinkUrl(redirectUrl: string, token: string): string {
  const url = new URL("login", redirectUrl);
  url.search = "";
  url.searchParams.set("link", token);
  return url.toString();
}
