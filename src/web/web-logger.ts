/*
 * The web server's log. It takes a pino logger (or anything with info/warn/error(fields,
 * message)) or a plain function, and everything it is given passes through `redact` first:
 * the routes never log a header, a query string or a body, and this is the second line of
 * defence for a secret that would slip into an error message (a request token in a URL, a
 * Bearer token, a postback checksum, a session cookie).
 */

export type LogLevel = "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

/** A pino logger fits this. */
export interface WebLogger {
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
}

/** A logger as a single function. */
export type LogFunction = (level: LogLevel, message: string, fields: LogFields) => void;

const REDACTED = "[redacted]";

/** Field names whose value is never logged, whatever it is. */
const SECRET_FIELD = /authorization|cookie|password|passwd|secret|token|checksum|csrf|session_?id|api_key/i;

const SECRET_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // key=value in URLs and forms (request_token, access_token, api_key, password, csrf_token ...)
  [
    /\b((?:request|access|api|csrf|refresh)_?token|api_?key|api_?secret|password|checksum|session)=[^&\s"';]*/gi,
    `$1=${REDACTED}`,
  ],
  // "key": "value" in JSON text
  [
    /"((?:request|access|api|csrf|refresh)_?token|api_?key|api_?secret|password|checksum|password_hash)"\s*:\s*"[^"]*"/gi,
    `"$1":"${REDACTED}"`,
  ],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${REDACTED}`],
  [/\bpivot_session=[^;\s]*/g, `pivot_session=${REDACTED}`],
  // a sha256 hex digest (a postback checksum) or a scrypt hash
  [/\b[0-9a-f]{64}\b/gi, REDACTED],
  [/\$scrypt\$[^\s"']*/g, REDACTED],
];

/** A text with every secret-looking piece replaced. */
export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** A copy of log fields with secret fields dropped and secret-looking text replaced (two levels deep). */
export function redactFields(fields: LogFields, depth = 0): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (SECRET_FIELD.test(key)) out[key] = REDACTED;
    else if (typeof value === "string") out[key] = redactText(value);
    else if (value !== null && typeof value === "object" && !Array.isArray(value) && depth < 2)
      out[key] = redactFields(value as LogFields, depth + 1);
    else if (value !== null && typeof value === "object") out[key] = REDACTED;
    else out[key] = value;
  }
  return out;
}

/** A WebLogger that redacts, over a pino-like logger or a function. */
export function redactingLogger(target: WebLogger | LogFunction): WebLogger {
  const write: LogFunction =
    typeof target === "function"
      ? target
      : (level, message, fields) => {
          target[level](fields, message);
        };
  const at =
    (level: LogLevel) =>
    (fields: LogFields, message: string): void => {
      try {
        write(level, redactText(message), redactFields(fields));
      } catch {
        // a failing log must never fail a request
      }
    };
  return { info: at("info"), warn: at("warn"), error: at("error") };
}

/** A logger that drops everything (benchmarks, tests that do not look). */
export const silentLogger: WebLogger = { info() {}, warn() {}, error() {} };
