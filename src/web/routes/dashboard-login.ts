import type { FastifyInstance } from "fastify";
import { clearSessionCookie, csrfMatches, sessionOf, setSessionCookie } from "../auth.js";
import { clientOf } from "../client-address.js";
import { ConcurrencyCap } from "../concurrency-cap.js";
import type { WebContext } from "../context.js";
import { errorText } from "../errors.js";
import { loginFormPage, noPasswordPage, tooManyAttemptsPage } from "../pages.js";
import { verifyPassword } from "../password-hash.js";

/*
 * The dashboard's login and logout (an HTML form, so the bodies are form-encoded). Attempts
 * are rate limited per client address (an IPv6 client's /64, on the wall clock: app.ts) before
 * the password is even looked at, and at most MAX_CONCURRENT_PASSWORD_CHECKS scrypt checks run
 * at once whoever asks (more addresses do not buy more guesses a second); a success sets the
 * session cookie and sends the browser to `/`. Without server.password_hash nobody can log
 * in, and the page says how to set one.
 */

/** Login attempts an address may make a minute. */
export const LOGIN_ATTEMPTS_A_MINUTE = 5;

/** Password checks (scrypt) running at once, from all clients together; more are answered 429. */
export const MAX_CONCURRENT_PASSWORD_CHECKS = 2;

const FORM_LIMIT = 4 * 1024;

/** Registers /auth/login (GET, POST) and POST /auth/logout in their own scope (form bodies). */
export async function dashboardLoginRoutes(
  app: FastifyInstance,
  options: { ctx: WebContext },
): Promise<void> {
  const { ctx } = options;
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: FORM_LIMIT },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );
  const html = "text/html; charset=utf-8";
  const passwordChecks = new ConcurrencyCap(MAX_CONCURRENT_PASSWORD_CHECKS);

  app.get("/auth/login", (request, reply) => {
    reply.type(html);
    if (sessionOf(ctx, request)) return reply.code(303).header("location", "/").send();
    if (ctx.deps.config.server.password_hash === "") return reply.code(200).send(noPasswordPage());
    return reply.code(200).send(loginFormPage());
  });

  app.post("/auth/login", { bodyLimit: FORM_LIMIT }, async (request, reply) => {
    reply.type(html);
    const client = clientOf(request).address;
    const limited = ctx.loginLimiter.hit(client);
    if (!limited.allowed) {
      if (limited.count === LOGIN_ATTEMPTS_A_MINUTE + 1)
        ctx.log.warn({ client }, "dashboard login attempts rate limited");
      reply.header("retry-after", String(limited.retryAfterS));
      return reply.code(429).send(tooManyAttemptsPage(limited.retryAfterS));
    }
    const hash = ctx.deps.config.server.password_hash;
    if (hash === "") return reply.code(403).send(noPasswordPage());
    const body = request.body as Record<string, unknown> | undefined;
    const password = typeof body?.password === "string" ? body.password : "";
    const release = passwordChecks.tryEnter();
    if (!release) {
      ctx.log.warn({ client }, "dashboard login refused: password checks busy");
      reply.header("retry-after", "1");
      return reply.code(429).send(loginFormPage("Other logins are being checked: try again in a second."));
    }
    let ok = false;
    try {
      ok = password !== "" && (await verifyPassword(password, hash));
    } catch (e) {
      ctx.log.error({ err: errorText(e) }, "the password could not be checked");
    } finally {
      release();
    }
    if (!ok) {
      ctx.log.warn({ client }, "dashboard login failed");
      return reply.code(401).send(loginFormPage("Wrong password."));
    }
    ctx.loginLimiter.reset(client);
    const { id } = ctx.sessions.create();
    setSessionCookie(reply, request, id, ctx.deps.config.server.session_hours * 3600);
    ctx.log.info({ client }, "dashboard login");
    return reply.code(303).header("location", "/").send();
  });

  app.post("/auth/logout", { bodyLimit: FORM_LIMIT }, (request, reply) => {
    const current = sessionOf(ctx, request);
    if (current) {
      const body = request.body as Record<string, unknown> | undefined;
      const field = typeof body?.csrf_token === "string" ? body.csrf_token : undefined;
      if (!csrfMatches(request, current.session, field)) {
        return reply.code(403).send({ error: "missing or wrong CSRF token" });
      }
      ctx.sessions.destroy(current.id);
      ctx.log.info({ client: clientOf(request).address }, "dashboard logout");
    }
    clearSessionCookie(reply, request);
    return reply.code(303).header("location", "/auth/login").send();
  });
}
