/*
 * Headers on every response (pages, JSON, errors, the event stream). Scripts only from this
 * origin, never inline: the dashboard loads its script from /assets/... Inline styles are
 * allowed because the chart library injects a <style> element; a style cannot run code.
 * nginx may add HSTS too; we add it only to responses that went out over HTTPS.
 */

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** The security headers of a response; `https`: the client reached us over HTTPS. */
export function securityHeaders(https: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
  };
  if (https) headers["strict-transport-security"] = "max-age=31536000";
  return headers;
}
