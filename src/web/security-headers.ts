import { createHash } from "node:crypto";
import { PAGE_STYLE } from "./html.js";

/*
 * Headers on every response (pages, JSON, errors, the event stream). Scripts only from this
 * origin, never inline: the dashboard loads its script from /assets/... Styles too, except the
 * server pages' one inline sheet, allowed by its hash: no 'unsafe-inline', so markup an attacker
 * slipped in cannot restyle a page (e.g. to overlay the login form). The chart library injects
 * a <style> element only with its logo, which the dashboard turns off (chart.ts).
 * nginx sets some of these too and hides ours (nginx-site.ts): the browser gets each once.
 * We add HSTS only to responses that went out over HTTPS.
 */

/** The CSP source of an inline style sheet: its SHA-256, base64. */
export function styleHashSource(css: string): string {
  return `'sha256-${createHash("sha256").update(css, "utf8").digest("base64")}'`;
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  `style-src 'self' ${styleHashSource(PAGE_STYLE)}`,
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
