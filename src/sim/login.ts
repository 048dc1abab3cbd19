/**
 * The login page that stands in for kite.zerodha.com/connect/login: one button that logs the
 * simulated user in and sends the browser to the redirect URL with a request token and the
 * `redirect_params` Kite hands back untouched (e.g. `state=abc`).
 */
import type { FastifyInstance } from "fastify";
import type { SessionStore } from "./sessions.js";

export interface LoginDeps {
  sessions: SessionStore;
  /** Where the browser goes after logging in (the app's registered redirect URL). */
  redirectUrl: () => string;
  /** Redirect at once, without the page (tests). */
  autoLogin: boolean;
}

type LoginQuery = { api_key?: string; redirect_params?: string; auto?: string; v?: string };

/** Registers `GET /connect/login` and the button's target `GET /connect/login/approve`. */
export function registerLoginRoutes(app: FastifyInstance, deps: LoginDeps): void {
  app.get<{ Querystring: LoginQuery }>("/connect/login", async (req, reply) => {
    const { api_key: apiKey, redirect_params: redirectParams = "" } = req.query;
    if (!deps.sessions.knowsApiKey(apiKey)) {
      return reply
        .code(400)
        .type("text/html; charset=utf-8")
        .send(
          page(
            "Kite simulator — invalid api_key",
            `<p>Invalid <code>api_key</code>: ${escapeHtml(apiKey ?? "(none)")}.</p>`,
          ),
        );
    }
    if (deps.autoLogin || req.query.auto === "1") return reply.redirect(finishUrl(deps, redirectParams), 302);
    const approve = `/connect/login/approve?${new URLSearchParams({ api_key: apiKey as string, redirect_params: redirectParams })}`;
    const user = deps.sessions.account.userId;
    return reply.type("text/html; charset=utf-8").send(
      page(
        `Kite simulator — log in as ${user}`,
        `<p>This is the local Kite simulator, not Zerodha. No password is needed.</p>
<p><a id="login" class="button" href="${escapeHtml(approve)}">Log in as ${escapeHtml(user)}</a></p>
<p class="small">You will be sent to ${escapeHtml(deps.redirectUrl())}</p>`,
      ),
    );
  });

  app.get<{ Querystring: LoginQuery }>("/connect/login/approve", async (req, reply) => {
    if (!deps.sessions.knowsApiKey(req.query.api_key)) {
      return reply
        .code(400)
        .type("text/html; charset=utf-8")
        .send(page("Kite simulator — invalid api_key", "<p>Invalid <code>api_key</code>.</p>"));
    }
    return reply.redirect(finishUrl(deps, req.query.redirect_params ?? ""), 302);
  });
}

/** The redirect URL with Kite's parameters, a fresh request token, and the redirect_params appended. */
function finishUrl(deps: LoginDeps, redirectParams: string): string {
  const url = new URL(deps.redirectUrl());
  url.searchParams.set("action", "login");
  url.searchParams.set("type", "login");
  url.searchParams.set("status", "success");
  url.searchParams.set("request_token", deps.sessions.issueRequestToken());
  for (const [k, v] of new URLSearchParams(redirectParams)) url.searchParams.append(k, v);
  return url.toString();
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}
.button{display:inline-block;padding:.6rem 1.2rem;background:#387ed1;color:#fff;border-radius:4px;text-decoration:none}
.small{color:#666;font-size:.85rem}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
