import type { CookieSerializeOptions } from "@fastify/cookie";
import type { FastifyReply, FastifyRequest } from "fastify";
import { clientOf } from "./client-address.js";
import type { WebContext } from "./context.js";
import { type Session, sameSecret } from "./sessions.js";

/*
 * Who a request is: a dashboard session (the HttpOnly cookie) or a monitoring client holding
 * the API token (Authorization: Bearer). Secrets are compared in constant time.
 */

export const SESSION_COOKIE = "pivot_session";
export const CSRF_HEADER = "x-csrf-token";

/** The request's live dashboard session, with its id; null without one. */
export function sessionOf(ctx: WebContext, request: FastifyRequest): { id: string; session: Session } | null {
  const id = request.cookies?.[SESSION_COOKIE];
  const session = ctx.sessions.get(id);
  return session && id ? { id, session } : null;
}

/** True when the request carries `Authorization: Bearer <server.api_token>` (never with no token configured). */
export function hasApiToken(ctx: WebContext, request: FastifyRequest): boolean {
  const expected = ctx.deps.config.server.api_token;
  if (expected === "") return false;
  const header = request.headers.authorization;
  if (typeof header !== "string") return false;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m !== null && sameSecret(m[1], expected);
}

/** True when the CSRF token sent (header, or a form field for plain forms) is the session's. */
export function csrfMatches(request: FastifyRequest, session: Session, formField?: string): boolean {
  const header = request.headers[CSRF_HEADER];
  const given = typeof header === "string" ? header : formField;
  return sameSecret(given, session.csrfToken);
}

/** Sets the session cookie: HttpOnly, SameSite=Strict, Secure when the client came over HTTPS. */
export function setSessionCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  id: string,
  maxAgeS: number,
): void {
  reply.setCookie(SESSION_COOKIE, id, cookieOptions(request, Math.floor(maxAgeS)));
}

function cookieOptions(request: FastifyRequest, maxAgeS: number): CookieSerializeOptions {
  return { path: "/", httpOnly: true, sameSite: "strict", secure: clientOf(request).https, maxAge: maxAgeS };
}

/** Clears the session cookie in the browser. */
export function clearSessionCookie(reply: FastifyReply, request: FastifyRequest): void {
  reply.setCookie(SESSION_COOKIE, "", cookieOptions(request, 0));
}

/** The actor named in the audit log for a dashboard action. */
export function dashboardActor(request: FastifyRequest): string {
  return `dashboard@${clientOf(request).address}`;
}
