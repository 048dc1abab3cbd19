/*
 * Secrets never reach a log. Two layers, because either alone has gaps:
 * 1. pino's `redact` paths replace the value of every key that holds a secret (api_secret,
 *    access tokens, Authorization headers, cookies, request tokens, checksums, passwords, the
 *    Telegram token), at the top level and nested up to three levels;
 * 2. the line scrubber replaces, in each finished line, any known secret value (the config's
 *    secrets, the day's access token) and any `access_token=` / `request_token=` / `checksum=`
 *    query parameter, wherever it appears: in a message, an error's text, a URL.
 */

/** Keys whose values are secrets, wherever they appear in a log object. */
export const SECRET_KEYS = [
  "api_secret",
  "apiSecret",
  "access_token",
  "accessToken",
  "request_token",
  "requestToken",
  "refresh_token",
  "enctoken",
  "checksum",
  "password",
  "password_hash",
  "passwordHash",
  "api_token",
  "apiToken",
  "telegram_token",
  "telegramToken",
  "bot_token",
  "authorization",
  "Authorization",
  "cookie",
  "Cookie",
  "set-cookie",
  "Set-Cookie",
] as const;

/** pino `redact.paths`: each key at depth 0 to 3 (a request's headers are at depth 2). */
export function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of SECRET_KEYS) {
    const k = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    const join = (prefix: string) => (k.startsWith("[") ? `${prefix}${k}` : `${prefix}.${k}`);
    paths.push(k, join("*"), join("*.*"), join("*.*.*"));
  }
  return paths;
}

export const REDACTED = "[redacted]";

/** Secret-looking query parameters in URLs and messages. */
const SECRET_PARAM =
  /((?:access_token|request_token|api_secret|checksum|enctoken|token|password)=)[^&\s"'\\]+/gi;
/** `Authorization: token KEY:TOKEN` or `Bearer X` written into a message. */
const AUTH_VALUE = /((?:token|Bearer)\s+)[\w.-]+:[\w.-]+|(Bearer\s+)[\w.-]{8,}/g;

/** Secrets shorter than this are not scrubbed by value: they would blank ordinary words. */
const MIN_SECRET_LENGTH = 6;

/**
 * Replaces known secret values and secret query parameters in a line. `secrets` is read each
 * time, so a new day's access token is covered as soon as it is known.
 */
export function scrubLine(line: string, secrets: readonly string[]): string {
  let out = line;
  for (const s of secrets) {
    if (s.length >= MIN_SECRET_LENGTH && out.includes(s)) out = out.split(s).join(REDACTED);
    // The same value as it appears inside a JSON string (escaped quotes or backslashes).
    const escaped = JSON.stringify(s).slice(1, -1);
    if (escaped !== s && escaped.length >= MIN_SECRET_LENGTH && out.includes(escaped))
      out = out.split(escaped).join(REDACTED);
  }
  return out
    .replace(SECRET_PARAM, `$1${REDACTED}`)
    .replace(AUTH_VALUE, (_m, a: string | undefined, b: string | undefined) => `${a ?? b}${REDACTED}`);
}
